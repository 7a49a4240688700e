"""The redis-cli tutorial session, through Debian's real redis-cli, against Drayman and Redis.

The same session runs three ways on a fresh server each: every command as redis-cli arguments
(raw output, as when piped), the same with --no-raw (the human format), and typed line by line
into redis-cli's interactive prompt on a pseudo-terminal (start-up sends COMMAND DOCS/COMMAND,
which must not crash it). Every reply must equal what redis-server prints for the same session,
and redis-server's transcript must be the tutorial's known one, so the comparison cannot pass by
both sides failing alike. TTLs are compared exactly: they are seconds set a moment before.
"""

from __future__ import annotations

import pytest

from cli import InteractiveCli, run_cli
from servers import RedisProcess, target_server

SESSION = [
    ["SET", "name", "kyle"],
    ["GET", "name"],
    ["EXISTS", "name"],
    ["DEL", "name"],
    ["EXISTS", "name"],
    ["KEYS", "*"],
    ["SETEX", "temp", "10", "v"],
    ["TTL", "temp"],
    ["SET", "name", "kyle"],
    ["EXPIRE", "name", "100"],
    ["TTL", "name"],
    ["TTL", "nosuchkey"],
    ["LPUSH", "friends", "john"],
    ["RPUSH", "friends", "sally"],
    ["LRANGE", "friends", "0", "-1"],
    ["LPOP", "friends"],
    ["RPOP", "friends"],
    ["SADD", "hobbies", "weight lifting"],
    ["SMEMBERS", "hobbies"],
    ["SREM", "hobbies", "weight lifting"],
    ["HSET", "person", "name", "kyle"],
    ["HGET", "person", "name"],
    ["HGETALL", "person"],
    ["HEXISTS", "person", "name"],
    ["HDEL", "person", "name"],
    ["FLUSHALL"],
    ["QUIT"],
]

# What redis-cli prints for a person (interactive, or --no-raw), command by command.
HUMAN = [
    "OK", '"kyle"', "(integer) 1", "(integer) 1", "(integer) 0", "(empty array)", "OK",
    "(integer) 10", "OK", "(integer) 1", "(integer) 100", "(integer) -2", "(integer) 1",
    "(integer) 2", '1) "john"\n2) "sally"', '"john"', '"sally"', "(integer) 1",
    '1) "weight lifting"', "(integer) 1", "(integer) 1", '"kyle"', '1) "name"\n2) "kyle"',
    "(integer) 1", "(integer) 1", "OK", "OK",
]
# The same with stdout a pipe (raw replies, one element per line).
RAW = [
    "OK", "kyle", "1", "1", "0", "", "OK", "10", "OK", "1", "100", "-2", "1", "2",
    "john\nsally", "john", "sally", "1", "weight lifting", "1", "1", "kyle", "name\nkyle", "1",
    "1", "OK", "OK",
]


@pytest.fixture
def servers():
    """A fresh server under test and a fresh redis-server: the session starts on empty data."""
    with target_server() as server, RedisProcess() as oracle:
        yield server, oracle


def argv_transcript(port: int, *options: str) -> list[str]:
    replies = []
    for command in SESSION:
        result = run_cli(port, *options, *command)
        assert result.returncode == 0, (command, result)
        assert result.stderr == b"", (command, result.stderr)
        replies.append(result.stdout.decode().rstrip("\n"))
    return replies


def typed(command: list[str]) -> str:
    return " ".join(f'"{word}"' if " " in word else word for word in command)


def interactive_transcript(port: int) -> list[str]:
    replies = []
    with InteractiveCli(port) as cli:
        for command in SESSION[:-1]:
            replies.append(cli.type(typed(command)).rstrip("\n"))
        # redis-cli handles a typed QUIT itself: it exits without sending anything.
        assert cli.quit(typed(SESSION[-1])) == 0
        transcript = cli.transcript
    replies.append("OK")
    for word in (b"Error", b"Assertion", b"assert", b"Segmentation"):
        assert word not in transcript, transcript.decode(errors="replace")
    return replies


def report(got: list[str], want: list[str]) -> str:
    lines = []
    for command, mine, theirs in zip(SESSION, got, want):
        if mine != theirs:
            lines.append(f"{' '.join(command)}: got {mine!r}, redis-server {theirs!r}")
    return "\n".join(lines)


def test_tutorial_as_arguments_raw(servers):
    server, oracle = servers
    want = argv_transcript(oracle.port)
    assert want == RAW
    got = argv_transcript(server.port)
    assert got == want, report(got, want)


def test_tutorial_as_arguments_human(servers):
    server, oracle = servers
    want = argv_transcript(oracle.port, "--no-raw")
    assert want == HUMAN
    got = argv_transcript(server.port, "--no-raw")
    assert got == want, report(got, want)


def test_tutorial_typed_interactively(servers):
    server, oracle = servers
    want = interactive_transcript(oracle.port)
    assert want == HUMAN
    got = interactive_transcript(server.port)
    assert got == want, report(got, want)
