"""The append-only log with the real binary: crash safety, torn and damaged logs, and
interchange with redis-server 7.0.15 (its loader, its log, redis-check-aof)."""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis

from aof_crash import CrashHarness
from datasets import dataset
from servers import DraymanProcess, RedisProcess, drayman_binary, free_port

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="needs Debian's redis-server")


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix="drayman-aof-")
    yield Path(path)
    shutil.rmtree(path, ignore_errors=True)


def wait_loaded(conn: redis.Redis) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            conn.ping()
            return
        except redis.exceptions.BusyLoadingError:
            assert time.monotonic() < deadline
            time.sleep(0.01)


def run_drayman_until_exit(*args: str, timeout: float = 20) -> subprocess.CompletedProcess:
    """Starts drayman-server expecting it to refuse to start; returns its output."""
    command = [drayman_binary(), "--bind", "127.0.0.1", "--port", "0", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


# --- Crash safety ---


def test_acknowledged_writes_survive_sigkill_with_appendfsync_always():
    harness = CrashHarness("always", clients=4, seed=random.randrange(1 << 30))
    try:
        for _ in range(10):
            harness.cycle(duration_s=harness.rng.uniform(0.05, 0.4), allow_loss=False)
        assert sum(len(m.acked) for m in harness.models) > 100  # the cycles did write
        assert harness.lost_per_crash == [0] * 10
    finally:
        harness.close()


def test_a_crash_of_the_process_loses_nothing_acknowledged_under_everysec():
    # everysec acknowledges once the bytes are written (in the kernel), as Redis does: only a
    # machine crash may lose the last second, never a SIGKILL.
    harness = CrashHarness("everysec", clients=4, seed=random.randrange(1 << 30))
    try:
        for _ in range(5):
            harness.cycle(duration_s=harness.rng.uniform(0.05, 0.3), allow_loss=False)
        assert harness.lost_per_crash == [0] * 5
    finally:
        harness.close()


# --- Loading rules ---


def log_bytes(*commands: list[str]) -> bytes:
    out = b""
    for args in commands:
        out += f"*{len(args)}\r\n".encode()
        for arg in args:
            data = arg.encode()
            out += f"${len(data)}\r\n".encode() + data + b"\r\n"
    return out


def write_log(workdir: Path, incr: bytes) -> Path:
    aof_dir = workdir / "appendonlydir"
    aof_dir.mkdir()
    (aof_dir / "appendonly.aof.1.base.aof").write_bytes(b"")
    (aof_dir / "appendonly.aof.1.incr.aof").write_bytes(incr)
    (aof_dir / "appendonly.aof.manifest").write_text(
        "file appendonly.aof.1.base.aof seq 1 type b\n"
        "file appendonly.aof.1.incr.aof seq 1 type i\n")
    return aof_dir / "appendonly.aof.1.incr.aof"


def test_torn_last_record_is_dropped_and_the_file_cut(workdir):
    whole = log_bytes(["SELECT", "0"], ["RPUSH", "q", "a", "b"])
    torn = log_bytes(["RPUSH", "q", "c"])[:-3]
    incr = write_log(workdir, whole + torn)
    with DraymanProcess("--appendonly", "yes", "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        assert conn.lrange("q", 0, -1) == [b"a", b"b"]
        conn.rpush("q", "d")
        assert conn.info("persistence")["aof_enabled"] == 1
    # The torn bytes were cut before new records were appended, so the log reads back whole.
    assert incr.read_bytes().startswith(whole + b"*2\r\n$6\r\nSELECT\r\n")
    with DraymanProcess("--appendonly", "yes", "--dir", str(workdir),
                        "--aof-load-truncated", "no") as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        assert conn.lrange("q", 0, -1) == [b"a", b"b", b"d"]


def test_torn_last_record_refuses_to_start_without_aof_load_truncated(workdir):
    write_log(workdir, log_bytes(["SET", "k", "v"]) + b"*3\r\n$3\r\nSET")
    result = run_drayman_until_exit("--appendonly", "yes", "--dir", str(workdir),
                                    "--aof-load-truncated", "no")
    assert result.returncode == 1
    assert ("Unexpected end of file reading the append only file appendonly.aof.1.incr.aof"
            in result.stderr)


def test_damage_in_the_middle_refuses_to_start_naming_file_and_offset(workdir):
    first = log_bytes(["SET", "k", "v"])
    second = bytearray(log_bytes(["SET", "k2", "v2"]))
    second[0] = ord("+")  # the '*' of the second record
    write_log(workdir, first + bytes(second) + log_bytes(["SET", "k3", "v3"]))
    result = run_drayman_until_exit("--appendonly", "yes", "--dir", str(workdir))
    assert result.returncode == 1
    assert (f"Bad file format reading the append only file appendonly.aof.1.incr.aof at "
            f"offset {len(first)} " in result.stderr)


def test_clients_get_loading_while_a_big_log_loads(workdir):
    item = log_bytes(["RPUSH", "q", "x" * 40])
    write_log(workdir, log_bytes(["SELECT", "0"]) + item * 400_000)
    with DraymanProcess("--appendonly", "yes", "--dir", str(workdir)) as server:
        # The ready line comes before the log is replayed; the loop answers meanwhile.
        with socket.create_connection(("127.0.0.1", server.port)) as raw:
            raw.sendall(b"LLEN q\r\n")
            assert raw.recv(100) == b"-LOADING Redis is loading the dataset in memory\r\n"
            raw.sendall(b"INFO persistence\r\n")
            assert b"loading:1\r\n" in raw.recv(4000)
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        assert conn.llen("q") == 400_000
        assert conn.info("persistence")["loading"] == 0


def test_info_persistence_has_redis_fields_and_real_sizes(workdir):
    with DraymanProcess("--appendonly", "yes", "--appendfsync", "always",
                        "--aof-use-rdb-preamble", "no", "--dir", str(workdir)) as server, \
            RedisProcess("--appendonly", "yes", "--aof-use-rdb-preamble", "no") as oracle:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        for client in (conn, redis.Redis(port=oracle.port)):
            client.rpush("q", "a", "b", "c")
        ours = conn.info("persistence")
        theirs = redis.Redis(port=oracle.port).info("persistence")
        assert list(ours) == list(theirs)
        incr = workdir / "appendonlydir" / "appendonly.aof.1.incr.aof"
        assert ours["aof_current_size"] == incr.stat().st_size == theirs["aof_current_size"]
        assert ours["aof_base_size"] == 0


def test_config_get_set_of_the_log_parameters(workdir):
    with DraymanProcess("--appendonly", "yes", "--dir", str(workdir)) as server, \
            RedisProcess("--appendonly", "yes") as oracle:
        ours, theirs = redis.Redis(port=server.port), redis.Redis(port=oracle.port)
        wait_loaded(ours)
        names = ["appendonly", "appendfilename", "appenddirname", "appendfsync",
                 "no-appendfsync-on-rewrite", "auto-aof-rewrite-percentage",
                 "auto-aof-rewrite-min-size", "aof-load-truncated", "aof-use-rdb-preamble",
                 "aof-timestamp-enabled"]
        for name in names:
            assert ours.config_get(name) == theirs.config_get(name), name
        for name, value in [("appendfsync", "always"), ("appendfsync", "bogus"),
                            ("appendfilename", "x.aof"), ("auto-aof-rewrite-percentage", "-1")]:
            outcomes = []
            for client in (ours, theirs):
                try:
                    outcomes.append(client.config_set(name, value))
                except redis.exceptions.ResponseError as error:
                    outcomes.append(str(error))
            assert outcomes[0] == outcomes[1], (name, value)


def test_config_set_appendonly_starts_and_stops_logging(workdir):
    with DraymanProcess("--appendonly", "no", "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        assert conn.info("persistence")["aof_enabled"] == 0
        assert conn.config_set("appendonly", "yes")
        assert conn.info("persistence")["aof_enabled"] == 1
        conn.rpush("q", "a")
        assert conn.config_set("appendonly", "no")
        conn.rpush("q", "b")  # not logged: turning the log on again rewrites the dataset
        assert conn.config_set("appendonly", "yes")
        deadline = time.monotonic() + 10
        while conn.info("persistence")["aof_rewrite_in_progress"]:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    with DraymanProcess("--appendonly", "yes", "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        assert conn.lrange("q", 0, -1) == [b"a", b"b"]


# --- Interchange with redis-server 7.0.15 ---


def fill(conn: redis.Redis) -> None:
    conn.rpush("list", *[f"v{i}" for i in range(200)])
    conn.lpop("list")
    conn.hset("hash", mapping={f"f{i}": i for i in range(50)})
    conn.sadd("set", *range(20), "x")
    conn.zadd("zset", {f"m{i}": i / 3 for i in range(40)})
    conn.set("str", "hello", ex=5000)
    conn.set("bin", b"\x00\r\n\xff")
    conn.incrby("counter", 41)
    conn.incr("counter")
    conn.pexpire("hash", 9_000_000)
    db3 = redis.Redis(port=conn.connection_pool.connection_kwargs["port"], db=3)
    db3.set("db3", "x")
    db3.rpush("list", "in db 3")
    pipe = conn.pipeline(transaction=True)
    pipe.rpush("tx", "a").hset("tx-h", "k", "v").delete("counter")
    pipe.execute()
    conn.set("counter", 7)


def dump(port: int) -> dict:
    return dataset(redis.Redis(port=port))


def test_a_drayman_log_loads_into_redis_server_and_passes_redis_check_aof(workdir):
    with DraymanProcess("--appendonly", "yes", "--appendfsync", "always",
                        "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        fill(conn)
        expected = dump(server.port)
    manifest = workdir / "appendonlydir" / "appendonly.aof.manifest"
    check = subprocess.run(["redis-check-aof", str(manifest)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "is valid" in check.stdout
    with RedisProcess("--appendonly", "yes", "--dir", str(workdir)) as oracle:
        conn = redis.Redis(port=oracle.port)
        wait_loaded(conn)
        assert dump(oracle.port) == expected


def test_a_redis_server_log_loads_into_drayman(workdir):
    with RedisProcess("--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--dir",
                      str(workdir), "--aof-timestamp-enabled", "yes") as oracle:
        conn = redis.Redis(port=oracle.port)
        wait_loaded(conn)
        fill(conn)
        expected = dump(oracle.port)
    # redis-server stopped with SIGTERM: it wrote and fsynced its log.
    with DraymanProcess("--appendonly", "yes", "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        assert dump(server.port) == expected
