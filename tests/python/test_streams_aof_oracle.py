"""How stream consumer-group commands reach the append-only log, against redis-server 7.0.15.

Redis does not log XREADGROUP, XCLAIM or XAUTOCLAIM as sent but as their effects: an
`XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n FORCE JUSTID LASTID id` per entry that
entered or moved in a pending list (several wrapped in MULTI/EXEC), `XGROUP SETID ... ENTRIESREAD`
when the group moved with nothing pending to log (NOACK), `XGROUP CREATECONSUMER` for a consumer
made on the way. The same script (plain commands, a blocked XREADGROUP served by XADD, MULTI/EXEC,
EVAL, errors) runs on a fresh Drayman and a fresh redis-server, both with `appendonly yes` and
`appendfsync always`, in RESP2 and RESP3; the replies and the bytes each added to its incremental
log must be equal, with the wall-clock milliseconds of XCLAIM's TIME argument masked. Then each
server's log is loaded by both servers, whose streams (XINFO STREAM FULL) must be equal.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest

from rawresp import RawConnection, encode
from servers import DraymanProcess, RedisProcess
from test_commands_vs_redis import parse_line

SCRIPT = [
    "XADD s 1-1 f v1", "XADD s 2-1 f v2", "XADD s 3-1 f v3", "XADD s 4-1 f v4",
    "XGROUP CREATE s g 0", "XGROUP CREATE s g2 $ ENTRIESREAD 4",
    "XGROUP CREATE nos g 0 MKSTREAM",
    # New entries: one XCLAIM each plus the group's SETID; history reads log nothing.
    "XREADGROUP GROUP g alice COUNT 2 STREAMS s >",
    "XREADGROUP GROUP g alice STREAMS s 0",
    "XREADGROUP GROUP g bob NOACK COUNT 1 STREAMS s >",
    "XREADGROUP GROUP g bob STREAMS s >",
    "XREADGROUP GROUP g bob STREAMS s >",
    "XREADGROUP GROUP g2 carol STREAMS s >",
    # Claims: explicit options, JUSTID, FORCE of an ID not pending, min-idle filtering nothing.
    "XCLAIM s g carol 0 1-1",
    "XCLAIM s g carol 0 2-1 RETRYCOUNT 7 JUSTID",
    "XCLAIM s g dave 0 9-9 FORCE",
    "XCLAIM s g dave 0 4-1 IDLE 0 LASTID 5-0",
    "XCLAIM s g dave 100000000 1-1",
    "XAUTOCLAIM s g erin 0 0 COUNT 2",
    "XAUTOCLAIM s g erin 0 0 JUSTID",
    # Deleted entries: XAUTOCLAIM drops them from the pending list.
    "XDEL s 2-1", "XAUTOCLAIM s g frank 0 0",
    "XACK s g 1-1 4-1", "XACK s g 1-1",
    "XGROUP CREATECONSUMER s g gina", "XGROUP CREATECONSUMER s g gina",
    "XGROUP DELCONSUMER s g erin", "XGROUP SETID s g 0 ENTRIESREAD 1",
    "XREADGROUP GROUP g hank COUNT 1 STREAMS s >",
    "XSETID s 10-0 ENTRIESADDED 12 MAXDELETEDID 5-0",
    "XTRIM s MAXLEN 2", "XGROUP DESTROY s g2",
    # In a transaction and from a script.
    "MULTI", "XADD s 11-1 f v11", "XREADGROUP GROUP g ivan STREAMS s >", "EXEC",
    "EVAL \"redis.call('XADD', KEYS[1], '12-1', 'f', 'v12') "
    "return redis.call('XREADGROUP', 'GROUP', 'g', 'jack', 'STREAMS', KEYS[1], '>')\" 1 s",
    # Errors log nothing.
    "XREADGROUP GROUP nog x STREAMS s >", "XCLAIM s nog c 0 1-1", "XAUTOCLAIM s g c 0 x",
]

TIME_ARG = re.compile(rb"(\$4\r\nTIME\r\n)\$\d+\r\n\d+\r\n")


def incr_log(workdir: Path) -> bytes:
    path = workdir / "appendonlydir" / "appendonly.aof.manifest"
    deadline = time.monotonic() + 10
    while not path.exists():  # written just after the server starts listening
        assert time.monotonic() < deadline, "no manifest"
        time.sleep(0.01)
    manifest = path.read_text()
    names = re.findall(r"file (\S+) seq \d+ type i", manifest)
    assert len(names) == 1, manifest
    return (workdir / "appendonlydir" / names[0]).read_bytes()


def wait_blocked(control: RawConnection, count: int) -> None:
    deadline = time.monotonic() + 5
    while f"blocked_clients:{count}\r\n".encode() not in control.command("INFO", "clients"):
        assert time.monotonic() < deadline, "the blocking XREADGROUP never blocked"
        time.sleep(0.002)


def run(server, protocol: int) -> tuple[list[bytes], bytes]:
    workdir = Path(server.workdir)
    before = incr_log(workdir)
    replies = []
    with RawConnection(server.port) as connection, RawConnection(server.port) as blocker:
        for conn in (connection, blocker):
            conn.command("HELLO", str(protocol))
        for line in SCRIPT:
            replies.append(connection.command(*parse_line(line)[1]))
        # A blocked reader served by a later XADD logs its XCLAIM and SETID after the XADD.
        blocker.send(encode("XREADGROUP", "GROUP", "g", "kim", "BLOCK", "0", "STREAMS", "s", ">"))
        wait_blocked(connection, 1)
        replies.append(connection.command("XADD", "s", "20-1", "f", "v20"))
        replies.append(blocker.read_reply())
        replies.append(connection.command("XINFO", "STREAM", "s", "FULL"))
    added = incr_log(workdir)[len(before):]
    return replies, TIME_ARG.sub(rb"\1$13\r\nMASKED\r\n", added)


def masked_full(port: int) -> bytes:
    """XINFO STREAM FULL in RESP2, with the delivery times (wall clock) masked."""
    with RawConnection(port) as connection:
        reply = connection.command("XINFO", "STREAM", "s", "FULL")
    return re.sub(rb":1\d{12}\r\n", b":MASKED\r\n", reply)


AOF = ("--appendonly", "yes", "--appendfsync", "always", "--aof-use-rdb-preamble", "no")


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_group_commands_log_redis_effects(protocol):
    with DraymanProcess(*AOF) as drayman, RedisProcess(*AOF) as oracle:
        got_replies, got_log = run(drayman, protocol)
        want_replies, want_log = run(oracle, protocol)
        for line, mine, theirs in zip(SCRIPT + ["(blocked)", "XADD", "XINFO"], got_replies,
                                      want_replies):
            if line.startswith("XINFO"):  # seen-time and active-time are the wall clock
                mine, theirs = (re.sub(rb":1\d{12}\r\n", b":T\r\n", r) for r in (mine, theirs))
            assert mine == theirs, (line, mine, theirs)
        assert got_log.count(b"XCLAIM") > 10 and b"SETID" in got_log
        assert got_log == want_log, (got_log.decode(errors="replace"),
                                     want_log.decode(errors="replace"))


def loaded_full(target, directory: Path) -> bytes:
    with target(*AOF, "--dir", str(directory)) as server:
        deadline = time.monotonic() + 10
        while (full := masked_full(server.port)).startswith(b"-LOADING"):
            assert time.monotonic() < deadline
            time.sleep(0.01)
        return full


def test_each_servers_log_loads_into_both_alike(tmp_path):
    """A replayed log is not the live state (as in Redis 7.0, XCLAIM ... LASTID moves a group's
    last-delivered ID but not its entries-read), so both servers load each log and must agree."""
    with DraymanProcess(*AOF) as drayman, RedisProcess(*AOF) as oracle:
        run(drayman, 2)
        run(oracle, 2)
        assert masked_full(drayman.port) == masked_full(oracle.port)
        # appendfsync always: the directories are complete while the servers run.
        for name, server in (("redis", oracle), ("drayman", drayman)):
            for copy in ("a", "b"):
                shutil.copytree(Path(server.workdir) / "appendonlydir",
                                tmp_path / f"{name}-{copy}" / "appendonlydir")
    for source in ("redis", "drayman"):
        want = loaded_full(RedisProcess, tmp_path / f"{source}-a")
        got = loaded_full(DraymanProcess, tmp_path / f"{source}-b")
        assert b"entries-read" in want
        assert got == want, (source, got, want)
