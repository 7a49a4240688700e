"""Function libraries in RDB files and the append-only log, against redis-server 7.0.15.

- A dump.rdb with libraries (RDB_OPCODE_FUNCTION2 before the keys) written by redis-server loads
  into Drayman, and Drayman's SAVE/BGSAVE files load into redis-server and pass redis-check-rdb.
- The AOF Drayman writes for FUNCTION LOAD/DELETE/FLUSH/RESTORE and FCALL's effects is the bytes
  redis-server writes for the same commands; libraries survive a restart from the log and from a
  rewritten log (RDB preamble or FUNCTION LOAD commands, as Redis's rewriteFunctions writes).
"""

from __future__ import annotations

import glob
import os
import subprocess
import time

import pytest
import redis

from rawresp import RawConnection, parse
from servers import DraymanProcess, RedisProcess
from test_functions_oracle import ERR_FN, FLAGS_FN, GET_FN, SET_FN, canonical, lib

LONG_FN = lib("long", "-- " + "padding " * 40 + "\nredis.register_function('lf', function(keys) "
                      "return redis.call('incr', keys[1]) end)")
LIBRARIES = [SET_FN, GET_FN, FLAGS_FN, ERR_FN, LONG_FN]
LISTING = ["FUNCTION", "LIST", "WITHCODE"]


def load_all(port: int) -> None:
    with RawConnection(port) as connection:
        for code in LIBRARIES:
            assert connection.command("FUNCTION", "LOAD", code).startswith(b"$")
        assert connection.command("FCALL", "myset", "1", "k", "v") == b"+OK\r\n"
        assert connection.command("FCALL", "lf", "1", "counter") == b":1\r\n"


def wait_loaded(connection: RawConnection) -> None:
    """Both servers answer -LOADING until a restart has read its files (slow on a busy machine)."""
    deadline = time.monotonic() + 60
    while connection.command("PING").startswith(b"-LOADING"):
        assert time.monotonic() < deadline, "still loading after 60 s"
        time.sleep(0.05)


def state(port: int):
    with RawConnection(port) as connection:
        wait_loaded(connection)
        return (canonical(LISTING, connection.command(*LISTING)),
                connection.command("GET", "k"), connection.command("GET", "counter"),
                connection.command("FCALL_RO", "myget", "1", "k"))


def check_rdb(path: str) -> None:
    done = subprocess.run(["redis-check-rdb", path], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "RDB looks OK" in done.stdout, done.stdout + done.stderr


def test_redis_rdb_with_functions_loads_into_drayman(tmp_path):
    with RedisProcess("--dir", str(tmp_path)) as source:
        load_all(source.port)
        expected = state(source.port)
        assert redis.Redis(port=source.port).save()
    with DraymanProcess("--dir", str(tmp_path)) as target:
        assert state(target.port) == expected


@pytest.mark.parametrize("command", ["SAVE", "BGSAVE"])
@pytest.mark.parametrize("compression", ["yes", "no"])
def test_drayman_rdb_with_functions_loads_into_redis(tmp_path, command, compression):
    with DraymanProcess("--dir", str(tmp_path), "--rdbcompression", compression) as source:
        load_all(source.port)
        expected = state(source.port)
        r = redis.Redis(port=source.port)
        if command == "SAVE":
            assert r.save()
        else:
            r.bgsave()
            while r.info("persistence")["rdb_saves"] == 0 or \
                    r.info("persistence")["rdb_bgsave_in_progress"]:
                pass
    path = str(tmp_path / "dump.rdb")
    check_rdb(path)
    with RedisProcess("--dir", str(tmp_path)) as target:
        assert state(target.port) == expected
    with DraymanProcess("--dir", str(tmp_path)) as again:
        assert state(again.port) == expected


def test_rdb_bytes_of_one_library_equal_redis(tmp_path):
    """With one library and one key, the whole file is Redis's but for the AUX values."""
    files = {}
    for name, process in (("redis", RedisProcess), ("drayman", DraymanProcess)):
        directory = tmp_path / name
        directory.mkdir()
        with process("--dir", str(directory)) as server:
            with RawConnection(server.port) as connection:
                connection.command("FUNCTION", "LOAD", LONG_FN)
                connection.command("SET", "k", "v")
                connection.command("SAVE")
        files[name] = (directory / "dump.rdb").read_bytes()
    sections = []
    for data in files.values():
        start = data.index(b"\xf5")  # the first FUNCTION2 opcode, after the AUX fields
        end = data.index(b"\xfe\x00")  # SELECTDB 0
        sections.append(data[start:end])
    assert sections[0] == sections[1]


def test_debug_reload_keeps_functions(tmp_path):
    with DraymanProcess("--dir", str(tmp_path), "--enable-debug-command", "yes") as server:
        load_all(server.port)
        expected = state(server.port)
        with RawConnection(server.port) as connection:
            assert connection.command("DEBUG", "RELOAD") == b"+OK\r\n"
            assert connection.command("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH").startswith(b"-ERR")
            assert connection.command("DEBUG", "RELOAD", "MERGE", "NOSAVE") == b"+OK\r\n"
        assert state(server.port) == expected


def aof_commands(port: int) -> None:
    with RawConnection(port) as connection:
        for args in (
            ["FUNCTION", "LOAD", SET_FN],
            ["FUNCTION", "LOAD", LONG_FN],
            ["FCALL", "myset", "1", "k", "v"],
            ["FCALL", "lf", "1", "counter"],
            ["FUNCTION", "LOAD", "REPLACE", SET_FN],
            ["FUNCTION", "LOAD", SET_FN],  # refused: not logged
            ["FUNCTION", "DELETE", "mylib"],
            ["FUNCTION", "DELETE", "mylib"],  # refused
            ["FUNCTION", "FLUSH", "SYNC"],
            ["FUNCTION", "RESTORE", parse_dump(port)],
            ["FCALL_RO", "myget", "1", "k"],
        ):
            connection.command(*args)


def parse_dump(port: int) -> bytes:
    with RedisProcess() as helper, RawConnection(helper.port) as connection:
        connection.command("FUNCTION", "LOAD", GET_FN)
        return parse(connection.command("FUNCTION", "DUMP"))[1]


def incr_bytes(directory) -> bytes:
    paths = glob.glob(os.path.join(directory, "appendonlydir", "*.incr.aof"))
    assert len(paths) == 1, paths
    with open(paths[0], "rb") as f:
        return f.read()


def test_aof_of_function_commands_equals_redis(tmp_path):
    logs = {}
    for name, process in (("redis", RedisProcess), ("drayman", DraymanProcess)):
        directory = tmp_path / name
        directory.mkdir()
        with process("--dir", str(directory), "--appendonly", "yes",
                     "--appendfsync", "always") as server:
            aof_commands(server.port)
        logs[name] = incr_bytes(str(directory))
    assert logs["drayman"] == logs["redis"]
    # And the log replays: the libraries and keys come back.
    with DraymanProcess("--dir", str(tmp_path / "drayman"), "--appendonly", "yes") as again:
        with RawConnection(again.port) as connection:
            wait_loaded(connection)
            assert connection.command("FCALL_RO", "myget", "1", "k") == b"$1\r\nv\r\n"
            assert connection.command("FCALL", "myset", "1", "k", "v").startswith(b"-ERR Function")


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_rewritten_aof_keeps_functions(tmp_path, preamble):
    with DraymanProcess("--dir", str(tmp_path), "--appendonly", "yes",
                        "--aof-use-rdb-preamble", preamble) as server:
        load_all(server.port)
        expected = state(server.port)
        r = redis.Redis(port=server.port)
        r.bgrewriteaof()
        while r.info("persistence")["aof_rewrite_in_progress"] or \
                r.info("persistence")["aof_rewrite_scheduled"]:
            pass
    base = glob.glob(str(tmp_path / "appendonlydir" / "*.base.*"))
    assert len(base) == 1
    data = open(base[0], "rb").read()
    if preamble == "no":
        assert data.startswith(b"*3\r\n$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n")
    # Both servers read the rewritten log the same way.
    for process in (DraymanProcess, RedisProcess):
        with process("--dir", str(tmp_path), "--appendonly", "yes",
                     "--aof-use-rdb-preamble", preamble) as again:
            assert state(again.port) == expected
