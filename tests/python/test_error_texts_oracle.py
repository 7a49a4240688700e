"""Error texts from broker/base/errors.h that no family's oracle test reaches, against
redis-server 7.0.15, whole replies byte for byte in RESP2 and RESP3.

The texts modules other than the families send: CONFIG SET's details (broker/config/), ACL
SETUSER's rule errors (broker/acl/), the errors of EVAL's shebang and of the redis.* API and the
sandbox (broker/script/), XCLAIM/XAUTOCLAIM's argument texts, and the protocol errors of the
request parser (broker/resp/).
"""

from __future__ import annotations

import pytest

from rawresp import RawConnection, encode
from servers import RedisProcess, target_server

COMMANDS: list[list[str]] = [
    # CONFIG SET: unknown name, the parameter table's details, the checks before any value.
    ["CONFIG", "SET", "nosuch", "1"], ["CONFIG", "SET", "maxmemory", "abc"],
    ["CONFIG", "SET", "port", "99999"], ["CONFIG", "SET", "appendonly", "maybe"],
    ["CONFIG", "SET", "maxmemory-policy", "x"], ["CONFIG", "SET", "save", "1"],
    ["CONFIG", "SET", "save", "0 1"],
    ["CONFIG", "SET", "client-output-buffer-limit", "a b c"],
    ["CONFIG", "SET", "client-output-buffer-limit", "foo 1 2 3"],
    ["CONFIG", "SET", "client-output-buffer-limit", "normal x 2 3"],
    ["CONFIG", "SET", "dbfilename", "a/b"], ["CONFIG", "SET", "appendfilename", ""],
    ["CONFIG", "SET", "notify-keyspace-events", "Q"], ["CONFIG", "SET", "daemonize", "no"],
    ["CONFIG", "SET", "port", "1", "port", "2"], ["CONFIG", "SET", "port"],
    ["CONFIG", "SET", "busy-reply-threshold", "-1"], ["CONFIG", "SET", "hz", "abc"],
    ["CONFIG", "SET", "acl-pubsub-default", "x"],
    ["CONFIG", "SET", "oom-score-adj-values", "1 2"],
    ["CONFIG", "SET", "oom-score-adj-values", "1 2 3000"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "abc"],
    ["CONFIG", "SET", "latency-tracking-info-percentiles", "101"],
    ["CONFIG", "SET", "shutdown-on-sigterm", "save nosave"],
    ["CONFIG", "SET", "maxmemory-clients", "abc"],
    ["CONFIG", "REWRITE"],
    # ACL SETUSER's rules.
    ["ACL", "SETUSER", "u1", "(~x"], ["ACL", "SETUSER", "u1", "+nosuch"],
    ["ACL", "SETUSER", "u1", "<y"], ["ACL", "SETUSER", "u1", "#abc"],
    ["ACL", "SETUSER", "u1", "allkeys", "~x"], ["ACL", "SETUSER", "u1", "allchannels", "&x"],
    ["ACL", "SETUSER", "u1", "+get|x"], ["ACL", "SETUSER", "u1", "+config|get|x"],
    ["ACL", "SETUSER", "u1", "bogus"],
    # EVAL: shebangs, compile and run errors, the redis.* API, the sandbox.
    ["EVAL", "#!lua flags=bad\nreturn 1", "0"], ["EVAL", "#!lua foo=bar\nreturn 1", "0"],
    ["EVAL", "#!python\nreturn 1", "0"], ["EVAL", "#!lua flags=no-writes,\nreturn 1", "0"],
    ["EVAL", "#!lua", "0"], ["EVAL", "#!lua \"x\nreturn 1", "0"],
    ["EVAL", "return +", "0"], ["EVAL", "return redis.call('nosuch')", "0"],
    ["EVAL", "return redis.call()", "0"], ["EVAL", "return redis.call({})", "0"],
    ["EVAL", "return redis.call('get')", "0"], ["EVAL", "return redis.call('save')", "0"],
    ["EVAL_RO", "return redis.call('set', 'a', 'b')", "0"],
    ["EVAL", "return redis.sha1hex()", "0"], ["EVAL", "return redis.error_reply()", "0"],
    ["EVAL", "return redis.status_reply()", "0"],
    ["EVAL", "return redis.setresp(4)", "0"], ["EVAL", "return redis.setresp()", "0"],
    ["EVAL", "return redis.set_repl(99)", "0"], ["EVAL", "return redis.set_repl()", "0"],
    ["EVAL", "redis.log()", "0"], ["EVAL", "redis.log('x', 'y')", "0"],
    ["EVAL", "redis.log(99, 'y')", "0"], ["EVAL", "return nosuchglobal", "0"],
    ["EVAL", "x = 1", "0"], ["EVAL", "redis.x = 1", "0"],
    ["EVAL", "return redis.acl_check_cmd('nosuch')", "0"],
    ["EVAL", "return redis.acl_check_cmd()", "0"],
    ["EVAL", "return redis.acl_check_cmd({})", "0"],
    # Streams: the texts XCLAIM and XAUTOCLAIM give their arguments.
    ["XADD", "s", "1-1", "a", "b"], ["XGROUP", "CREATE", "s", "g", "0"],
    ["XCLAIM", "s", "g", "c", "x", "1-1"], ["XCLAIM", "s", "g", "c", "0", "1-1", "IDLE", "x"],
    ["XCLAIM", "s", "g", "c", "0", "1-1", "TIME", "x"],
    ["XCLAIM", "s", "g", "c", "0", "1-1", "RETRYCOUNT", "x"],
    ["XAUTOCLAIM", "s", "g", "c", "x", "0"], ["XREAD", "BLOCK", "x", "STREAMS", "s", "0"],
]

# Each closes the connection after Redis's protocol error.
BAD_REQUESTS = [b"*1\r\n$x\r\n", b"*x\r\n", b"\"unbalanced\r\n", b"*1\r\n+x\r\n"]


@pytest.fixture(scope="module")
def servers():
    with target_server() as server, RedisProcess() as oracle:
        yield server, oracle


def run(port: int, protocol: int) -> list[bytes]:
    with RawConnection(port) as connection:
        if protocol == 3:
            assert connection.command("HELLO", "3").startswith(b"%")
        replies = []
        for args in COMMANDS:
            connection.send(encode(*args))
            replies.append(connection.read_reply())
        connection.send(encode("DEL", "s"))
        connection.read_reply()
        return replies


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_error_texts_match_redis(servers, protocol):
    server, oracle = servers
    mine, theirs = run(server.port, protocol), run(oracle.port, protocol)
    diff = [f"  {args}\n    drayman: {got!r}\n    redis:   {want!r}"
            for args, got, want in zip(COMMANDS, mine, theirs) if got != want]
    assert not diff, f"{len(diff)} of {len(COMMANDS)} replies differ:\n" + "\n".join(diff)
    assert sum(reply.startswith(b"-") for reply in theirs) >= len(COMMANDS) - 3


@pytest.mark.parametrize("request_bytes", BAD_REQUESTS, ids=lambda b: repr(b)[2:-1])
def test_protocol_errors_match_redis(servers, request_bytes):
    replies = []
    for process in servers:
        with RawConnection(process.port) as connection:
            connection.send(request_bytes)
            replies.append(connection.read_all()[0])
    assert replies[0] == replies[1]
    assert replies[1].startswith(b"-ERR Protocol error: ")
