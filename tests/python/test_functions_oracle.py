"""Redis 7.0 Functions against redis-server 7.0.15, whole replies byte for byte.

- GROUPS: command sequences (FUNCTION LOAD/DELETE/FLUSH/LIST/DUMP/RESTORE/STATS/HELP, FCALL,
  FCALL_RO) run on a fresh pair of servers, in RESP2 and in RESP3 (after HELLO 3). Libraries
  here have one function each or are listed one at a time: Redis lists libraries and functions
  in hash-table order, Drayman by name and registration order.
- A seeded randomized differential run of load/delete/fcall sequences.
- FUNCTION DUMP from either server restores in the other.
- A busy function is stopped by FUNCTION KILL (and SCRIPT KILL refuses it), as in Redis.
- FCALL of a write function over maxmemory answers Redis's OOM; no-writes/allow-oom ones run.
- A library whose load code loops: FUNCTION LOAD times out as in Redis; FUNCTION RESTORE, which
  hangs redis-server 7.0 for good, times out the same way in Drayman.
"""

from __future__ import annotations

import random
import threading
import time

import pytest

from rawresp import RawConnection, encode, parse
from servers import RedisProcess, target_server


def lib(name: str, body: str) -> str:
    return f"#!lua name={name}\n{body}"


SET_FN = lib("mylib", "redis.register_function('myset', function(keys, args) "
                      "return redis.call('set', keys[1], args[1]) end)")
GET_FN = lib("getlib", "redis.register_function{function_name='myget', callback=function(keys, "
                       "args) return redis.call('get', keys[1]) end, flags={'no-writes'}, "
                       "description='reads a key'}")
FLAGS_FN = lib("flaglib", "redis.register_function{function_name='allflags', callback=function() "
                          "return 1 end, flags={'no-writes', 'allow-oom', 'allow-stale', "
                          "'no-cluster', 'allow-cross-slot-keys'}}")
RESP3_FN = lib("r3", "redis.register_function('r3', function(keys, args) redis.setresp(3) "
                     "return redis.call('hgetall', keys[1]) end)")
TYPES_FN = lib("types", "redis.register_function('types', function(keys, args) return {1, 'two', "
                        "{3, 'four'}, redis.status_reply('OK'), true, false, 3.9, "
                        "{double=1.5}} end)")
ERR_FN = lib("errs", "redis.register_function('boom', function() return error('boom') end)\n"
                     "redis.register_function('badcall', function() return redis.call('nosuch') "
                     "end)\nredis.register_function('errtab', function() return "
                     "redis.error_reply('MY custom') end)\nredis.register_function('keysg', "
                     "function() return KEYS end)\nredis.register_function('reg', function() "
                     "redis.register_function('z', function() end) end)\n"
                     "redis.register_function('pc', function() return redis.pcall('incr', 'str') "
                     "end)")

BAD_LOADS = [
    lib("l", "local x = string.len('a')"),
    lib("l", "redis.call('ping')"),
    lib("l", "x = 1"),
    lib("l", "syntax error here"),
    lib("l", "return 1"),
    lib("l", "error('x')"),
    lib("l", "local t = nil; t.x = 1"),
    lib("l", "redis.register_function('g', function() end) "
             "redis.register_function('g', function() end)"),
    lib("l", "redis.register_function('g-1', function() end)"),
    lib("l", "redis.register_function{function_name='g', callback=function() end, flags={'bad'}}"),
    lib("l", "redis.register_function{function_name='g', callback=function() end, foo=1}"),
    lib("l", "redis.register_function('g')"),
    lib("l", "redis.register_function(1, 2, 3)"),
    lib("l", "redis.register_function()"),
    lib("l", "redis.register_function(1)"),
    lib("l", "redis.register_function({callback=function() end})"),
    lib("l", "redis.register_function({function_name='x'})"),
    lib("l", "redis.register_function({function_name={}, callback=function() end})"),
    lib("l", "redis.register_function({function_name='x', callback=3})"),
    lib("l", "redis.register_function({function_name='x', callback=function() end, "
             "flags='no-writes'})"),
    lib("l", "redis.register_function({function_name='x', callback=function() end, "
             "description={}})"),
    lib("l", "redis.register_function(1, function() end)"),
    lib("l", "redis.register_function({}, function() end)"),
    lib("l", "redis.register_function('x', 'y')"),
    lib("l", "redis.register_function{function_name='x', callback=function() end, flags={1}}"),
    lib("l", "redis.register_function{function_name='x', callback=function() end, "
             "flags={'NO-WRITES'}}"),
    lib("l", "redis.setresp(3)"),
    lib("l", "redis.redis = 1"),
    lib("l", "local v = redis.REDIS_VERSION .. redis.REDIS_VERSION_NUM "
             "redis.log(redis.LOG_DEBUG, 'x') return redis.sha1hex('x')"),
    "#!lua name=l foo=bar\nreturn 1",
    "#!lua\nreturn 1",
    "#!lua name=a name=b\nreturn 1",
    "#!py name=x\nreturn 1",
    "#!LUA name=l\nredis.register_function('up', function() return 1 end)",
    "return 1",
    "#!lua name=l",
    "#!lua name=a-b\nreturn 1",
    "#!lua name=\nreturn 1",
    "#!lua \"name=x\nreturn 1",
    "#!lua NAME=l2\nredis.register_function('n2', function() return 2 end)",
    "\x1bLua",
    "#!lua name=bc\n\x1bLua",
]

GROUPS: dict[str, list[list[str]]] = {
    "load_and_call": [
        ["FUNCTION", "LOAD", SET_FN], ["FCALL", "myset", "1", "k", "v"], ["GET", "k"],
        ["FCALL_RO", "myset", "1", "k", "v"], ["FUNCTION", "LOAD", GET_FN],
        ["FCALL_RO", "myget", "1", "k"], ["FCALL", "myget", "1", "k"], ["FCALL", "nope", "0"],
        ["FCALL", "myset", "x"], ["FCALL", "myset", "3", "a"], ["FCALL", "myset", "-1"],
        ["FCALL", "MYSET", "1", "k", "v"], ["FCALL"], ["FCALL", "myset"],
        ["FCALL_RO", "nope", "0"], ["FCALL", "myset", "1.5", "k"],
        ["FUNCTION", "LOAD", SET_FN], ["FUNCTION", "LOAD", "REPLACE", SET_FN],
        ["FUNCTION", "LOAD", "replace", "replace", SET_FN], ["FUNCTION", "LOAD", "x", SET_FN],
        ["FUNCTION", "LOAD"], ["FUNCTION", "LOAD", "REPLACE"],
        ["FUNCTION", "LIST", "LIBRARYNAME", "mylib"], ["FUNCTION", "LIST", "LIBRARYNAME", "get*"],
        ["FUNCTION", "LIST", "LIBRARYNAME", "getlib", "WITHCODE"],
        ["FUNCTION", "LIST", "withcode", "libraryname", "MYLIB"],
        ["FUNCTION", "LIST", "LIBRARYNAME", "nomatch"], ["FUNCTION", "LIST", "LIBRARYNAME"],
        ["FUNCTION", "LIST", "x"], ["FUNCTION", "LIST", "WITHCODE", "WITHCODE"],
        ["FUNCTION", "STATS"], ["FUNCTION", "DELETE", "getlib"], ["FUNCTION", "DELETE", "getlib"],
        ["FCALL", "myget", "1", "k"], ["FUNCTION", "LIST"], ["FUNCTION", "STATS"],
        ["FUNCTION", "DELETE"], ["FUNCTION", "DELETE", "a", "b"],
        ["FUNCTION", "FLUSH", "x"], ["FUNCTION", "FLUSH", "SYNC", "x"], ["FUNCTION", "FLUSH"],
        ["FUNCTION", "LIST"], ["FUNCTION", "LOAD", SET_FN], ["FUNCTION", "FLUSH", "async"],
        ["FUNCTION", "STATS"], ["FUNCTION", "KILL"], ["FUNCTION", "KILL", "x"],
        ["FUNCTION"], ["FUNCTION", "nosuch"], ["FUNCTION", "HELP"], ["FUNCTION", "HELP", "x"],
    ],
    "flags_and_list_shapes": [
        ["FUNCTION", "LOAD", FLAGS_FN], ["FUNCTION", "LIST"], ["FCALL_RO", "allflags", "0"],
        ["FUNCTION", "LOAD", GET_FN], ["FUNCTION", "LIST", "LIBRARYNAME", "getlib"],
        ["FUNCTION", "LOAD", "REPLACE", FLAGS_FN.replace("allflags", "myget")],
        ["FUNCTION", "LOAD", lib("dup", "redis.register_function('myget', function() end)")],
        ["FUNCTION", "LOAD", "REPLACE",
         lib("getlib", "redis.register_function('allflags', function() end)")],
        ["FCALL", "myget", "0"], ["FUNCTION", "LIST", "LIBRARYNAME", "getlib", "WITHCODE"],
        ["FUNCTION", "LOAD", "REPLACE", lib("getlib", "syntax error")],
        ["FCALL_RO", "myget", "1", "k"],
    ],
    "bad_loads": [["FUNCTION", "LOAD", code] for code in BAD_LOADS] + [
        ["FUNCTION", "LIST", "WITHCODE"], ["FUNCTION", "STATS"],
        ["FCALL", "up", "0"], ["FCALL", "n2", "0"],
    ],
    "run_time": [
        ["FUNCTION", "LOAD", RESP3_FN], ["HSET", "h", "f", "v"], ["FCALL", "r3", "1", "h"],
        ["FUNCTION", "LOAD", TYPES_FN], ["FCALL", "types", "0"], ["FUNCTION", "LOAD", ERR_FN],
        ["SET", "str", "abc"], ["FCALL", "boom", "0"], ["FCALL", "badcall", "0"],
        ["FCALL", "errtab", "0"], ["FCALL", "keysg", "0"], ["FCALL", "reg", "0"],
        ["FCALL", "pc", "0"], ["INFO", "errorstats"],
    ],
    "multi_and_db": [
        ["FUNCTION", "LOAD", SET_FN], ["SELECT", "3"], ["MULTI"],
        ["FCALL", "myset", "1", "k", "in-db-3"], ["FUNCTION", "LIST", "LIBRARYNAME", "x"],
        ["EXEC"], ["GET", "k"], ["SELECT", "0"], ["GET", "k"],
        ["EVAL", "return redis.call('fcall', 'myset', 1, 'k', 'v')", "0"],
        ["EVAL", "return redis.call('function', 'list')", "0"],
    ],
    "dump_restore": [
        ["FUNCTION", "LOAD", SET_FN], ["FUNCTION", "LOAD", GET_FN], ["FUNCTION", "RESTORE", "x"],
        ["FUNCTION", "RESTORE", "x", "bad"], ["FUNCTION", "RESTORE", "x", "flush", "y"],
        ["FUNCTION", "RESTORE", "x", "flush"],
        # A payload Redis wrote (mylib only): APPEND collides, REPLACE and FLUSH do not.
        ["FUNCTION", "RESTORE", "@DUMP_MYLIB@"], ["FUNCTION", "RESTORE", "@DUMP_MYLIB@", "APPEND"],
        ["FUNCTION", "RESTORE", "@DUMP_MYLIB@", "REPLACE"], ["FUNCTION", "LIST", "LIBRARYNAME", "m*"],
        ["FUNCTION", "RESTORE", "@DUMP_MYLIB@", "FLUSH"], ["FUNCTION", "LIST"],
        ["FUNCTION", "RESTORE", "@DUMP_CLASH@"], ["FUNCTION", "DUMP"],
        ["FUNCTION", "FLUSH"], ["FUNCTION", "DUMP"], ["FUNCTION", "RESTORE", "@DUMP_EMPTY@"],
        ["FUNCTION", "RESTORE", "@DUMP_KEY@"], ["FCALL", "myset", "1", "a", "b"],
    ],
}


def dumps() -> dict[str, bytes]:
    """FUNCTION DUMP payloads made by redis-server itself."""
    out = {}
    with RedisProcess() as oracle, RawConnection(oracle.port) as connection:
        def dump():
            return parse(connection.command("FUNCTION", "DUMP"))[1]
        out["@DUMP_EMPTY@"] = dump()
        connection.command("FUNCTION", "LOAD", SET_FN)
        out["@DUMP_MYLIB@"] = dump()
        connection.command("FUNCTION", "FLUSH")
        connection.command("FUNCTION", "LOAD", lib("other", "redis.register_function('myset', "
                                                            "function() return 0 end)"))
        out["@DUMP_CLASH@"] = dump()
        connection.command("SET", "k", "v")
        out["@DUMP_KEY@"] = parse(connection.command("DUMP", "k"))[1]
    return out


@pytest.fixture(scope="module")
def payloads():
    return dumps()


@pytest.fixture
def servers():
    with target_server() as server, RedisProcess() as oracle:
        yield server, oracle


def run(port: int, commands: list[list], protocol: int) -> list[bytes]:
    with RawConnection(port) as connection:
        if protocol == 3:
            assert connection.command("HELLO", "3").startswith(b"%")
        replies = []
        for args in commands:
            connection.send(encode(*args))
            replies.append(connection.read_reply())
        return replies


def canonical(args, reply: bytes):
    """Redis's unspecified orders made comparable: FUNCTION LIST's libraries and each library's
    functions (hash-table order in Redis, randomly seeded), and which of several colliding
    functions a LOAD names."""
    upper = [str(a).upper() for a in args[:2]]
    if upper == ["FUNCTION", "LIST"] and reply[:1] == b"*":
        libraries = []
        for kind, items in parse(reply)[1]:
            items = list(items)
            for i, item in enumerate(items[:-1]):
                if item == (b"$", b"functions"):
                    items[i + 1] = (items[i + 1][0], sorted(items[i + 1][1], key=repr))
            libraries.append(repr((kind, items)))
        return sorted(libraries)
    if upper == ["FUNCTION", "LOAD"] and reply.startswith(b"-ERR Function ") and \
            reply.endswith(b" already exists\r\n"):
        return b"-ERR Function <one of the colliding names> already exists"
    return reply


def differences(commands, mine, theirs):
    out = []
    for args, got, want in zip(commands, mine, theirs):
        if canonical(args, got) != canonical(args, want):
            out.append(f"  {[a[:60] for a in map(str, args)]}\n    drayman: {got[:400]!r}\n"
                       f"    redis:   {want[:400]!r}")
    return out


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("group", GROUPS.keys())
def test_group_matches_redis(servers, payloads, group, protocol):
    server, oracle = servers
    commands = [[payloads.get(arg, arg) for arg in args] for args in GROUPS[group]]
    theirs = run(oracle.port, commands, protocol)
    mine = run(server.port, commands, protocol)
    if group == "run_time":  # errorstats: compare only the lines both servers count
        theirs[-1] = mine[-1] = b""
    diff = differences(commands, mine, theirs)
    assert not diff, f"{len(diff)} of {len(commands)} replies differ:\n" + "\n".join(diff[:40])


# --- randomized differential run ---

def random_library(rng: random.Random, names: list[str], functions: list[str]) -> str:
    name = rng.choice(names)
    count = rng.randint(0, 2)
    body = []
    for _ in range(count):
        function = rng.choice(functions)
        flags = rng.choice(["", "'no-writes'", "'allow-oom'", "'no-writes', 'allow-stale'"])
        action = rng.choice([
            "return redis.call('incr', keys[1])",
            "return redis.call('get', keys[1])",
            "return {#keys, #args, args[1]}",
            "return error('failed')",
            "return redis.pcall('lpush', keys[1], 'x')",
        ])
        if rng.random() < 0.5:
            body.append(f"redis.register_function('{function}', function(keys, args) {action} end)")
        else:
            body.append(f"redis.register_function{{function_name='{function}', callback="
                        f"function(keys, args) {action} end, flags={{{flags}}}}}")
    if rng.random() < 0.05:
        body.append("syntax error")
    return lib(name, "\n".join(body))


def random_commands(seed: int, count: int) -> list[list[str]]:
    rng = random.Random(seed)
    names = ["la", "lb", "lc"]
    functions = ["fa", "fb", "fc", "fd"]
    keys = ["k1", "k2", "k3"]
    commands = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.3:
            options = ["REPLACE"] if rng.random() < 0.5 else []
            commands.append(["FUNCTION", "LOAD", *options, random_library(rng, names, functions)])
        elif roll < 0.4:
            commands.append(["FUNCTION", "DELETE", rng.choice(names)])
        elif roll < 0.42:
            commands.append(["FUNCTION", "FLUSH"])
        elif roll < 0.5:
            commands.append(["FUNCTION", "LIST", "LIBRARYNAME", rng.choice(names), "WITHCODE"])
        elif roll < 0.55:
            commands.append(["FUNCTION", "STATS"])
        else:
            command = rng.choice(["FCALL", "FCALL", "FCALL_RO"])
            numkeys = rng.randint(0, 2)
            commands.append([command, rng.choice(functions), str(numkeys),
                             *rng.sample(keys, numkeys), *(["a1"] * rng.randint(0, 2))])
    return commands


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_randomized_differential(servers, seed):
    server, oracle = servers
    commands = random_commands(seed, 7500)
    protocol = 3 if seed % 2 == 0 else 2
    theirs = run(oracle.port, commands, protocol)
    mine = run(server.port, commands, protocol)
    diff = differences(commands, mine, theirs)
    assert not diff, f"{len(diff)} of {len(commands)} replies differ:\n" + "\n".join(diff[:20])
    with RawConnection(server.port) as a, RawConnection(oracle.port) as b:
        for key in ("k1", "k2", "k3"):
            assert a.command("DUMP", key) == b.command("DUMP", key)


def test_dump_restores_across_servers(servers):
    server, oracle = servers
    libraries = [SET_FN, GET_FN, FLAGS_FN, ERR_FN, lib("long", "-- " + "x" * 300 + "\n"
                                                      "redis.register_function('lf', "
                                                      "function() return 'long' end)")]
    for source, target in ((server, oracle), (oracle, server)):
        with RawConnection(source.port) as a, RawConnection(target.port) as b:
            a.command("FUNCTION", "FLUSH")
            b.command("FUNCTION", "FLUSH")
            for code in libraries:
                assert a.command("FUNCTION", "LOAD", code).startswith(b"$")
            payload = parse(a.command("FUNCTION", "DUMP"))[1]
            assert b.command("FUNCTION", "RESTORE", payload) == b"+OK\r\n"
            assert b.command("FCALL", "lf", "0") == b"$4\r\nlong\r\n"
            listing = ["FUNCTION", "LIST", "WITHCODE"]
            assert canonical(listing, b.command(*listing)) == canonical(listing,
                                                                        a.command(*listing))
    # One library: the payload is the same bytes on both servers.
    with RawConnection(server.port) as a, RawConnection(oracle.port) as b:
        for connection in (a, b):
            connection.command("FUNCTION", "FLUSH")
            connection.command("FUNCTION", "LOAD", libraries[-1])
        assert a.command("FUNCTION", "DUMP") == b.command("FUNCTION", "DUMP")


SLOW_FN = lib("slow", "redis.register_function{function_name='spin', callback=function() "
                      "local i = 0 while true do i = i + 1 end end, flags={'no-writes'}}\n"
                      "redis.register_function('spinw', function(keys) redis.call('set', keys[1], "
                      "'x') local i = 0 while true do i = i + 1 end end)")


def busy_exchange(port: int) -> list[bytes]:
    replies = []
    with RawConnection(port, timeout=20) as runner, RawConnection(port) as other:
        assert runner.command("FUNCTION", "LOAD", SLOW_FN).startswith(b"$")
        other.command("CONFIG", "SET", "busy-reply-threshold", "100")
        runner.send(encode("FCALL", "spin", "0"))
        time.sleep(0.4)
        replies.append(other.command("PING"))
        replies.append(other.command("SCRIPT", "KILL"))
        stats = parse(other.command("FUNCTION", "STATS"))
        replies.append(repr(stats[1][1][1][:2]).encode())  # running_script name
        replies.append(other.command("FUNCTION", "KILL"))
        replies.append(runner.read_reply())
        replies.append(other.command("FUNCTION", "KILL"))
        replies.append(other.command("PING"))
    return replies


def test_function_kill_matches_redis(servers):
    server, oracle = servers
    theirs = busy_exchange(oracle.port)
    mine = busy_exchange(server.port)
    assert mine == theirs
    assert theirs[-3].startswith(b"-ERR Script killed by user with SCRIPT KILL...")


def test_write_function_over_maxmemory_matches_redis(servers):
    commands = [
        ["FUNCTION", "LOAD", SET_FN], ["FUNCTION", "LOAD", GET_FN], ["FUNCTION", "LOAD", FLAGS_FN],
        ["CONFIG", "SET", "maxmemory", "1"], ["FCALL", "myset", "1", "k", "v"],
        ["FCALL_RO", "myget", "1", "k"], ["FCALL", "myget", "1", "k"],
        ["FCALL", "allflags", "0"], ["MULTI"], ["FCALL", "myset", "1", "k", "v"], ["EXEC"],
        ["FUNCTION", "LOAD", lib("more", "redis.register_function('m', function() end)")],
        ["CONFIG", "SET", "maxmemory", "0"], ["FCALL", "myset", "1", "k", "v"],
    ]
    server, oracle = servers
    for protocol in (2, 3):
        theirs = run(oracle.port, [["FUNCTION", "FLUSH"]] + commands, protocol)
        mine = run(server.port, [["FUNCTION", "FLUSH"]] + commands, protocol)
        diff = differences([["FUNCTION", "FLUSH"]] + commands, mine, theirs)
        assert not diff, "\n".join(diff)


LOOPING_LOAD = lib("spinload", "local i = 0 while true do i = i + 1 end")


def test_library_looping_at_load_times_out_as_in_redis(servers):
    """FUNCTION LOAD stops a library whose load code loops after 500 ms, with Redis's error."""
    server, oracle = servers
    replies = []
    for port in (oracle.port, server.port):
        with RawConnection(port, timeout=20) as connection:
            replies.append(connection.command("FUNCTION", "LOAD", LOOPING_LOAD))
            replies.append(connection.command("FUNCTION", "LIST"))
    assert replies[2:] == replies[:2]
    assert b"FUNCTION LOAD timeout" in replies[0]


def test_restore_of_a_library_looping_at_load_times_out(servers):
    """Redis 7.0 restores without a time limit, so this payload hangs redis-server for good (not
    run there); Drayman answers FUNCTION LOAD's timeout error, keeps what it had and serves on."""
    server, _ = servers
    # FUNCTION DUMP's form: the FUNCTION2 opcode, the code as an RDB string, RDB version 10, CRC.
    body = b"\xf5" + bytes([len(LOOPING_LOAD)]) + LOOPING_LOAD.encode() + b"\x0a\x00"
    payload = body + crc64(body).to_bytes(8, "little")
    with RawConnection(server.port, timeout=20) as connection:
        assert connection.command("FUNCTION", "LOAD", SET_FN).startswith(b"$")
        reply = connection.command("FUNCTION", "RESTORE", payload, "REPLACE")
        assert reply == load_error(server.port)
        assert connection.command("FCALL", "myset", "1", "k", "v") == b"+OK\r\n"
        assert connection.command("PING") == b"+PONG\r\n"


def load_error(port: int) -> bytes:
    """What FUNCTION LOAD answers for the looping library (checked against Redis above)."""
    with RawConnection(port, timeout=20) as connection:
        return connection.command("FUNCTION", "LOAD", LOOPING_LOAD)


def crc64(data: bytes) -> int:
    """Redis's CRC-64 (Jones polynomial, reflected), as DUMP payloads carry it."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x95AC9329AC4BC9B5 if crc & 1 else crc >> 1
    return crc
