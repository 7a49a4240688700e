"""The drayman Python package: the real server in-process, and its pytest fixtures."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import redis

drayman = pytest.importorskip("drayman", reason="pip install ./python (make test does)")


def test_server_serves_real_tcp_on_an_ephemeral_port():
    with drayman.Server() as server:
        assert server.port > 0
        assert server.url == f"redis://127.0.0.1:{server.port}/0"
        client = redis.Redis.from_url(server.url, protocol=2)
        assert client.ping() is True
        assert client.echo("in-process") == b"in-process"
        client.close()
    # Stopped: the port no longer accepts connections.
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1).close()


def test_several_servers_in_one_process_are_independent():
    with drayman.Server() as first, drayman.Server() as second:
        assert first.port != second.port
        a = redis.Redis(port=first.port, protocol=2)
        b = redis.Redis(port=second.port, protocol=2)
        assert a.echo("first") == b"first"
        assert b.echo("second") == b"second"
        a.close()
        b.close()


def test_password_option_requires_auth():
    with drayman.Server(password="s3cret") as server:
        raw = socket.create_connection(("127.0.0.1", server.port))
        raw.sendall(b"PING\r\n")
        assert raw.recv(100) == b"-NOAUTH Authentication required.\r\n"
        raw.close()
        assert server.url == f"redis://:s3cret@127.0.0.1:{server.port}/0"


def test_bad_option_raises_a_python_error():
    with pytest.raises(ValueError):
        drayman.Server(extra_args=["--no-such-option", "1"])


def test_gil_is_released_while_the_server_runs():
    # A Python thread keeps running while the server serves a client from this same process.
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.001)

    thread = threading.Thread(target=ticker)
    thread.start()
    with drayman.Server() as server:
        client = redis.Redis(port=server.port, protocol=2)
        for _ in range(200):
            client.ping()
        client.close()
    stop.set()
    thread.join()
    assert len(ticks) > 0


def test_a_stopped_server_cannot_restart():
    server = drayman.Server()
    server.stop()
    with pytest.raises(RuntimeError):
        server.start()


def test_fixtures_give_a_flushed_client(drayman_client, drayman_server, celery_broker_url):
    assert celery_broker_url == drayman_server.url
    assert drayman_client.ping() is True


def test_lua_libraries_work_in_process():
    # The extension links the project's own Lua, cjson and bit (third_party/, broker/script/lib/);
    # their Lua API calls, errors included, must land in the same Lua the server runs.
    with drayman.Server() as server:
        client = redis.Redis(port=server.port)
        assert client.eval("return cjson.encode({1, 2, 3})", 0) == b"[1,2,3]"
        assert client.eval("return cjson.decode(ARGV[1]).x", 0, '{"x": "yes"}') == b"yes"
        assert client.eval("return bit.band(12, 10)", 0) == 8
        with pytest.raises(redis.ResponseError, match="Expected object key string"):
            client.eval("return cjson.decode('{bad')", 0)
        assert client.ping() is True
        client.close()


# --- What a new user tripped over (issue 15) ---


def test_unix_socket_server_gives_a_unix_url(tmp_path):
    path = tmp_path / "drayman.sock"
    with drayman.Server(unixsocket=path) as server:
        assert server.port == 0
        assert server.url == f"unix://{path}?db=0"
        client = redis.Redis.from_url(server.url, protocol=2)
        assert client.ping() is True
        client.close()


def test_password_is_percent_encoded_in_the_url():
    with drayman.Server(password="p@ss/w:rd") as server:
        assert server.url == f"redis://:p%40ss%2Fw%3Ard@127.0.0.1:{server.port}/0"
        client = redis.Redis.from_url(server.url, protocol=2)
        assert client.ping() is True
        client.close()


def test_version_comes_from_the_cmake_project():
    import re
    from pathlib import Path

    cmake = (Path(__file__).resolve().parents[3] / "CMakeLists.txt").read_text()
    version = re.search(r"project\(drayman VERSION ([\d.]+)", cmake).group(1)
    assert drayman.__version__ == version


def test_bad_extra_args_name_the_option_not_a_file_line():
    with pytest.raises(ValueError) as raised:
        drayman.Server(extra_args=["--no-such-option", "1"])
    assert "at line" not in str(raised.value)
    assert "--no-such-option" in str(raised.value)


def test_running_turns_false_after_a_client_shutdown():
    server = drayman.Server()
    client = redis.Redis(port=server.port, protocol=2)
    client.shutdown(nosave=True)  # redis-py swallows the closed connection SHUTDOWN leaves
    deadline = time.monotonic() + 10
    while server.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.running is False
    server.stop()
