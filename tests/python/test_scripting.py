"""Lua scripting against Drayman and Debian's redis-server side by side.

Every case runs on both servers with the same redis-py client settings and compares the whole
result or the whole error text. The channels_redis scripts are taken from the installed
channels_redis package itself, so they are exactly what it sends; redis-py's Lock and
register_script run unchanged.
"""

from __future__ import annotations

import inspect
import re
import threading
import time
import uuid

import pytest
import redis
from channels_redis.core import RedisChannelLayer

from servers import DraymanProcess, RedisProcess


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def pair(request, drayman, oracle):
    """(drayman client, redis-server client) speaking the same protocol."""
    protocol = request.param
    clients = []
    for server in (drayman, oracle):
        client = redis.Redis(port=server.port, protocol=protocol)
        client.ping()
        clients.append(client)
    yield clients
    for client in clients:
        client.close()


def _plain(value):
    """Error replies nested in arrays arrive as exception objects: compare them by text."""
    if isinstance(value, Exception):
        return ("error", type(value).__name__, str(value))
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def outcome(client, *args):
    try:
        return ("ok", _plain(client.execute_command(*args)))
    except redis.ResponseError as error:
        return ("error", str(error))


def both(pair, *args):
    """Runs one command on both servers; asserts identical results and returns it."""
    ours, theirs = (outcome(client, *args) for client in pair)
    assert ours == theirs, args
    return ours


def unique(prefix: str) -> str:
    return f"{prefix}:{uuid.uuid4().hex}"


def scores(pair, key):
    """ZRANGE WITHSCORES on both servers, as (member, float) pairs whatever the protocol."""
    return [[tuple(item) for item in client.zrange(key, 0, -1, withscores=True)] for client in pair]


# --- The scripts real clients send -------------------------------------------------------------

def _script(function, name: str) -> str:
    source = inspect.getsource(function)
    match = re.search(name + r' = """(.*?)"""', source, re.S)
    assert match, f"{name} not found in {function.__qualname__}"
    return match.group(1)


CLEANUP = _script(RedisChannelLayer._brpop_with_clean, "cleanup_script")
DELETE_PREFIX = _script(RedisChannelLayer.flush, "delete_prefix")
GROUP_SEND = _script(RedisChannelLayer.group_send, "group_send_lua")


def test_channels_redis_scripts_are_the_ones_in_the_contract():
    assert "redis.call('ZRANGE', ARGV[2], 0, -1, 'WITHSCORES')" in CLEANUP
    assert "unpack(keys, i, math.min(i+4999, #keys))" in DELETE_PREFIX
    assert "tonumber(ARGV[i + #KEYS])" in GROUP_SEND


def test_channels_redis_cleanup_script(pair):
    channel = unique("asgi:ch")
    backup = channel + "$inflight"
    both(pair, "ZADD", backup, "1700000000.123456", "m1", "1700000001.5", "m2")
    both(pair, "ZADD", channel, "1700000002.25", "m0")
    assert both(pair, "EVAL", CLEANUP, 0, channel, backup) == ("ok", None)
    ours, theirs = scores(pair, channel)
    assert ours == theirs
    assert [member for member, _ in ours] == [b"m1", b"m2", b"m0"]
    assert both(pair, "EXISTS", backup) == ("ok", 0)
    # Nothing backed up: a no-op that still deletes nothing.
    assert both(pair, "EVAL", CLEANUP, 0, channel, backup) == ("ok", None)
    both(pair, "DEL", channel)


def test_channels_redis_flush_script(pair):
    prefix = unique("asgi")
    for i in range(12):
        both(pair, "SET", f"{prefix}:{i}", "v")
    both(pair, "SET", prefix + "-other", "v")
    assert both(pair, "EVAL", DELETE_PREFIX, 0, prefix + ":*") == ("ok", None)
    assert both(pair, "KEYS", prefix + "*") == ("ok", [(prefix + "-other").encode()])
    both(pair, "DEL", prefix + "-other")


def test_channels_redis_flush_script_in_batches(drayman, oracle):
    # More keys than one DEL of 5000 takes: the loop and unpack() bounds matter.
    prefix = unique("asgi")
    results = []
    for server in (drayman, oracle):
        client = redis.Redis(port=server.port, protocol=2)
        pipe = client.pipeline(transaction=False)
        for i in range(12001):
            pipe.set(f"{prefix}:{i}", "v")
        pipe.execute()
        results.append((client.eval(DELETE_PREFIX, 0, prefix + "*"), client.keys(prefix + "*")))
        client.close()
    assert results[0] == results[1] == (None, [])


def test_channels_redis_group_send_script(pair):
    first, full = unique("asgi:g"), unique("asgi:full")
    both(pair, "ZADD", full, 1, "x")
    now = repr(time.time())
    assert both(pair, "EVAL", GROUP_SEND, 2, first, full, b"msg1", b"msg2", 100, 1, now, 60) == (
        "ok",
        1,
    )
    # Scores compared as numbers: Drayman prints them as Redis 7.2 does, the oracle is 7.0.
    ours, theirs = scores(pair, first)
    assert ours == theirs == [(b"msg1", float(now))]
    assert both(pair, "TTL", first) == ("ok", 60)
    assert both(pair, "TTL", full) == ("ok", -1)
    both(pair, "DEL", first, full)


# --- redis-py: register_script and Lock --------------------------------------------------------

def test_register_script_falls_back_from_noscript(pair):
    script_body = "return {KEYS[1], ARGV[1], redis.call('echo', ARGV[2])} -- " + uuid.uuid4().hex
    results = []
    for client in pair:
        script = client.register_script(script_body)
        assert client.script_exists(script.sha) == [False]
        # EVALSHA answers NOSCRIPT, redis-py loads the script and retries.
        results.append(script(keys=["k"], args=["a", "b"]))
        assert client.script_exists(script.sha) == [True]
        results.append(script(keys=["k2"], args=["c", "d"]))
    assert results[:2] == results[2:]
    assert results[:2] == [[b"k", b"a", b"b"], [b"k2", b"c", b"d"]]


def test_register_script_in_a_pipeline(pair):
    script_body = "return ARGV[1] .. '!' -- " + uuid.uuid4().hex
    results = []
    for client in pair:
        script = client.register_script(script_body)
        pipe = client.pipeline(transaction=False)
        script(args=["x"], client=pipe)
        script(args=["y"], client=pipe)
        results.append(pipe.execute())
    assert results[0] == results[1] == [b"x!", b"y!"]


def test_redis_py_lock(pair):
    name = unique("lock")
    for client in pair:
        # A fresh script cache, so the first release takes the NOSCRIPT -> SCRIPT LOAD path.
        client.script_flush()
        lock = client.lock(name, timeout=10)
        assert lock.acquire(blocking=False)
        assert not client.lock(name, timeout=10).acquire(blocking=False)
        assert lock.extend(5)
        assert 14000 < client.pttl(name) <= 15000
        assert lock.extend(3, replace_ttl=True)
        assert 2000 < client.pttl(name) <= 3000
        assert lock.reacquire()
        assert 9000 < client.pttl(name) <= 10000
        lock.release()
        assert client.get(name) is None
        other = client.lock(name, timeout=10)
        assert other.acquire(blocking=False)
        # A lock object whose token is not the one stored cannot release it.
        stale = client.lock(name, timeout=10)
        stale.local.token = b"not-the-owner"
        with pytest.raises(redis.exceptions.LockNotOwnedError):
            stale.release()
        other.release()
        client.delete(name + "-probe")


# --- Replies and error texts -------------------------------------------------------------------

SCRIPTS = [
    "return 1",
    "return 'str'",
    "return {1, 2, {3, 'x', nil, 4}, false, true, 3.99, -3.99, nil, 5}",
    "return {1, {ok='fine'}, {err='BAD x'}, redis.error_reply('y')}",
    "return {ok='x'}",
    "return redis.status_reply('a\\r\\nb')",
    "return 1e20",
    "return nil",
    "return false",
    "return true",
    "return {double=3.5}",
    "return {map={a=1}}",
    "return {set={a=true}}",
    "return {big_number='123'}",
    "return {verbatim_string={format='txt', string='hi'}}",
    "redis.setresp(3) return {true, false}",
    "return redis.call('ping')",
    "return redis.call('echo', 0.1)",
    "return redis.call('echo', 12345678901234567890)",
    "return redis.sha1hex('abc')",
    "return redis.REDIS_VERSION_NUM",
    "return x",
    "x = 1",
    "error('boom')",
    "error({err='MYERR My Error'})",
    "error()",
    "local function f()\n  error('deep')\nend\n\nf()",
    "return redis.call('nosuch')",
    "return redis.pcall('nosuch')",
    "return redis.call('echo', 'a', 'b')",
    "return redis.call()",
    "return redis.call('echo', {})",
    "return redis.call('eval', 'return 1', '0')",
    "syntax error here",
    "return os.execute('id')",
    "return io.open('/etc/passwd')",
    "return require('os')",
    "return package.loadlib('/lib/x86_64-linux-gnu/libc.so.6', 'system')",
    "return loadfile('/etc/passwd')",
    "return debug.getregistry()",
    "local f, e = loadstring(string.dump(function() return 1 end)) return e",
    "rawset(_G, 'x', 1)",
    "setmetatable(_G, nil)",
    "redis.call = nil",
    "getmetatable('').__index = {}",
    "table.insert(redis, 1)",
    "loadstring('y = 1')()",
    "return cjson.encode({1, 2, {a = 'x/y'}})",
    "return cjson.encode(cjson.decode('{\"a\":[1,2.5,null,true],\"b\":{\"c\":\"d\"}}'))",
    "return bit.tohex(bit.bxor(0xff, 0x0f))",
    "return {unpack({1, 2, 3})}",
    "return math.min(3, 1, 2) + tonumber('12') + ('10' + 5)",
    "#!lua flags=no-writes\nreturn 1",
    "#!lua flags=bogus\nreturn 1",
    "#!lua\nreturn x",
]


@pytest.mark.parametrize("script", SCRIPTS)
def test_script_results_match(pair, script):
    both(pair, "EVAL", script, 0)


@pytest.mark.parametrize(
    "args",
    [
        ("EVAL", "return 1", 2, "a"),
        ("EVAL", "return 1", -1),
        ("EVAL", "return 1", "abc"),
        ("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", 0),
        ("EVALSHA", "ffffffffffffffffffffffffffffffffffffffff", 5),
        ("EVALSHA", "nonexistent", 5),
        ("EVALSHA_RO", "ffffffffffffffffffffffffffffffffffffffff", 0),
        ("EVAL_RO", "return redis.call('echo', 'x')", 0),
        ("SCRIPT", "LOAD", "return 'loaded'"),
        ("SCRIPT", "LOAD", "x x"),
        ("SCRIPT", "EXISTS", "4d9a1bb3e9ab0de8fff0fe2ef9b7e9ac1a5cda40", "nope"),
        ("SCRIPT", "FLUSH", "bogus"),
        ("SCRIPT", "KILL"),
        ("SCRIPT", "NOPE"),
    ],
)
def test_command_results_match(pair, args):
    both(pair, *args)


def test_keys_and_args(pair):
    both(pair, "EVAL", "return {KEYS[1], KEYS[2], ARGV[1], #KEYS, #ARGV}", 2, "a", "b", "c")
    both(pair, "EVAL", "return ARGV[1]", 0, b"bin\x00\r\nary")


def test_math_random_sequence_matches_a_fresh_redis():
    script = (
        "return {tostring(math.random()), tostring(math.random(10)), "
        "tostring(math.random(5, 100))}"
    )
    results = []
    for process in (DraymanProcess(), RedisProcess()):
        with process:
            client = redis.Redis(port=process.port, protocol=2)
            runs = [client.eval(script, 0) for _ in range(3)]
            client.script_flush()
            runs.append(client.eval(script, 0))
            runs.append(client.eval("math.randomseed(42) return tostring(math.random())", 0))
            results.append(runs)
            client.close()
    assert results[0] == results[1]


# --- Busy scripts ------------------------------------------------------------------------------

def _busy_transcript(port: int) -> list:
    """A script loops forever; another client sees BUSY, then kills it."""
    caller = redis.Redis(port=port, protocol=2, socket_timeout=10)
    other = redis.Redis(port=port, protocol=2, socket_timeout=10)
    other.ping()
    result = {}

    def run():
        try:
            result["reply"] = caller.eval("local i = 0 while true do i = i + 1 end", 0)
        except redis.ResponseError as error:
            result["reply"] = str(error)

    thread = threading.Thread(target=run)
    thread.start()
    transcript = []
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        got = outcome(other, "PING")
        if got[0] == "error":
            transcript.append(got)
            break
        time.sleep(0.02)
    transcript.append(outcome(other, "SCRIPT", "EXISTS", "abc"))
    transcript.append(outcome(other, "SCRIPT", "KILL"))
    thread.join(timeout=5)
    transcript.append(result.get("reply"))
    transcript.append(outcome(other, "PING"))
    transcript.append(outcome(other, "SCRIPT", "KILL"))
    caller.close()
    other.close()
    return transcript


def test_busy_script_and_script_kill():
    transcripts = []
    with DraymanProcess("--busy-reply-threshold", "100") as ours:
        transcripts.append(_busy_transcript(ours.port))
    with RedisProcess("--busy-reply-threshold", "100") as theirs:
        transcripts.append(_busy_transcript(theirs.port))
    assert transcripts[0] == transcripts[1]
    assert transcripts[0][0] == (
        "error",
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
    )
    assert transcripts[0][2] == ("ok", b"OK")
    assert transcripts[0][3].startswith("Script killed by user with SCRIPT KILL...")


def test_writes_in_a_script_wake_blocked_clients(drayman):
    client = redis.Redis(port=drayman.port, protocol=2, socket_timeout=10)
    key = unique("asgi:wake")
    waiter = redis.Redis(port=drayman.port, protocol=2, socket_timeout=10)
    got = {}

    def wait():
        try:
            got["reply"] = waiter.bzpopmin(key, timeout=5)
        except redis.ResponseError as error:
            got["reply"] = str(error)

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.2)
    client.eval(GROUP_SEND, 1, key, b"message", 100, repr(1700000000.5), 60)
    thread.join(timeout=6)
    assert got.get("reply") == (key.encode(), b"message", 1700000000.5)
    client.close()
    waiter.close()
