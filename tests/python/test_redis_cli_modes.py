"""redis-cli's other modes against Drayman, each checked against redis-server running the same.

Interactive start-up and help, --scan with --pattern, --bigkeys over keys of every type, --stat
for a few seconds, and -3 (HELLO 3, then RESP3 replies printed by redis-cli). Every run must end
with the exit status redis-cli has against Redis, print nothing on stderr, and never say "Error"
or trip an assertion; outputs that are deterministic must equal redis-server's.
"""

from __future__ import annotations

import re
import signal

import pytest

from cli import InteractiveCli, run_cli, run_on_pty
from rawresp import RawConnection
from servers import RedisProcess, target_server

BAD_WORDS = ("Error", "ERR", "Assertion", "assert", "Segmentation", "failed")

# Keys of every type Drayman stores, sizes all distinct so "biggest" never depends on scan order.
DATA = [
    ("SET", "user:1", "a"),
    ("SET", "user:2", "bbbb"),
    ("SET", "user:3", "cccccccc"),
    ("SET", "session:1", "dd"),
    ("RPUSH", "queue:celery", "m1", "m2", "m3"),
    ("RPUSH", "queue:small", "m1"),
    ("SADD", "tags", "red", "green"),
    ("SADD", "tags:big", "a", "b", "c", "d"),
    ("HSET", "unacked", "t1", "x", "t2", "y", "t3", "z"),
    ("HSET", "person", "name", "kyle"),
    ("ZADD", "unacked_index", "1", "t1", "2", "t2"),
    ("ZADD", "asgi:group:chat", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"),
]


@pytest.fixture
def bare_servers():
    """A fresh server under test and a fresh redis-server."""
    with target_server() as server, RedisProcess() as oracle:
        yield server, oracle


@pytest.fixture
def servers(bare_servers):
    """Both servers loaded with DATA."""
    for process in bare_servers:
        with RawConnection(process.port) as connection:
            for command in DATA:
                reply = connection.command(*command)
                assert reply[:1] == b":" or reply == b"+OK\r\n", (process.name, command, reply)
    return bare_servers


def assert_clean(text: str, stderr: bytes = b"") -> None:
    assert stderr == b"", stderr
    for word in BAD_WORDS:
        assert word not in text, text


def test_interactive_startup_and_help(bare_servers):
    for process in bare_servers:
        with InteractiveCli(process.port) as cli:
            general = cli.type("help")
            assert "To get help about Redis commands type:" in general
            # The summary comes from COMMAND DOCS (or redis-cli's own table when that fails); the
            # argument syntax ("GET key") only if the server's docs list arguments.
            get_help = cli.type("help get")
            assert "GET" in get_help and "summary: Get the value of a key" in get_help
            assert "group: string" in get_help
            list_help = cli.type("help @list")
            assert "LPUSH" in list_help and "summary: Prepend one or multiple elements" in list_help
            assert cli.type("PING") == "PONG\n"
            assert cli.quit() == 0
            assert_clean(cli.transcript.decode(errors="replace"))


def test_scan_with_pattern(servers):
    outputs = []
    for process in servers:
        result = run_cli(process.port, "--scan", "--pattern", "user:*")
        assert result.returncode == 0
        assert_clean(result.stdout.decode(), result.stderr)
        outputs.append(sorted(result.stdout.decode().split()))
    assert outputs[1] == ["user:1", "user:2", "user:3"]
    assert outputs[0] == outputs[1]


def test_scan_everything(servers):
    outputs = []
    for process in servers:
        result = run_cli(process.port, "--scan")
        assert result.returncode == 0
        assert_clean(result.stdout.decode(), result.stderr)
        outputs.append(sorted(result.stdout.decode().split()))
    assert outputs[1] == sorted(command[1] for command in DATA)
    assert outputs[0] == outputs[1]


def summary(output: str) -> str:
    assert "-------- summary -------" in output, output
    return output.split("-------- summary -------", 1)[1]


def test_bigkeys(servers):
    outputs = []
    for process in servers:
        result = run_cli(process.port, "--bigkeys")
        assert result.returncode == 0, result
        text = result.stdout.decode()
        assert_clean(text, result.stderr)
        outputs.append(summary(text))
    assert "Biggest   list found '\"queue:celery\"' has 3 items" in outputs[1]
    assert "Biggest   zset found '\"asgi:group:chat\"' has 5 members" in outputs[1]
    assert outputs[0] == outputs[1]


def stat_rows(output: str) -> list[list[str]]:
    lines = [line for line in output.splitlines() if line.strip()]
    header = next(i for i, line in enumerate(lines)
                  if line.split()[:3] == ["keys", "mem", "clients"])
    return [line.split() for line in lines[header + 1:] if not line.startswith("-")]


def test_stat(servers):
    for process in servers:
        status, output, stderr = run_on_pty(process.port, "--stat", "-i", "0.5", seconds=3)
        # redis-cli --stat loops until interrupted; Ctrl-C ends it by the signal.
        assert status == -signal.SIGINT
        assert_clean(output, stderr)
        assert "------- data ------" in output
        rows = stat_rows(output)
        assert len(rows) >= 2, output
        for row in rows:
            assert row[0] == str(len(DATA)), output  # keys
            assert row[2] == "1", output  # clients: redis-cli itself
            assert row[3] == "0", output  # blocked


RESP3_COMMANDS = [
    ["HGETALL", "unacked"],
    ["HGETALL", "nosuch"],
    ["GET", "nosuch"],
    ["GET", "user:2"],
    ["LRANGE", "queue:celery", "0", "-1"],
    ["ZRANGE", "unacked_index", "0", "-1", "WITHSCORES"],
    ["ZSCORE", "asgi:group:chat", "c"],
    ["ZSCORE", "asgi:group:chat", "nosuch"],
    ["SCARD", "tags"],
    ["EXISTS", "user:1", "nosuch"],
    ["TYPE", "unacked_index"],
    ["PING"],
    ["ECHO", "hello"],
]


@pytest.mark.parametrize("raw", [False, True], ids=["human", "raw"])
def test_resp3_command_line(servers, raw):
    transcripts = []
    for process in servers:
        replies = []
        for command in RESP3_COMMANDS:
            result = run_cli(process.port, "-3", *([] if raw else ["--no-raw"]), *command)
            assert result.returncode == 0, (command, result)
            assert_clean(result.stdout.decode(), result.stderr)
            replies.append(result.stdout.decode())
        transcripts.append(replies)
    assert transcripts[1][0] == '1# "t1" => "x"\n2# "t2" => "y"\n3# "t3" => "z"\n' or raw
    assert transcripts[0] == transcripts[1]


def test_resp3_interactive(servers):
    transcripts = []
    for process in servers:
        with InteractiveCli(process.port, "-3") as cli:
            replies = [cli.type(" ".join(command)) for command in RESP3_COMMANDS]
            # Set order is unspecified: compare the members without redis-cli's numbering.
            members = cli.type("SMEMBERS tags").splitlines()
            replies.append(sorted(re.sub(r"^\d+~ ", "", line) for line in members))
            assert cli.quit() == 0
            assert_clean(cli.transcript.decode(errors="replace"))
        transcripts.append(replies)
    assert transcripts[1][5] == ('1) 1) "t1"\n   2) (double) 1\n2) 1) "t2"\n   2) (double) 2\n')
    assert transcripts[0] == transcripts[1]
