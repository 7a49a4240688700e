"""Connection and server commands through redis-py 8, in RESP2 and RESP3 (redis-py 8's default).

redis-py 8 opens every connection with HELLO 3 (HELLO 3 AUTH default <password> when a password is
given), CLIENT MAINT_NOTIFICATIONS (an error is logged and ignored) and CLIENT SETINFO LIB-NAME /
LIB-VER. Where Redis is the oracle, replies are compared with Debian's redis-server.
"""

from __future__ import annotations

import socket

import pytest
import redis

from redis.backoff import NoBackoff
from redis.retry import Retry

from servers import DraymanProcess, RedisProcess

# redis-py 8 retries failed connections with backoff; authentication failures need no retries.
NO_RETRY = {"retry": Retry(NoBackoff(), 0)}


def raw_exchange(port: int, payload: bytes) -> bytes:
    """Sends raw bytes on a fresh connection and returns everything read within a short wait."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
        sock.sendall(payload)
        sock.settimeout(0.3)
        data = b""
        try:
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
        return data


def as_dict(hello) -> dict:
    """HELLO's reply: a map in RESP3, a flat list of pairs in RESP2."""
    if isinstance(hello, list):
        hello = dict(zip(hello[::2], hello[1::2]))
    return hello


def without_id(hello) -> dict:
    return {key: value for key, value in as_dict(hello).items() if key != b"id"}


def test_handshake_and_hello(drayman, oracle, protocol):
    mine = redis.Redis(port=drayman.port, protocol=protocol)
    theirs = redis.Redis(port=oracle.port, protocol=protocol)
    assert mine.ping() is True
    hello = as_dict(mine.execute_command("HELLO", protocol))
    assert without_id(hello) == without_id(theirs.execute_command("HELLO", protocol))
    assert hello[b"proto"] == protocol
    assert hello[b"version"] == b"7.0.15"
    assert hello[b"id"] == mine.client_id()
    mine.close()
    theirs.close()


def test_hello_errors_match_redis(drayman, oracle):
    for command in ([4], ["abc"], [3, "FOO"], [3, "SETNAME", "a b"], [3, "AUTH", "default"]):
        errors = []
        for port in (drayman.port, oracle.port):
            connection = redis.Redis(port=port, protocol=2)
            with pytest.raises(redis.ResponseError) as raised:
                connection.execute_command("HELLO", *command)
            errors.append(str(raised.value))
            connection.close()
        assert errors[0] == errors[1], command


def test_redis_py_sends_client_setinfo(drayman, protocol):
    connection = redis.Redis(port=drayman.port, protocol=protocol)
    info = connection.client_info()
    assert info["lib-name"] == "redis-py"
    assert info["lib-ver"] == redis.__version__
    assert info["resp"] == str(protocol)
    assert info["flags"] == "N"
    assert info["cmd"] == "client|info"
    assert info["user"] == "default"
    connection.close()


def test_client_setname_getname_and_list(drayman, protocol):
    connection = redis.Redis(
        port=drayman.port, protocol=protocol, client_name="celery-worker", decode_responses=True
    )
    assert connection.client_getname() == "celery-worker"
    assert connection.client_setname("worker-2") is True
    assert connection.client_getname() == "worker-2"
    with pytest.raises(redis.ResponseError) as raised:
        connection.client_setname("bad name")
    assert str(raised.value) == "Client names cannot contain spaces, newlines or special characters."
    clients = connection.client_list()
    mine = [c for c in clients if c["name"] == "worker-2"]
    assert len(mine) == 1
    assert mine[0]["id"] == str(connection.client_id())
    assert mine[0]["lib-name"] == "redis-py"
    with socket.create_connection(("127.0.0.1", drayman.port), timeout=2) as other:
        other.sendall(b"CLIENT ID\r\n")
        other_id = int(other.recv(100)[1:-2])
        assert connection.client_kill_filter(_id=other_id) == 1
        assert other.recv(100) == b""  # closed by the server
    connection.close()


def test_maint_notifications_error_is_redis_70s(drayman, oracle):
    replies = []
    for port in (drayman.port, oracle.port):
        replies.append(
            raw_exchange(
                port,
                b"*5\r\n$6\r\nCLIENT\r\n$19\r\nMAINT_NOTIFICATIONS\r\n$2\r\nON\r\n"
                b"$20\r\nmoving-endpoint-type\r\n$11\r\ninternal-ip\r\n",
            )
        )
    assert replies[0] == replies[1] == (
        b"-ERR unknown subcommand 'MAINT_NOTIFICATIONS'. Try CLIENT HELP.\r\n"
    )


def test_info_parses_into_a_dict(drayman, protocol):
    connection = redis.Redis(port=drayman.port, protocol=protocol)
    info = connection.info()
    assert info["redis_version"] == "7.0.15"
    assert "drayman_version" in info
    assert info["redis_mode"] == "standalone"
    assert info["role"] == "master"
    assert info["connected_clients"] >= 1
    assert info["blocked_clients"] == 0
    assert info["used_memory"] > 0
    assert info["used_memory_rss"] > 0
    assert info["loading"] == 0
    assert info["rdb_bgsave_in_progress"] == 0
    assert info["aof_rewrite_in_progress"] == 0
    assert info["tcp_port"] == drayman.port
    assert info["total_commands_processed"] >= 1
    assert isinstance(info["used_cpu_user"], float)
    server = connection.info("server")
    assert set(server) >= {"redis_version", "process_id", "run_id", "uptime_in_seconds"}
    assert "connected_clients" not in server
    everything = connection.info("all")
    assert everything["cmdstat_info"]["calls"] >= 2
    assert everything["cluster_enabled"] == 0
    connection.close()


def test_info_sections_match_redis(drayman, oracle):
    """Same section headers and the same keys for the sections Drayman reports."""
    mine = redis.Redis(port=drayman.port, protocol=3)
    theirs = redis.Redis(port=oracle.port, protocol=3)
    for section in ("clients", "persistence", "replication", "cpu", "cluster"):
        drayman_keys = set(mine.info(section))
        redis_keys = set(theirs.info(section))
        assert drayman_keys <= redis_keys, (section, drayman_keys - redis_keys)
    for section in ("server", "memory", "stats"):
        missing = set(mine.info(section)) - set(theirs.info(section))
        assert missing <= {"drayman_version"}, (section, missing)
    raw_mine = mine.execute_command("INFO", "keyspace")
    raw_theirs = theirs.execute_command("INFO", "keyspace")
    assert raw_mine == raw_theirs
    mine.close()
    theirs.close()


def test_config_get_and_set(drayman, protocol):
    connection = redis.Redis(port=drayman.port, protocol=protocol, decode_responses=True)
    assert connection.config_get("maxclients") == {"maxclients": "10000"}
    assert connection.config_get("slowlog*") == {
        "slowlog-log-slower-than": "10000",
        "slowlog-max-len": "128",
    }
    assert connection.config_get("nosuch") == {}
    assert connection.config_set("hz", 25) is True
    assert connection.config_get("hz") == {"hz": "25"}
    with pytest.raises(redis.ResponseError) as raised:
        connection.config_set("databases", 4)
    assert str(raised.value) == (
        "CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"
    )
    assert connection.config_set("hz", 10) is True
    connection.close()


def test_config_errors_match_redis(drayman, oracle):
    pairs = [
        ("hz", "abc"),
        ("maxclients", "0"),
        ("proto-max-bulk-len", "1k"),
        ("proto-max-bulk-len", "1.5mb"),
        ("tcp-backlog", "5"),
        ("dir", "/tmp"),
        ("nosuch", "1"),
        ("timeout", "-1"),
    ]
    for name, value in pairs:
        errors = []
        for port in (drayman.port, oracle.port):
            connection = redis.Redis(port=port, protocol=2)
            with pytest.raises(redis.ResponseError) as raised:
                connection.config_set(name, value)
            errors.append(str(raised.value))
            connection.close()
        assert errors[0] == errors[1], (name, value)


def test_command_docs_shape_is_what_redis_cli_expects(drayman):
    connection = redis.Redis(port=drayman.port, protocol=3)
    conn = connection.connection_pool.get_connection()
    conn.send_command("COMMAND", "DOCS", "config", "ping")
    docs = conn.read_response()
    connection.connection_pool.release(conn)
    assert set(docs) == {b"config", b"ping"}
    assert docs[b"ping"] == {
        b"summary": b"Ping the server",
        b"since": b"1.0.0",
        b"group": b"connection",
        b"complexity": b"O(1)",
    }
    assert b"config|get" in docs[b"config"][b"subcommands"]
    connection.close()


@pytest.fixture(scope="module")
def secured():
    with DraymanProcess("--requirepass", "secret") as server:
        yield server


@pytest.fixture(scope="module")
def secured_oracle():
    with RedisProcess("--requirepass", "secret") as server:
        yield server


def test_password_protected_server(secured, protocol):
    good = redis.Redis(port=secured.port, password="secret", protocol=protocol)
    assert good.ping() is True
    assert good.client_info()["lib-name"] == "redis-py"
    good.close()
    with_user = redis.Redis(port=secured.port, username="default", password="secret",
                            protocol=protocol)
    assert with_user.ping() is True
    with_user.close()


def test_noauth_and_wrongpass_match_redis(secured, secured_oracle, protocol):
    for kwargs in ({}, {"password": "wrong"}, {"username": "bob", "password": "secret"}):
        messages = []
        for server in (secured, secured_oracle):
            connection = redis.Redis(port=server.port, protocol=protocol, **kwargs, **NO_RETRY)
            with pytest.raises(redis.AuthenticationError) as raised:
                connection.ping()
            messages.append(str(raised.value))
            connection.close()
        assert messages[0] == messages[1], kwargs
    # The texts themselves, as redis-py reports them.
    connection = redis.Redis(port=secured.port, protocol=2, **NO_RETRY)
    with pytest.raises(redis.AuthenticationError, match="^Authentication required.$"):
        connection.ping()
    connection.close()
    connection = redis.Redis(port=secured.port, protocol=protocol, password="wrong", **NO_RETRY)
    with pytest.raises(redis.AuthenticationError,
                       match="^invalid username-password pair or user is disabled.$"):
        connection.ping()
    connection.close()


def test_auth_without_password_configured(drayman, oracle):
    for server in (drayman, oracle):
        connection = redis.Redis(port=server.port, protocol=2, password="x", **NO_RETRY)
        with pytest.raises(redis.AuthenticationError) as raised:
            connection.ping()
        assert str(raised.value) == (
            "AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?"
        )
        connection.close()


def test_failed_hello_auth_leaves_the_connection_unauthenticated(secured):
    reply = raw_exchange(
        secured.port,
        b"*5\r\n$5\r\nHELLO\r\n$1\r\n3\r\n$4\r\nAUTH\r\n$7\r\ndefault\r\n$3\r\nbad\r\n"
        b"*1\r\n$4\r\nPING\r\n",
    )
    assert reply == (
        b"-WRONGPASS invalid username-password pair or user is disabled.\r\n"
        b"-NOAUTH Authentication required.\r\n"
    )


def test_unauthenticated_protocol_limits(secured, secured_oracle):
    for payload in (b"*11\r\n", b"*2\r\n$4\r\nECHO\r\n$16385\r\n"):
        assert raw_exchange(secured.port, payload) == raw_exchange(secured_oracle.port, payload)
