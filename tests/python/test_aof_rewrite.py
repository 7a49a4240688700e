"""BGREWRITEAOF without fork() with the real binary: nothing acknowledged is lost while the log is
rewritten under writers, the rewritten directory (RDB or AOF base) passes redis-check-aof and loads
into redis-server 7.0.15 with identical contents, redis-server's RDB-preamble directory loads into
Drayman, replies and INFO match redis-server, and an AOF write error answers MISCONF as Redis 7.0
does until the disk works again (a full tmpfs mounted by the test)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import redis

from rawresp import RawConnection, encode
from servers import DraymanProcess, RedisProcess
from test_aof import wait_loaded
from test_rdb_interop import fill as fill_every_encoding
from test_rdb_interop import snapshot

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None,
                                reason="needs Debian's redis-server")


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix="drayman-aofrw-")
    yield Path(path)
    shutil.rmtree(path, ignore_errors=True)


def wait_rewritten(conn: redis.Redis, rewrites: int, timeout: float = 30) -> dict:
    """Waits until `rewrites` rewrites ran and none is running or scheduled."""
    deadline = time.monotonic() + timeout
    while True:
        info = conn.info("persistence")
        if (info["aof_rewrites"] >= rewrites and not info["aof_rewrite_in_progress"]
                and not info["aof_rewrite_scheduled"]):
            return info
        assert time.monotonic() < deadline, info
        time.sleep(0.01)


def manifest_lines(workdir: Path) -> list[str]:
    return (workdir / "appendonlydir" / "appendonly.aof.manifest").read_text().splitlines()


def check_aof(workdir: Path) -> None:
    manifest = workdir / "appendonlydir" / "appendonly.aof.manifest"
    done = subprocess.run(["redis-check-aof", str(manifest)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All AOF files and manifest are valid" in done.stdout, done.stdout


# --- Nothing acknowledged is lost ---

KEYS = 4000


# Under always the fsync threads write (and switch files); under everysec the loop writes except
# while a switch's manifest is due.
@pytest.mark.parametrize("fsync", ["everysec", "always"])
@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_rewrite_under_concurrent_writes_loses_nothing(workdir, preamble, fsync):
    with DraymanProcess("--appendonly", "yes", "--aof-use-rdb-preamble", preamble,
                        "--appendfsync", fsync, "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        pipe = conn.pipeline(transaction=False)
        for i in range(KEYS):
            pipe.set(f"k{i}", f"v{i}")
            if i % 10 == 0:
                pipe.hset(f"h{i}", mapping={"a": i, "b": "x" * (i % 50)})
        pipe.execute()
        acknowledged: dict[int, list[bytes]] = {}
        counters: dict[int, int] = {}
        stop = threading.Event()

        def writer(n: int) -> None:
            client = redis.Redis(port=server.port)
            pushed, count = [], 0
            while not stop.is_set():
                value = f"w{n}-{len(pushed)}".encode()
                client.rpush(f"queue-{n}", value)
                pushed.append(value)
                client.incr(f"counter-{n}")
                count += 1
                client.set(f"k{(n * 7919 + count) % KEYS}", value)  # overwrite unsaved keys
            acknowledged[n] = pushed
            counters[n] = count

        threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for round_number in range(1, 4):
            time.sleep(0.1)
            assert conn.bgrewriteaof() in (True, b"Background append only file rewriting started")
            wait_rewritten(conn, round_number)
        stop.set()
        for thread in threads:
            thread.join()
        info = conn.info("persistence")
        assert info["aof_last_bgrewrite_status"] == "ok"
        expected = snapshot(conn)
        for n, pushed in acknowledged.items():
            assert conn.lrange(f"queue-{n}", 0, -1) == pushed
            assert int(conn.get(f"counter-{n}")) == counters[n]
    suffix = "rdb" if preamble == "yes" else "aof"
    lines = manifest_lines(workdir)
    assert lines[0] == f"file appendonly.aof.4.base.{suffix} seq 4 type b"
    assert lines[1:] == ["file appendonly.aof.4.incr.aof seq 4 type i"]
    # History files are gone; only the base, the incr file and the manifest remain.
    assert sorted(os.listdir(workdir / "appendonlydir")) == [
        f"appendonly.aof.4.base.{suffix}", "appendonly.aof.4.incr.aof", "appendonly.aof.manifest"]
    check_aof(workdir)
    with DraymanProcess("--appendonly", "yes", "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        assert snapshot(conn) == expected
        for n, pushed in acknowledged.items():
            assert conn.lrange(f"queue-{n}", 0, -1) == pushed


# --- Interchange with redis-server 7.0.15 ---


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_rewritten_directory_passes_redis_check_aof_and_loads_into_redis(workdir, preamble):
    with DraymanProcess("--appendonly", "yes", "--aof-use-rdb-preamble", preamble,
                        "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        fill_every_encoding(conn)
        db5 = redis.Redis(port=server.port, db=5)
        db5.set("written in db 5", "before")  # the last command before the rewrite: SELECT 5
        assert conn.bgrewriteaof()
        wait_rewritten(conn, 1)
        db5.rpush("list in db 5", "after")  # the new incr file must SELECT 5 again
        conn.rpush("list-small", "after the rewrite")  # lands in the new incr file
        conn.delete("set-strings")
        expected = snapshot(conn)
    check_aof(workdir)
    with RedisProcess("--appendonly", "yes", "--dir", str(workdir)) as oracle:
        conn = redis.Redis(port=oracle.port)
        wait_loaded(conn)
        assert snapshot(conn) == expected


def test_redis_rdb_preamble_directory_loads_into_drayman(workdir):
    with RedisProcess("--appendonly", "yes", "--aof-use-rdb-preamble", "yes",
                      "--dir", str(workdir)) as oracle:
        conn = redis.Redis(port=oracle.port)
        wait_loaded(conn)
        fill_every_encoding(conn)
        assert conn.bgrewriteaof()
        wait_rewritten(conn, 1)
        conn.rpush("list-small", "after the rewrite")
        conn.hset("hash-small", "new", "field")
        expected = snapshot(conn)
    assert manifest_lines(workdir)[0].startswith("file appendonly.aof.2.base.rdb ")
    with DraymanProcess("--appendonly", "yes", "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        assert snapshot(conn) == expected


def test_config_set_appendonly_yes_rewrites_the_live_dataset(workdir):
    with DraymanProcess("--appendonly", "no", "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        fill_every_encoding(conn)
        assert conn.config_set("appendonly", "yes")
        assert conn.info("persistence")["aof_enabled"] == 1
        conn.rpush("list-small", "written while the first rewrite runs")
        wait_rewritten(conn, 1)
        conn.set("after", "the base")
        expected = snapshot(conn)
    lines = manifest_lines(workdir)
    assert lines == ["file appendonly.aof.1.base.rdb seq 1 type b",
                     "file appendonly.aof.1.incr.aof seq 1 type i"]
    check_aof(workdir)
    with DraymanProcess("--appendonly", "yes", "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        assert snapshot(conn) == expected


# --- Replies and INFO as redis-server gives them ---


def rewrite_replies(port: int) -> list:
    """BGREWRITEAOF behind a BGSAVE, twice, and BGSAVE behind a rewrite: reply bytes and INFO.
    Each group is sent in one write, so the first command's job is surely still running."""
    conn = redis.Redis(port=port, decode_responses=True)
    out = []
    with RawConnection(port) as raw:
        raw.send(encode("BGSAVE") + encode("BGREWRITEAOF") + encode("BGREWRITEAOF"))
        out += [raw.read_reply() for _ in range(3)]
        out.append(conn.info("persistence")["aof_rewrite_scheduled"])
        wait_rewritten(conn, 1)
        while conn.info("persistence")["rdb_bgsave_in_progress"]:
            time.sleep(0.01)
        raw.send(encode("BGREWRITEAOF") + encode("BGREWRITEAOF") + encode("BGSAVE")
                 + encode("BGSAVE", "SCHEDULE"))
        out += [raw.read_reply() for _ in range(4)]
    info = wait_rewritten(conn, 2)
    out += [info["aof_rewrites"], info["aof_last_bgrewrite_status"],
            info["aof_rewrites_consecutive_failures"], info["aof_current_rewrite_time_sec"],
            info["aof_enabled"]]
    return out


def test_bgrewriteaof_replies_and_info_match_redis():
    # redis-server's child is slowed by rdb-key-save-delay (µs per key) so that it still runs
    # when the next command comes; Drayman's jobs outlast one loop pass.
    results = []
    for server_class, extra in ((RedisProcess, ["--rdb-key-save-delay", "100"]),
                                (DraymanProcess, [])):
        with server_class("--appendonly", "yes", *extra) as server:
            conn = redis.Redis(port=server.port)
            wait_loaded(conn)
            pipe = conn.pipeline(transaction=False)
            for i in range(5000):
                pipe.set(f"key:{i}", "x" * 100)
            pipe.execute()
            results.append(rewrite_replies(server.port))
    assert results[1] == results[0]
    assert results[0][:4] == [b"+Background saving started\r\n",
                              b"+Background append only file rewriting scheduled\r\n",
                              b"+Background append only file rewriting scheduled\r\n", 1]


def test_automatic_rewrite_on_growth(workdir):
    with DraymanProcess("--appendonly", "yes", "--auto-aof-rewrite-percentage", "100",
                        "--auto-aof-rewrite-min-size", "65536", "--dir", str(workdir)) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        for i in range(200):
            conn.set(f"key:{i % 20}", "v" * 1000)  # 200 KB of log, 20 KB of data
        info = wait_rewritten(conn, 1)
        assert info["aof_current_size"] < 100_000
        assert info["aof_base_size"] > 0


def test_rewrite_lines_reach_the_logfile_in_redis_format(workdir):
    """The log's and the rewrite's lines go through the logger (once printed to stdout, so a
    `logfile` never saw them), with Redis's prefix, level mark and text."""
    logfile = workdir / "drayman.log"
    with DraymanProcess("--appendonly", "yes", "--dir", str(workdir),
                        "--logfile", str(logfile)) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        conn.rpush("queue", *[b"m" * 100] * 3000)  # a long list: encoded over several steps
        conn.bgrewriteaof()
        wait_rewritten(conn, 1)
        assert conn.llen("queue") == 3000
    text = logfile.read_text()
    stamp = r"\d+:M \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3}"
    for message in ["Creating AOF base file appendonly.aof.1.base.rdb on server start",
                    "Creating AOF incr file appendonly.aof.1.incr.aof on server start",
                    "Creating AOF incr file appendonly.aof.2.incr.aof on background rewrite",
                    "Background append only file rewriting started",
                    "Background AOF rewrite terminated with success",
                    "Removing the history file appendonly.aof.1.incr.aof in the background",
                    "Background AOF rewrite finished successfully"]:
        assert re.search(f"^{stamp} \\* {re.escape(message)}$", text, re.M), (message, text)


# --- MISCONF on a failing disk ---


@pytest.fixture
def full_tmpfs():
    """A 4 MB tmpfs mounted for the test; the test fills it and frees it again."""
    path = Path(tempfile.mkdtemp(prefix="drayman-tmpfs-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(path)],
                             capture_output=True, text=True)
    assert mounted.returncode == 0, (
        "this test mounts a small tmpfs to make the disk full (needs root or CAP_SYS_ADMIN): "
        + mounted.stderr)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)
        shutil.rmtree(path, ignore_errors=True)


def fill_disk(path: Path) -> Path:
    filler = path / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def misconf_run(server_class, tmpfs: Path, name: str) -> list:
    directory = tmpfs / name
    directory.mkdir()
    out = []
    with server_class("--appendonly", "yes", "--appendfsync", "everysec",
                      "--dir", str(directory)) as server:
        conn = redis.Redis(port=server.port, decode_responses=True)
        wait_loaded(conn)
        conn.set("before", "1")
        filler = fill_disk(tmpfs)
        deadline = time.monotonic() + 10
        error = None
        while error is None:  # the first write after the disk filled fails to reach the file
            assert time.monotonic() < deadline
            try:
                conn.rpush("queue", "x" * 10_000)
            except redis.exceptions.ResponseError as refused:
                error = str(refused)
            time.sleep(0.01)
        out.append(error)
        info = conn.info("persistence")
        out.append(info["aof_last_write_status"])
        try:
            conn.ping()
        except redis.exceptions.ResponseError as refused:
            out.append(f"PING: {refused}")
        out.append(conn.get("before"))  # reads still work
        filler.unlink()
        deadline = time.monotonic() + 10
        while conn.info("persistence")["aof_last_write_status"] != "ok":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        out.append(conn.set("after", "2"))
        length = conn.llen("queue")
    return out, length


def test_aof_write_error_refuses_writes_with_misconf_until_the_disk_recovers(full_tmpfs):
    results = []
    for server_class, name in ((RedisProcess, "redis"), (DraymanProcess, "drayman")):
        results.append(misconf_run(server_class, full_tmpfs, name))
    (redis_out, _), (drayman_out, drayman_length) = results
    assert drayman_out == redis_out
    assert drayman_out[0].endswith("Errors writing to the AOF file: No space left on device")
    assert drayman_out[1] == "err"
    # Everything acknowledged before, during and after the outage is in Drayman's log.
    with DraymanProcess("--appendonly", "yes", "--dir", str(full_tmpfs / "drayman")) as server:
        conn = redis.Redis(port=server.port)
        wait_loaded(conn)
        assert conn.get("before") == b"1"
        assert conn.get("after") == b"2"
        assert conn.llen("queue") == drayman_length
