"""TLS (server/tls_context.h) compared with Debian's redis-server 7.0.15, built with TLS.

Every test starts both servers with the same tls-* options and certificates the test generates
itself with the `openssl` command (a CA, a server certificate for 127.0.0.1, a client
certificate, a second server certificate for reloads, a pass-phrase protected key), then checks
the same behaviour on both: redis-py over rediss://, client-certificate rules, redis-cli --tls,
CONFIG SET reloads and errors, start-up refusals, and a real Celery worker and channels_redis
over TLS.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import socket
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from servers import DraymanProcess, RedisProcess, drayman_binary, free_port
from tls_certs import make_ca_server_client, make_cert

pytestmark = pytest.mark.timeout(240)

HARNESS = Path(__file__).resolve().parent / "harness"


@pytest.fixture(scope="module")
def certs(tmp_path_factory) -> Path:
    directory = make_ca_server_client(tmp_path_factory.mktemp("certs"))
    make_cert(directory, "reload", "/CN=second", "IP:127.0.0.1,DNS:localhost")
    make_cert(directory, "locked", "/CN=locked", "IP:127.0.0.1",
              key_args=("-passout", "pass:sesame"))
    return directory


def tls_options(certs: Path, tls_port: int, *extra: str) -> list[str]:
    return ["--tls-port", str(tls_port), "--tls-cert-file", str(certs / "server.crt"),
            "--tls-key-file", str(certs / "server.key"), "--tls-ca-cert-file",
            str(certs / "ca.crt"), *extra]


def start_both(certs: Path, *extra: str):
    """(drayman, redis) with a plain port and a TLS port each; .tls_port set on both."""
    servers = []
    for kind in (DraymanProcess, RedisProcess):
        tls_port = free_port()
        # Drayman's plain port is given explicitly: `port 0` with a tls-port means TLS only.
        args = tls_options(certs, tls_port, *extra)
        server = kind("--port", str(free_port()), *args) if kind is DraymanProcess else kind(*args)
        server.tls_port = tls_port
        servers.append(server)
    return servers


@pytest.fixture
def pair(certs):
    drayman, oracle = start_both(certs)
    yield drayman, oracle
    drayman.stop()
    oracle.stop()


def tls_client(certs: Path, port: int, with_cert: bool = True, **kwargs) -> redis.Redis:
    # No retries: a refused handshake is the answer, not a reason to try again.
    options = dict(host="127.0.0.1", port=port, ssl=True, ssl_ca_certs=str(certs / "ca.crt"),
                   socket_timeout=5, retry=Retry(NoBackoff(), 0))
    if with_cert:
        options.update(ssl_certfile=str(certs / "client.crt"),
                       ssl_keyfile=str(certs / "client.key"))
    options.update(kwargs)
    return redis.Redis(**options)


def outcome(action):
    """What a client call gave: its value, or the error's class and text."""
    try:
        return action()
    except redis.ResponseError as error:
        return ("ResponseError", str(error))
    except (redis.ConnectionError, ssl.SSLError, OSError) as error:
        return ("ConnectionError",)


def test_rediss_commands_and_pipeline_match_redis(pair, certs):
    results = []
    for server in pair:
        client = tls_client(certs, server.tls_port)
        pipe = client.pipeline(transaction=False)
        for i in range(100):
            pipe.rpush("queue", f"task-{i}")
        pipe.lrange("queue", 0, 2)
        pipe.rpop("queue")
        replies = pipe.execute()
        plain = redis.Redis(port=server.port)  # the plain listener serves alongside
        results.append((client.ping(), client.set("k", "v" * 5000), client.get("k")[:3], replies,
                        plain.llen("queue"), client.info("server")["tcp_port"] == server.port))
        client.close()
        plain.close()
    assert results[0] == results[1]


def test_config_get_tls_parameters_match_redis(pair, certs):
    answers = []
    for server in pair:
        client = tls_client(certs, server.tls_port)
        values = client.config_get("tls-*")
        assert values.pop("tls-port") == str(server.tls_port)
        answers.append(values)
        client.close()
    assert answers[0] == answers[1]


def test_auth_clients_yes_optional_no(pair, certs):
    results = []
    for server in pair:
        steps = []
        steps.append(outcome(lambda: tls_client(certs, server.tls_port, False).ping()))
        admin = tls_client(certs, server.tls_port)
        for mode in ("optional", "no"):
            steps.append(admin.config_set("tls-auth-clients", mode))
            steps.append(outcome(lambda: tls_client(certs, server.tls_port, False).ping()))
            steps.append(outcome(lambda: tls_client(certs, server.tls_port).ping()))
        steps.append(outcome(lambda: admin.config_set("tls-auth-clients", "maybe")))
        steps.append(admin.config_get("tls-auth-clients"))
        admin.close()
        results.append(steps)
    assert results[0] == results[1]
    assert results[0][0] == ("ConnectionError",)


def served_certificate_subject(port: int, certs: Path) -> str:
    context = ssl.create_default_context(cafile=str(certs / "ca.crt"))
    context.load_cert_chain(str(certs / "client.crt"), str(certs / "client.key"))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            return dict(item[0] for item in tls.getpeercert()["subject"])["commonName"]


def test_certificate_reload_by_config_set(pair, certs):
    results = []
    for server in pair:
        steps = [served_certificate_subject(server.tls_port, certs)]
        admin = tls_client(certs, server.tls_port)
        admin.ping()
        steps.append(outcome(lambda: admin.config_set("tls-cert-file", "/nonexistent/cert.pem")))
        steps.append(served_certificate_subject(server.tls_port, certs))
        steps.append(admin.execute_command("CONFIG", "SET", "tls-cert-file",
                                           str(certs / "reload.crt"), "tls-key-file",
                                           str(certs / "reload.key")))
        steps.append(served_certificate_subject(server.tls_port, certs))
        steps.append(admin.ping())  # the connection made before the reload still works
        steps.append(outcome(lambda: admin.config_set("tls-protocols", "TLSv1.4")))
        steps.append(outcome(lambda: admin.config_set("tls-ciphersuites", "NOPE")))
        steps.append(admin.config_get("tls-protocols"))
        admin.close()
        results.append(steps)
    assert results[0] == results[1]
    assert results[0][0] == "first" and results[0][4] == "second"


def handshake(certs: Path, port: int, max_version: ssl.TLSVersion) -> str:
    """The protocol a handshake with at most `max_version` agrees on."""
    context = ssl.create_default_context(cafile=str(certs / "ca.crt"))
    context.load_cert_chain(str(certs / "client.crt"), str(certs / "client.key"))
    context.maximum_version = max_version
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"PING\r\n")
            assert tls.recv(100) == b"+PONG\r\n"
            return tls.version()


def test_protocols_and_pass_phrase_key(certs):
    locked = ["--tls-key-file", str(certs / "locked.key"), "--tls-cert-file",
              str(certs / "locked.crt"), "--tls-key-file-pass", "sesame", "--tls-protocols",
              "TLSv1.3"]
    results = []
    for server in start_both(certs, *locked):
        try:
            steps = [tls_client(certs, server.tls_port).ping()]
            steps.append(outcome(lambda: handshake(certs, server.tls_port, ssl.TLSVersion.TLSv1_2)))
            steps.append(outcome(lambda: handshake(certs, server.tls_port, ssl.TLSVersion.TLSv1_3)))
            results.append(steps)
        finally:
            server.stop()
    assert results[0] == results[1] == [True, ("ConnectionError",), "TLSv1.3"]


def redis_cli(certs: Path, port: int, *args: str, stdin: str | None = None) -> tuple[int, str]:
    command = ["redis-cli", "-p", str(port), "--tls", "--cacert", str(certs / "ca.crt"),
               "--cert", str(certs / "client.crt"), "--key", str(certs / "client.key"), *args]
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=30)
    return done.returncode, done.stdout


def test_redis_cli_tls_against_both(pair, certs):
    pipeline = "".join(f"RPUSH jobs job-{i}\r\n" for i in range(50)) + "LLEN jobs\r\n"
    results = []
    for server in pair:
        results.append([
            redis_cli(certs, server.tls_port, "PING"),
            redis_cli(certs, server.tls_port, "SET", "greeting", "hello over tls"),
            redis_cli(certs, server.tls_port, "GET", "greeting"),
            redis_cli(certs, server.tls_port, "--pipe", stdin=pipeline),
            redis_cli(certs, server.tls_port, "LRANGE", "jobs", "0", "2"),
        ])
    assert results[0] == results[1]
    assert results[0][0] == (0, "PONG\n")
    assert "replies: 51" in results[0][3][1]


def start_failure(command: list[str]) -> tuple[int, list[str]]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if "drayman" in command[0]:
        assert "Failed to configure TLS. Check logs for more info." in done.stderr
    # Redis's log lines end in the message; keep the messages of warning lines (" # ").
    lines = [line.split(" # ", 1)[1] for line in (done.stdout + done.stderr).splitlines()
             if " # " in line]
    return done.returncode, lines


@pytest.mark.parametrize("extra, message", [
    (["--tls-cert-file", "/nonexistent/cert.pem"],
     "Failed to load certificate: /nonexistent/cert.pem: error:80000002:system library::No such "
     "file or directory"),
    (["--tls-ca-cert-file", ""],
     "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, "
     "tls-replication or tls-auth-clients are enabled!"),
    (["--tls-protocols", "TLSv1.4"],
     "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and "
     "'TLSv1.3'."),
])
def test_bad_tls_settings_refuse_to_start(certs, tmp_path, extra, message):
    options = tls_options(certs, free_port(), *extra)
    redis_rc, redis_lines = start_failure(
        ["redis-server", "--port", "0", "--save", "", "--dir", str(tmp_path), *options])
    drayman_rc, drayman_lines = start_failure(
        [drayman_binary(), "--port", "0", "--appendonly", "no", "--dir", str(tmp_path), *options])
    assert redis_rc == drayman_rc == 1
    assert message in redis_lines and message in drayman_lines
    assert "Failed to configure TLS. Check logs for more info." in redis_lines
    # Same order as Redis: the cause, then the summary line.
    assert drayman_lines[-2:] == [message, "Failed to configure TLS. Check logs for more info."]


def test_tls_port_only_with_port_zero(certs):
    tls_port = free_port()
    server = DraymanProcess(*tls_options(certs, tls_port))  # servers.py passes --port 0 first
    try:
        assert server.port == tls_port  # the ready line names only the TLS listener
        client = tls_client(certs, tls_port)
        assert client.config_get("port") == {"port": "0"}
        assert client.info("server")["tcp_port"] == tls_port
        assert client.ping()
        client.close()
    finally:
        server.stop()


def tls_query(certs: Path) -> str:
    return (f"?ssl_cert_reqs=required&ssl_ca_certs={certs / 'ca.crt'}"
            f"&ssl_certfile={certs / 'client.crt'}&ssl_keyfile={certs / 'client.key'}")


@pytest.mark.timeout(180)
def test_celery_worker_over_rediss(certs, tmp_path):
    harness = importlib.util.spec_from_file_location("harness_conftest", HARNESS / "conftest.py")
    helpers = importlib.util.module_from_spec(harness)
    harness.loader.exec_module(helpers)  # the harness's ManagedProcess and wait_until
    ManagedProcess, wait_until = helpers.ManagedProcess, helpers.wait_until

    tls_port = free_port()
    server = DraymanProcess(*tls_options(certs, tls_port))
    env = dict(os.environ, DRAYMAN_URL=f"rediss://127.0.0.1:{tls_port}",
               DRAYMAN_URL_QUERY=tls_query(certs),
               PYTHONPATH=str(HARNESS) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    script = (
        "import celery_app\n"
        "from celery import chord, group\n"
        "app = celery_app\n"
        "assert app.add.delay(2, 3).get(timeout=60) == 5\n"
        "assert group(app.add.s(i, 1) for i in range(20))().get(timeout=60) == "
        "list(range(1, 21))\n"
        "assert chord(app.add.s(i, i) for i in range(10))(app.tsum.s()).get(timeout=60) == 90\n"
        "print('celery over tls ok')\n")
    worker = ManagedProcess(
        [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P", "threads", "-c", "2",
         "-n", "tls@harness", "--without-gossip", "--without-mingle", "--loglevel=INFO"],
        env=env, cwd=str(HARNESS), log_path=str(tmp_path / "worker.log"))
    try:
        wait_until(lambda: "ready." in worker.output() or not worker.alive(), timeout=60,
                   message="celery worker ready")
        assert worker.alive(), worker.output()
        done = subprocess.run([sys.executable, "-c", script], env=env, cwd=str(HARNESS),
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr + worker.output()
        assert "celery over tls ok" in done.stdout
        client = tls_client(certs, tls_port)
        assert client.llen("celery") == 0
        client.close()
    finally:
        worker.stop()
        server.stop()


def test_channels_redis_over_rediss(certs):
    from channels_redis.core import RedisChannelLayer
    from channels_redis.pubsub import RedisPubSubChannelLayer

    tls_port = free_port()
    server = DraymanProcess(*tls_options(certs, tls_port))
    host = {"address": f"rediss://127.0.0.1:{tls_port}/3", "ssl_ca_certs": str(certs / "ca.crt"),
            "ssl_certfile": str(certs / "client.crt"), "ssl_keyfile": str(certs / "client.key")}

    async def scenario():
        core = RedisChannelLayer(hosts=[host])
        first, second = await core.new_channel(), await core.new_channel()
        await core.group_add("room", first)
        await core.group_add("room", second)
        await core.group_send("room", {"type": "chat.message", "text": "all"})
        received = [(await core.receive(first))["text"], (await core.receive(second))["text"]]
        await core.flush()
        await core.close_pools()
        pubsub = RedisPubSubChannelLayer(hosts=[host])
        channel = await pubsub.new_channel()
        await pubsub.group_add("lobby", channel)
        await pubsub.group_send("lobby", {"type": "chat.message", "text": "pubsub"})
        received.append((await asyncio.wait_for(pubsub.receive(channel), 10))["text"])
        await pubsub.flush()
        return received

    try:
        assert asyncio.run(scenario()) == ["all", "all", "pubsub"]
    finally:
        server.stop()


def test_config_set_tls_port_moves_the_listener(pair, certs):
    results = []
    for server in pair:
        admin = redis.Redis(port=server.port)  # over the plain port
        new_port = free_port()
        steps = [admin.config_set("tls-port", new_port)]
        steps.append(outcome(lambda: tls_client(certs, new_port).ping()))
        steps.append(outcome(lambda: tls_client(certs, server.tls_port).ping()))
        steps.append(admin.config_set("tls-port", 0))
        steps.append(outcome(lambda: tls_client(certs, new_port).ping()))
        steps.append(admin.config_get("tls-port"))
        admin.close()
        results.append(steps)
    assert results[0] == results[1]
    assert results[0][1] is True and results[0][2] == ("ConnectionError",)
