"""Streams against redis-server 7.0.15, whole replies byte for byte, in RESP2 and RESP3.

Two parts:
- GROUPS: hand-written command lines (redis-cli quoting, as in test_commands_vs_redis.py), each
  group on a fresh pair of servers.
- A seeded randomized differential run: a generator of stream command sequences (XADD with
  explicit and ms-* IDs, trimming, XDEL, ranges, XREAD, groups, XREADGROUP, XACK, XPENDING,
  XCLAIM, XAUTOCLAIM, XINFO, XSETID, DUMP/RESTORE round trips) whose replies must be equal.

The only normalisation is time: fields that carry the server's clock (XPENDING's idle, XINFO's
idle, seen-time and delivery times, and the IDs XADD * generates) are masked, because two servers
never run a command in the same millisecond. Everything else, error texts included, is compared
byte for byte. STREAMS_DIFF_COMMANDS (default 15,000 per protocol) sets the random run's length; bench/ runs it
longer.
"""

from __future__ import annotations

import os
import random

import pytest

from rawresp import RawConnection, encode, parse
from servers import RedisProcess, target_server
from test_commands_vs_redis import parse_line

GROUPS: dict[str, list[str]] = {
    "xadd_basics": [
        "XADD s 1-1 f v", "XADD s 1-1 f v", "XADD s 1-2 a 1 b 2", "XADD s 1 f v", "XADD s 2 f v",
        "XADD s 0-0 f v", "XADD s 0 f v", "XADD s 2-* f v", "XADD s 2-* f v", "XADD s 5-* f v",
        "XADD s 3-* x y", "XADD s f", "XADD s 10-1 f", "XADD s 10-1 f v g", "XADD s abc f v",
        "XADD s -1 f v", "XADD s 1-x f v", "XADD s + f v", "XADD s - f v", "XADD s 99-* f v",
        "XLEN s", "XLEN nosuch", "TYPE s", "OBJECT ENCODING s", "XADD s NOMKSTREAM 100-1 f v",
        "XADD new NOMKSTREAM 1-1 f v", "EXISTS new", "XADD s 18446744073709551615-18446744073709551615 f v",
        "XADD s 18446744073709551615-* f v", "XADD s 1-1 f v", "SET str x", "XADD str 1-1 f v",
        "XLEN str", "XADD s2 0-* f v", "XADD s2 0-* f v", "XRANGE s2 - +", "XADD s3 5 f v",
        "XADD s3 5-* f v", "XADD s3 18446744073709551616 f v", "XADD s3 +5 f v",
        "XADD s3 \" 7\" f v", "XADD s3 -0 f v", "XADD s3 9-18446744073709551615 f v",
        "XADD s3 9-* f v", "XADD s3 123456789012-42 f v", "XRANGE s3 - +",
        "XADD s4 1-1 12 34 -5 6.5 \"\" x", "XRANGE s4 - +", "XADD", "XADD s", "XADD s 1-1",
    ],
    "xadd_trim": [
        "XADD s MAXLEN 2 1-1 f v", "XADD s MAXLEN 2 2-1 f v", "XADD s MAXLEN 2 3-1 f v",
        "XRANGE s - +", "XADD s MAXLEN = 1 4-1 f v", "XRANGE s - +", "XADD s MAXLEN ~ 1 5-1 f v",
        "XLEN s", "XADD s MAXLEN -1 6-1 f v", "XADD s MAXLEN x 6-1 f v",
        "XADD s MAXLEN 1 MINID 1 6-1 f v", "XADD s MINID 5 7-1 f v", "XRANGE s - +",
        "XADD s MINID = 7-1 8-1 f v", "XRANGE s - +", "XADD s MINID ~ 8 9-1 f v",
        "XADD s MINID x 9-1 f v", "XADD s MINID - 9-2 f v", "XADD s LIMIT 10 10-1 f v",
        "XADD s MAXLEN 1 LIMIT 10 10-1 f v", "XADD s MAXLEN ~ 1 LIMIT 10 10-1 f v",
        "XADD s MAXLEN ~ 1 LIMIT -1 11-1 f v", "XADD s MAXLEN ~ 1 LIMIT x 11-1 f v",
        "XADD s MAXLEN ~ 0 LIMIT 0 11-1 f v", "XLEN s", "XADD s maxlen 0 12-1 f v", "XLEN s",
        "XRANGE s - +", "XINFO STREAM s", "XADD s NOMKSTREAM MAXLEN 5 13-1 f v",
        "XADD s MAXLEN 5 NOMKSTREAM 14-1 f v", "XADD s nomkstream nomkstream 15-1 f v",
    ],
    "xadd_many_nodes": [
        *[f"XADD big {i}-1 field value{i}" for i in range(1, 251)],
        "XLEN big", "XINFO STREAM big", "XTRIM big MAXLEN ~ 120", "XLEN big",
        "XTRIM big MAXLEN ~ 10", "XLEN big", "XINFO STREAM big", "XTRIM big MINID ~ 230-1",
        "XLEN big", "XTRIM big MAXLEN 5", "XRANGE big - +", "XINFO STREAM big",
        "XINFO STREAM big FULL", "XTRIM big MAXLEN 0", "XINFO STREAM big",
        *[f"XADD mixed {i}-0 f{i % 3} v" for i in range(1, 130)], "XINFO STREAM mixed",
        "XDEL mixed 1-0 2-0 3-0 50-0 128-0 129-0", "XRANGE mixed 40 60", "XREVRANGE mixed + - COUNT 5",
        "XTRIM mixed MINID 101", "XLEN mixed", "XINFO STREAM mixed", "XTRIM mixed MAXLEN ~ 1 LIMIT 50",
        "XLEN mixed",
    ],
    "xrange": [
        "XADD s 1-1 a 1", "XADD s 1-2 b 2", "XADD s 2-1 c 3", "XADD s 3-0 d 4", "XRANGE s - +",
        "XRANGE s 1 1", "XRANGE s 1-2 +", "XRANGE s (1-1 +", "XRANGE s - (3-0", "XRANGE s (1-2 (2-1",
        "XRANGE s - + COUNT 2", "XRANGE s - + COUNT 0", "XRANGE s - + COUNT -1", "XRANGE s - + COUNT x",
        "XRANGE s - + COUNT", "XRANGE s - + FOO 1", "XRANGE s + -", "XRANGE s (- +", "XRANGE s - (+",
        "XRANGE s (18446744073709551615-18446744073709551615 +", "XRANGE s - (0-0", "XRANGE s x +",
        "XRANGE s 1-x +", "XRANGE s ( +", "XRANGE s 2 2", "XRANGE nosuch - +",
        "XRANGE nosuch - + COUNT 0", "XREVRANGE s + -", "XREVRANGE s + - COUNT 1",
        "XREVRANGE s (3-0 -", "XREVRANGE s 2 1-2", "XREVRANGE s - +", "XREVRANGE s + (1-1",
        "XREVRANGE nosuch + -", "SET str x", "XRANGE str - +", "XREVRANGE str + -",
        "XRANGE s - + count 1", "XRANGE s - + COUNT 1 COUNT 3", "XRANGE s", "XRANGE s -",
    ],
    "xdel_xtrim": [
        "XADD s 1-1 a 1", "XADD s 2-1 b 2", "XADD s 3-1 c 3", "XADD s 4-1 d 4", "XDEL s 2-1",
        "XDEL s 2-1", "XDEL s 1-1 3-1 9-9", "XRANGE s - +", "XINFO STREAM s", "XDEL s x",
        "XDEL s 4-1 x", "XDEL nosuch 1-1", "XDEL s 4-1", "XLEN s", "XINFO STREAM s", "EXISTS s",
        "XADD t 1-1 a 1", "XADD t 2-1 a 2", "XADD t 3-1 a 3", "XTRIM t MAXLEN 1", "XRANGE t - +",
        "XTRIM t MAXLEN 5", "XTRIM t", "XTRIM t MINID", "XTRIM t FOO 1", "XTRIM t MAXLEN -1",
        "XTRIM t MINID 4", "XLEN t", "XINFO STREAM t", "XTRIM nosuch MAXLEN 0",
        "XTRIM t MAXLEN 0 LIMIT 1", "XTRIM t LIMIT 1", "XTRIM t MAXLEN ~ 0 LIMIT 1",
        "SET str x", "XTRIM str MAXLEN 0", "XDEL str 1-1", "XADD u 5-1 a 1", "XDEL u 5",
        "XINFO STREAM u", "XADD u 6-1 a 1", "XINFO STREAM u",
    ],
    "xread": [
        "XADD a 1-1 f 1", "XADD a 2-1 f 2", "XADD b 1-1 g 1", "XREAD STREAMS a 0",
        "XREAD STREAMS a b 0 0", "XREAD COUNT 1 STREAMS a b 0 0", "XREAD STREAMS a b 1-1 1-1",
        "XREAD STREAMS a $", "XREAD STREAMS nosuch 0", "XREAD STREAMS nosuch $",
        "XREAD STREAMS a b 0", "XREAD STREAMS a", "XREAD COUNT x STREAMS a 0",
        "XREAD COUNT -5 STREAMS a 0", "XREAD BLOCK x STREAMS a 0", "XREAD BLOCK -1 STREAMS a 0",
        "XREAD GROUP g c STREAMS a 0", "XREAD NOACK STREAMS a 0", "XREAD FOO STREAMS a 0",
        "XREAD STREAMS a >", "XREAD STREAMS a x", "XREAD STREAMS a -", "XREAD STREAMS a +",
        "XREAD STREAMS a 1", "XREAD BLOCK 10 STREAMS a 0", "XREAD COUNT 1", "SET str x",
        "XREAD STREAMS str 0", "XREAD STREAMS a str 0 0", "MULTI", "XREAD BLOCK 0 STREAMS a $",
        "EXEC", "XREAD streams a 0", "XREAD STREAMS a (1-1",
    ],
    "groups": [
        "XGROUP CREATE s g $", "XGROUP CREATE s g $ MKSTREAM", "XGROUP CREATE s g $ MKSTREAM",
        "XINFO STREAM s", "XINFO GROUPS s", "XADD s 1-1 f 1", "XADD s 2-1 f 2", "XADD s 3-1 f 3",
        "XINFO GROUPS s", "XGROUP CREATE s g0 0", "XGROUP CREATE s g1 1-1 ENTRIESREAD 1",
        "XGROUP CREATE s g2 0 ENTRIESREAD -2", "XGROUP CREATE s g2 0 ENTRIESREAD x",
        "XGROUP CREATE s g2 0 FOO", "XGROUP CREATE s g2 x", "XGROUP CREATE s g2 -",
        "XGROUP CREATE s g2 0 MKSTREAM ENTRIESREAD 0 extra", "XINFO GROUPS s",
        "XGROUP CREATECONSUMER s g0 alice", "XGROUP CREATECONSUMER s g0 alice",
        "XGROUP CREATECONSUMER s nog alice", "XGROUP CREATECONSUMER nosuch g alice",
        "XGROUP DELCONSUMER s g0 bob", "XGROUP DELCONSUMER s g0 alice", "XGROUP SETID s g0 2-1",
        "XGROUP SETID s g0 $", "XGROUP SETID s g0 - ENTRIESREAD 0", "XGROUP SETID s g0 0 ENTRIESREAD 3",
        "XGROUP SETID s nog 0", "XGROUP SETID s g0 x", "XINFO GROUPS s", "XGROUP DESTROY s g1",
        "XGROUP DESTROY s g1", "XGROUP DESTROY nosuch g1", "XGROUP HELP", "XGROUP FOO",
        "XGROUP CREATE s", "XGROUP DESTROY s", "XGROUP HELP x", "XGROUP CREATE nosuch g 0",
        "SET str x", "XGROUP CREATE str g 0", "XGROUP CREATE str g 0 MKSTREAM", "XINFO HELP",
        "XINFO FOO s", "XINFO STREAM nosuch", "XINFO GROUPS nosuch", "XINFO CONSUMERS s nog",
        "XINFO STREAM s FOO", "XINFO STREAM s FULL COUNT", "XINFO STREAM s FULL COUNT x",
        "XINFO STREAM str", "XINFO", "XINFO HELP x",
    ],
    "readgroup": [
        "XADD s 1-1 f 1", "XADD s 2-1 f 2", "XADD s 3-1 f 3", "XGROUP CREATE s g 0",
        "XREADGROUP GROUP g alice COUNT 1 STREAMS s >", "XREADGROUP GROUP g bob STREAMS s >",
        "XREADGROUP GROUP g bob STREAMS s >", "XREADGROUP GROUP g alice STREAMS s 0",
        "XREADGROUP GROUP g bob STREAMS s 0", "XREADGROUP GROUP g bob COUNT 1 STREAMS s 2-1",
        "XPENDING s g", "XACK s g 1-1", "XACK s g 1-1 2-1 9-9", "XACK s g x", "XACK s nog 3-1",
        "XACK nosuch g 3-1", "XPENDING s g", "XINFO GROUPS s", "XADD s 4-1 f 4",
        "XREADGROUP GROUP g carol NOACK STREAMS s >", "XPENDING s g", "XINFO GROUPS s",
        "XREADGROUP GROUP g carol STREAMS s $", "XREADGROUP GROUP nog carol STREAMS s >",
        "XREADGROUP GROUP g carol STREAMS nosuch >", "XREADGROUP STREAMS s >",
        "XREADGROUP GROUP g STREAMS s >", "XREADGROUP GROUP g c STREAMS s", "XDEL s 3-1",
        "XREADGROUP GROUP g bob STREAMS s 0", "XPENDING s g", "XPENDING s g - + 10 bob",
        "XPENDING s g - + 10", "XPENDING s g - + 0", "XPENDING s g - + 10 nobody",
        "XPENDING s g IDLE 100000000 - + 10", "XPENDING s g - +", "XPENDING s g - + x",
        "XPENDING s g x + 10", "XPENDING s g (3-1 + 10", "XPENDING s g IDLE x - + 10",
        "XPENDING s g IDLE 1 - +", "XPENDING nosuch g", "XPENDING s nog", "XPENDING s g a b c d e f",
        "XINFO CONSUMERS s g", "XINFO STREAM s", "XGROUP DELCONSUMER s g bob", "XPENDING s g",
        "XINFO STREAM s FULL", "XINFO STREAM s FULL COUNT 1", "XINFO STREAM s FULL COUNT 0",
        "SET str x", "XREADGROUP GROUP g c STREAMS str >",
    ],
    "claim": [
        "XADD s 1-1 f 1", "XADD s 2-1 f 2", "XADD s 3-1 f 3", "XADD s 4-1 f 4", "XGROUP CREATE s g 0",
        "XREADGROUP GROUP g alice STREAMS s >", "XCLAIM s g bob 0 1-1", "XCLAIM s g bob 0 2-1 JUSTID",
        "XCLAIM s g bob 100000000 3-1", "XPENDING s g", "XCLAIM s g bob 0 3-1 RETRYCOUNT 7 JUSTID",
        "XPENDING s g - + 10 bob", "XCLAIM s g bob 0 9-9 FORCE", "XCLAIM s g bob 0 5-5",
        "XADD s 5-1 f 5", "XCLAIM s g carol 0 5-1 FORCE JUSTID", "XPENDING s g",
        "XCLAIM s g bob 0 1-1 IDLE x", "XCLAIM s g bob 0 1-1 TIME x", "XCLAIM s g bob 0 1-1 RETRYCOUNT x",
        "XCLAIM s g bob 0 1-1 LASTID x", "XCLAIM s g bob 0 1-1 FOO", "XCLAIM s g bob x 1-1",
        "XCLAIM s g bob -5 1-1 JUSTID", "XCLAIM s g bob 0 1-1 LASTID 100-1 JUSTID", "XINFO GROUPS s",
        "XCLAIM s nog bob 0 1-1", "XCLAIM nosuch g bob 0 1-1", "XDEL s 2-1", "XCLAIM s g dave 0 2-1",
        "XPENDING s g", "XCLAIM s g dave 0 1-1 TIME 1000 RETRYCOUNT 3", "XCLAIM s g dave 0 1-1 IDLE 5",
        "XAUTOCLAIM s g erin 0 0", "XAUTOCLAIM s g erin 0 0 COUNT 1", "XAUTOCLAIM s g erin 0 0 JUSTID",
        "XAUTOCLAIM s g erin 100000000 0", "XAUTOCLAIM s g erin 0 (1-1 COUNT 2",
        "XAUTOCLAIM s g erin 0 0 COUNT 0", "XAUTOCLAIM s g erin 0 0 COUNT x",
        "XAUTOCLAIM s g erin x 0", "XAUTOCLAIM s g erin 0 x", "XAUTOCLAIM s g erin 0 0 FOO",
        "XAUTOCLAIM s nog erin 0 0", "XAUTOCLAIM nosuch g erin 0 0", "XDEL s 4-1",
        "XAUTOCLAIM s g frank 0 0", "XPENDING s g", "XINFO CONSUMERS s g", "XAUTOCLAIM s g frank 0 0 COUNT 1000000000000000000",
        "SET str x", "XCLAIM str g bob 0 1-1", "XAUTOCLAIM str g bob 0 0",
    ],
    "setid_lag": [
        "XADD s 1-1 f 1", "XADD s 2-1 f 2", "XSETID s 5-1", "XINFO STREAM s", "XSETID s 1-1",
        "XSETID s 5-1 ENTRIESADDED 1", "XSETID s 5-1 ENTRIESADDED 9 MAXDELETEDID 3-1", "XINFO STREAM s",
        "XSETID s 5-1 ENTRIESADDED -1", "XSETID s 5-1 MAXDELETEDID 6-1", "XSETID s 5-1 FOO",
        "XSETID s x", "XSETID s -", "XSETID nosuch 1-1", "XGROUP CREATE s g 0", "XINFO GROUPS s",
        "XREADGROUP GROUP g c COUNT 1 STREAMS s >", "XINFO GROUPS s", "XDEL s 2-1", "XINFO GROUPS s",
        "XADD s 6-1 f 6", "XINFO GROUPS s", "XREADGROUP GROUP g c STREAMS s >", "XINFO GROUPS s",
        "XGROUP CREATE s h 0 ENTRIESREAD 0", "XINFO GROUPS s", "XGROUP SETID s h 1-1", "XINFO GROUPS s",
        "SET str x", "XSETID str 1-1", "XSETID s 10-1 ENTRIESADDED 0 MAXDELETEDID 0-0",
    ],
    "large_entries": [
        # Entries around and beyond stream-node-max-bytes (4096): nodes split where Redis splits
        # them (XINFO's radix-tree figures, XTRIM ~ removing whole nodes).
        *[f"XADD big {i}-1 f {'v' * (997 * (i % 7))}x g {i}" for i in range(1, 41)],
        "XINFO STREAM big", "XTRIM big MAXLEN ~ 30", "XLEN big", "XINFO STREAM big",
        "XTRIM big MINID ~ 20", "XLEN big", "XDEL big 25-1 26-1", "XTRIM big MAXLEN ~ 10 LIMIT 3",
        "XLEN big", "XINFO STREAM big", "XREVRANGE big + - COUNT 3", "XRANGE big (30-1 + COUNT 2",
        "XINFO STREAM big FULL COUNT 3",
        *[f"XADD mid {i}-1 a {'m' * (125 + i)} b {i}" for i in range(1, 60)],
        "XINFO STREAM mid", "XTRIM mid MAXLEN ~ 20", "XLEN mid", "XREVRANGE mid + - COUNT 2",
    ],
    "dump_restore": [
        "XADD s 1-1 f 1", "XADD s 2-1 f 2 g 3", "XADD s 3-1 f 300000", "XGROUP CREATE s g 0",
        "XGROUP CREATECONSUMER s g idle", "XDEL s 2-1", "DUMP s", "XGROUP CREATE e g 0 MKSTREAM",
        "DUMP e",
    ],
}

# Commands whose replies carry the server's clock, and how to mask them.
TIME_KEYS = {b"idle", b"seen-time"}


def _mask(node, command: list[bytes]):
    """Replaces clock-derived values in a parsed reply with a placeholder."""
    name = command[0].upper() if command else b""
    kind, payload = node
    if name == b"XPENDING" and len(command) >= 6 and isinstance(payload, list):
        rows = []
        for row in payload:
            if isinstance(row[1], list) and len(row[1]) == 4:
                row = (row[0], row[1][:2] + [(b":", b"T")] + row[1][3:])
            rows.append(row)
        return (kind, rows)
    if name == b"XINFO" and isinstance(payload, list):
        return _mask_info(node)
    return node


def _mask_info(node):
    kind, payload = node
    if not isinstance(payload, list):
        return node
    out = []
    mask_next = False
    for child in payload:
        if mask_next:
            out.append((b":", b"T"))
            mask_next = False
            continue
        if child[0] == b"$" and child[1] in TIME_KEYS:
            mask_next = True
        if child[0] == b"$" and child[1] == b"pending":
            out.append(child)
            continue
        out.append(_mask_info(child))
    # Pending rows of XINFO STREAM FULL: [id, consumer, delivery-time, count] / [id, time, count].
    if kind in (b"*",) and out and all(c[0] in (b"$", b":") for c in out):
        if len(out) == 4 and out[1][0] == b"$" and out[2][0] == b":":
            out[2] = (b":", b"T")
        elif len(out) == 3 and out[0][0] == b"$" and out[1][0] == b":" and out[2][0] == b":":
            out[1] = (b":", b"T")
    return (kind, out)


def comparable(reply: bytes, command: list[bytes]):
    name = command[0].upper() if command else b""
    if name == b"DUMP":
        # Consumers' seen-times and delivery times are clock values inside the payload; the
        # bytes are compared exactly by test_dump_is_byte_identical (a stream without groups).
        return len(reply)
    if name in (b"XPENDING", b"XINFO") and not reply.startswith(b"-"):
        return _mask(parse(reply), command)
    return reply


def run_lines(port: int, commands: list[list[bytes]], protocol: int) -> list[bytes]:
    with RawConnection(port) as connection:
        if protocol == 3:
            assert connection.command("HELLO", "3").startswith(b"%")
        replies = []
        for args in commands:
            connection.send(encode(*args))
            replies.append(connection.read_reply())
        return replies


def compare(server_port: int, oracle_port: int, commands: list[list[bytes]], protocol: int):
    want = run_lines(oracle_port, commands, protocol)
    got = run_lines(server_port, commands, protocol)
    mismatches = []
    for args, mine, theirs in zip(commands, got, want):
        if comparable(mine, args) != comparable(theirs, args):
            line = b" ".join(args)[:100]
            mismatches.append(f"  {line!r}\n    drayman: {mine[:300]!r}\n    redis:   {theirs[:300]!r}")
    return mismatches


@pytest.fixture
def servers():
    # DEBUG DIGEST-VALUE (the differential's final check) needs the debug command enabled.
    debug = ("--enable-debug-command", "yes")
    with target_server(*debug) as server, RedisProcess(*debug) as oracle:
        yield server, oracle


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("group", GROUPS.keys())
def test_group_matches_redis(servers, group, protocol):
    server, oracle = servers
    commands = [parse_line(line)[1] for line in GROUPS[group]]
    mismatches = compare(server.port, oracle.port, commands, protocol)
    assert not mismatches, f"{len(mismatches)} of {len(commands)} replies differ:\n" + "\n".join(
        mismatches[:40])


def test_dump_payloads_restore_across_servers(servers):
    """Each server's DUMP of the same stream RESTOREs on the other to the same XINFO."""
    server, oracle = servers
    setup = [parse_line(line)[1] for line in GROUPS["dump_restore"]]
    setup += [[b"XREADGROUP", b"GROUP", b"g", b"alice", b"STREAMS", b"s", b">"]]
    run_lines(server.port, setup, 2)
    run_lines(oracle.port, setup, 2)
    for src, dst in ((server, oracle), (oracle, server)):
        for key in (b"s", b"e"):
            dumped = run_lines(src.port, [[b"DUMP", key]], 2)[0]
            payload = parse(dumped)[1]
            assert payload is not None
            target = b"copy-" + key
            restored = run_lines(dst.port, [[b"RESTORE", target, b"0", payload]], 2)[0]
            assert restored == b"+OK\r\n", restored
            infos = [run_lines(p, [[b"XINFO", b"STREAM", k, b"FULL"]], 2)[0]
                     for p, k in ((src.port, key), (dst.port, target))]
            masked = [comparable(info, [b"XINFO", b"STREAM", b"k", b"FULL"]) for info in infos]
            assert masked[0] == masked[1]


def test_dump_is_byte_identical(servers):
    """Streams built the same way DUMP to the same bytes on both servers."""
    server, oracle = servers
    setup = [parse_line(line)[1] for line in GROUPS["dump_restore"][:-3]]
    setup += [[b"XADD", b"big", f"{i}-1".encode(), b"field", b"v%d" % i] for i in range(1, 260)]
    setup += [[b"XDEL", b"big", b"5-1", b"150-1"], [b"XTRIM", b"big", b"MINID", b"20"]]
    # Elements across the listpack encodings and back-length sizes, and entries beyond a node.
    sizes = [62, 63, 64, 125, 126, 127, 128, 1000, 4090, 4096, 5000, 16377, 16378, 16379, 20000]
    setup += [[b"XADD", b"large", b"%d-1" % i, b"f", b"x" * size, b"n", b"%d" % size]
              for i, size in enumerate(sizes, start=1)]
    setup += [[b"XDEL", b"large", b"3-1"]]
    run_lines(server.port, setup, 2)
    run_lines(oracle.port, setup, 2)
    for key in (b"big", b"large"):
        mine = run_lines(server.port, [[b"DUMP", key]], 2)[0]
        theirs = run_lines(oracle.port, [[b"DUMP", key]], 2)[0]
        assert mine == theirs


# --- the randomized differential run ---

KEYS = [b"s1", b"s2", b"s3"]
GROUP_NAMES = [b"g1", b"g2"]
CONSUMERS = [b"c1", b"c2", b"c3"]
FIELDS = [b"f", b"g", b"h", b"1", b"-7"]
# Values of every listpack size class: integers, short strings, 12-bit strings past the 2-byte
# back-length threshold, and entries larger than a node (stream-node-max-bytes 4096).
VALUES = [b"v", b"1", b"12345", b"-3", b"", b"x" * 70, b"y" * 200, b"z" * 1000, b"w" * 5000]


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.ms = {key: 0 for key in KEYS}

    def key(self) -> bytes:
        return self.rng.choice(KEYS)

    def some_id(self, key: bytes) -> bytes:
        rng = self.rng
        top = max(self.ms[key], 1)
        roll = rng.random()
        if roll < 0.1:
            return rng.choice([b"-", b"+", b"0", b"0-0", b"x", b"(1-1", b"18446744073709551615"])
        return b"%d-%d" % (rng.randint(0, top + 1), rng.randint(0, 3))

    def fields(self) -> list[bytes]:
        rng = self.rng
        n = rng.choice([1, 1, 1, 2, 3])
        if rng.random() < 0.7:
            names = FIELDS[:n]
        else:
            names = [rng.choice(FIELDS) for _ in range(n)]
        out = []
        for name in names:
            out += [name, rng.choice(VALUES) if rng.random() < 0.3 else b"v%d" % rng.randint(0, 999)]
        return out

    def trim(self, key: bytes) -> list[bytes]:
        rng = self.rng
        strategy = rng.choice([b"MAXLEN", b"MINID"])
        out = [strategy]
        approx = rng.choice([None, b"=", b"~"])
        if approx:
            out.append(approx)
        if strategy == b"MAXLEN":
            out.append(b"%d" % rng.choice([0, 1, 5, 50, 120, 300, rng.randint(0, 400)]))
        else:
            out.append(b"%d" % rng.randint(0, self.ms[key] + 1))
        if approx == b"~" and rng.random() < 0.3:
            out += [b"LIMIT", b"%d" % rng.choice([0, 1, 100, 250])]
        return out

    def command(self) -> list[bytes]:
        rng = self.rng
        key = self.key()
        group = rng.choice(GROUP_NAMES)
        consumer = rng.choice(CONSUMERS)
        roll = rng.random()
        if roll < 0.40:
            args = [b"XADD", key]
            if rng.random() < 0.05:
                args.append(b"NOMKSTREAM")
            if rng.random() < 0.1:
                args += self.trim(key)
            r = rng.random()
            if r < 0.6:
                self.ms[key] += rng.choice([0, 1, 1, 2])
                args.append(b"%d-*" % self.ms[key])
            elif r < 0.95:
                self.ms[key] += rng.choice([0, 1])
                args.append(b"%d-%d" % (self.ms[key], rng.randint(0, 5)))
            else:
                args.append(self.some_id(key))
            return args + self.fields()
        if roll < 0.45:
            return [b"XDEL", key] + [self.some_id(key) for _ in range(rng.randint(1, 3))]
        if roll < 0.48:
            return [b"XTRIM", key] + self.trim(key)
        if roll < 0.53:
            cmd = rng.choice([b"XRANGE", b"XREVRANGE"])
            lo, hi = self.some_id(key), self.some_id(key)
            args = [cmd, key, lo, hi] if cmd == b"XRANGE" else [cmd, key, hi, lo]
            if rng.random() < 0.5:
                args += [b"COUNT", b"%d" % rng.randint(-1, 20)]
            return args
        if roll < 0.56:
            return [b"XLEN", key]
        if roll < 0.60:
            args = [b"XREAD"]
            if rng.random() < 0.5:
                args += [b"COUNT", b"%d" % rng.randint(1, 5)]
            keys = rng.sample(KEYS, rng.randint(1, 2))
            return args + [b"STREAMS"] + keys + [rng.choice([self.some_id(k), b"$"]) for k in keys]
        if roll < 0.65:
            sub = rng.random()
            if sub < 0.5:
                args = [b"XGROUP", b"CREATE", key, group,
                        rng.choice([b"$", b"0", self.some_id(key)])]
                if rng.random() < 0.5:
                    args.append(b"MKSTREAM")
                if rng.random() < 0.2:
                    args += [b"ENTRIESREAD", b"%d" % rng.randint(-1, 10)]
                return args
            if sub < 0.65:
                return [b"XGROUP", b"SETID", key, group, rng.choice([b"$", b"0", self.some_id(key)])]
            if sub < 0.75:
                return [b"XGROUP", b"CREATECONSUMER", key, group, consumer]
            if sub < 0.85:
                return [b"XGROUP", b"DELCONSUMER", key, group, consumer]
            return [b"XGROUP", b"DESTROY", key, group]
        if roll < 0.78:
            args = [b"XREADGROUP", b"GROUP", group, consumer]
            if rng.random() < 0.6:
                args += [b"COUNT", b"%d" % rng.randint(1, 6)]
            if rng.random() < 0.2:
                args.append(b"NOACK")
            ident = b">" if rng.random() < 0.8 else rng.choice([b"0", self.some_id(key)])
            return args + [b"STREAMS", key, ident]
        if roll < 0.84:
            return [b"XACK", key, group] + [self.some_id(key) for _ in range(rng.randint(1, 3))]
        if roll < 0.88:
            if rng.random() < 0.4:
                return [b"XPENDING", key, group]
            args = [b"XPENDING", key, group]
            if rng.random() < 0.2:
                args += [b"IDLE", rng.choice([b"0", b"100000000"])]
            args += [self.some_id(key), self.some_id(key), b"%d" % rng.randint(0, 10)]
            if rng.random() < 0.4:
                args.append(consumer)
            return args
        if roll < 0.92:
            args = [b"XCLAIM", key, group, consumer, rng.choice([b"0", b"100000000"])]
            args += [self.some_id(key) for _ in range(rng.randint(1, 3))]
            for opt in rng.sample([b"JUSTID", b"FORCE", b"RETRYCOUNT", b"LASTID"], rng.randint(0, 2)):
                args.append(opt)
                if opt == b"RETRYCOUNT":
                    args.append(b"%d" % rng.randint(0, 5))
                elif opt == b"LASTID":
                    args.append(self.some_id(key))
            return args
        if roll < 0.95:
            args = [b"XAUTOCLAIM", key, group, consumer, rng.choice([b"0", b"100000000"]),
                    self.some_id(key)]
            if rng.random() < 0.5:
                args += [b"COUNT", b"%d" % rng.randint(1, 5)]
            if rng.random() < 0.3:
                args.append(b"JUSTID")
            return args
        if roll < 0.985:
            sub = rng.random()
            if sub < 0.5:
                args = [b"XINFO", b"STREAM", key]
                if rng.random() < 0.4:
                    args += [b"FULL", b"COUNT", b"%d" % rng.randint(0, 5)]
                return args
            if sub < 0.8:
                return [b"XINFO", b"GROUPS", key]
            return [b"XINFO", b"CONSUMERS", key, group]
        if roll < 0.99:
            return [b"XSETID", key, b"%d-%d" % (self.ms[key] + rng.randint(0, 2), rng.randint(0, 3))]
        if roll < 0.995:
            return [b"DEL", key]
        return [b"TYPE", key]


def differential_commands(seed: int, count: int) -> list[list[bytes]]:
    generator = Generator(seed)
    return [generator.command() for _ in range(count)]


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_randomized_differential(servers, protocol):
    server, oracle = servers
    count = int(os.environ.get("STREAMS_DIFF_COMMANDS", "15000"))
    seed = int(os.environ.get("STREAMS_DIFF_SEED", "1207")) + protocol
    commands = differential_commands(seed, count)
    mismatches = compare(server.port, oracle.port, commands, protocol)
    assert not mismatches, f"{len(mismatches)} of {len(commands)} replies differ:\n" + "\n".join(
        mismatches[:30])
    # The streams end equal as values too.
    for key in KEYS:
        digest = [run_lines(p, [[b"DEBUG", b"DIGEST-VALUE", key]], 2)[0]
                  for p in (server.port, oracle.port)]
        assert digest[0] == digest[1], key
