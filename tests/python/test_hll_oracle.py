"""HyperLogLog (PFADD, PFCOUNT, PFMERGE, PFDEBUG) against redis-server 7.0.15, byte for byte.

Three parts:
- GROUPS: hand-written command lines (redis-cli quoting, as in test_commands_vs_redis.py), each
  group on a fresh pair of servers, in RESP2 and in RESP3. GET shows the values' bytes, so the
  sparse edits, the promotion to dense and the cached cardinality are compared exactly.
- DUMP payloads: the same PFADD sequence DUMPs to the same bytes on both servers, and a value
  made by either server RESTOREs into the other and counts the same.
- A seeded randomized differential run (PFADD/PFCOUNT/PFMERGE/PFDEBUG, corruptions through
  SETRANGE/APPEND, changes of hll-sparse-max-bytes). Steps per seed: DRAYMAN_HLL_DIFF_STEPS
  (default 7500; set it higher to run more by hand).
"""

from __future__ import annotations

import os
import random

import pytest

from rawresp import RawConnection
from servers import RedisProcess, target_server
from test_commands_vs_redis import assert_group_matches, run_seeded_differential


def many(key: str, prefix: str, count: int, per_line: int = 40) -> list[str]:
    lines = []
    for start in range(0, count, per_line):
        elements = " ".join(f"{prefix}{i}" for i in range(start, min(count, start + per_line)))
        lines.append(f"PFADD {key} {elements}")
    return lines


GROUPS: dict[str, list[str]] = {
    "pfadd_pfcount": [
        "PFADD h a b c", "GET h", "PFCOUNT h", "GET h", "PFADD h a", "PFADD h d", "GET h",
        "PFCOUNT h", "PFCOUNT h", "PFADD h", "PFADD fresh", "GET fresh", "PFCOUNT fresh",
        "OBJECT ENCODING fresh", "TYPE fresh", "STRLEN h", "PFCOUNT nosuch", "PFCOUNT h fresh nosuch",
        "GET h", "PFADD h \"\"", "PFADD h \"x y\" \"\\x00\\xff\"", "PFCOUNT h", "SET s foo",
        "PFADD s a", "PFCOUNT s", "PFCOUNT h s", "PFCOUNT s h", "LPUSH l a", "PFADD l a",
        "PFCOUNT l", "PFCOUNT h l", "PFCOUNT nosuch l", "PFADD", "PFCOUNT", "SET n 12345",
        "PFCOUNT n", "PFADD n x", "SET e \"\"", "PFCOUNT e", "OBJECT ENCODING h",
        "PFADD ttl a", "EXPIRE ttl 100", "PFADD ttl b", "TTL ttl", "PFCOUNT ttl",
    ],
    "sparse_edits": many("big", "e", 400, 7) + [
        "GET big", "PFDEBUG DECODE big", "PFDEBUG ENCODING big", "PFCOUNT big", "GET big",
        "STRLEN big",
    ],
    "promotion": [
        "CONFIG GET hll-sparse-max-bytes", "CONFIG SET hll-sparse-max-bytes 60",
        "CONFIG GET hll-sparse-max-bytes",
    ] + many("p", "x", 30, 3) + [
        "PFDEBUG ENCODING p", "PFCOUNT p", "GET p", "CONFIG SET hll-sparse-max-bytes 0",
        "PFADD q a", "PFDEBUG ENCODING q", "PFADD q b", "PFDEBUG ENCODING q", "STRLEN q",
        "CONFIG SET hll-sparse-max-bytes -1", "CONFIG SET hll-sparse-max-bytes x",
        "CONFIG SET hll-sparse-max-bytes 1kb", "CONFIG GET hll-sparse-max-bytes",
        "CONFIG SET hll-sparse-max-bytes 3000",
    ] + many("d", "y", 3000, 100) + [
        "PFDEBUG ENCODING d", "PFCOUNT d", "GET d",
    ],
    "pfmerge": many("a", "a", 100) + many("b", "b", 150) + [
        "PFMERGE c a b", "GET c", "PFCOUNT c", "PFCOUNT a b", "PFMERGE c", "GET c",
        "PFMERGE d nosuch", "GET d", "PFMERGE d", "EXISTS d", "PFMERGE a a", "GET a",
    ] + many("dense", "z", 2000, 100) + [
        "PFMERGE m a dense", "PFDEBUG ENCODING m", "GET m", "PFCOUNT m", "PFMERGE dense a b",
        "PFCOUNT dense", "GET dense", "SET s x", "PFMERGE s a", "PFMERGE a s", "PFMERGE x a s",
        "EXISTS x", "LPUSH l q", "PFMERGE l a", "PFMERGE", "PFCOUNT a b dense c m nosuch",
        "PFMERGE sp a", "PFMERGE sp dense", "PFDEBUG ENCODING sp",
    ],
    "pfdebug": [
        "PFADD h a b c", "PFDEBUG ENCODING h", "PFDEBUG DECODE h", "PFDEBUG decode h",
        "PFDEBUG TODENSE h", "PFDEBUG TODENSE h", "PFDEBUG ENCODING h", "PFDEBUG DECODE h",
        "GET h", "PFCOUNT h", "PFADD h2 x", "PFDEBUG GETREG h2", "PFDEBUG ENCODING h2",
        "PFDEBUG FOO h", "PFDEBUG \"FO\\x00O\" h", "PFDEBUG GETREG nosuch", "SET s x",
        "PFDEBUG GETREG s", "LPUSH l a", "PFDEBUG GETREG l", "PFDEBUG GETREG", "PFDEBUG",
        "PFDEBUG GETREG h extra", "PFDEBUG FOO nosuch", "PFDEBUG FOO s",
    ],
    "corrupted": [
        # Sparse values whose runs do not cover 16384 registers.
        "SET short \"HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xff\"",
        "PFCOUNT short", "PFADD short a", "PFADD short zzzzzz", "GET short", "PFCOUNT short x",
        "PFMERGE dst short", "EXISTS dst", "PFDEBUG TODENSE short", "PFDEBUG DECODE short",
        "SET long \"HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xff\\x7f\\xff\"",
        "PFCOUNT long", "PFADD long a", "PFMERGE dst long", "PFDEBUG GETREG long",
        "SET vals \"HYLL\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\xff\\xff\\x7f\\xff\"",
        "PFCOUNT vals", "PFADD vals a b c", "GET vals",
        # A valid cache is answered without reading the registers.
        "SET cached \"HYLL\\x01\\x00\\x00\\x00\\x05\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x7f\\xff\"",
        "PFCOUNT cached", "PFCOUNT cached cached", "PFADD cached a", "GET cached",
        # Not HyperLogLogs at all.
        "SET hdr HYLL", "PFCOUNT hdr", "PFADD hdr a",
        "SET enc \"HYLL\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x7f\\xff\"",
        "PFCOUNT enc", "SET magic \"HYLX\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\"",
        "PFCOUNT magic",
        "SET dense \"HYLL\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x80\\x00\"",
        "PFCOUNT dense", "PFADD dense a", "PFMERGE x dense",
        "PFADD good a b c", "APPEND good \"\\x80\"", "PFCOUNT good", "PFADD good d", "GET good",
        "PFADD good2 a", "SETRANGE good2 16 \"\\x00\\x00\"", "PFCOUNT good2", "PFADD good2 q",
        "GET good2",
    ],
    "watch_and_events": [
        "PFADD w a", "WATCH w", "PFCOUNT w", "MULTI", "PING", "EXEC",
        "WATCH w", "PFCOUNT w", "MULTI", "PING", "EXEC",
        "WATCH w", "PFADD w a", "MULTI", "PING", "EXEC",
    ],
}


@pytest.fixture
def servers():
    with target_server() as server, RedisProcess() as oracle:
        yield server, oracle


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("group", GROUPS.keys())
def test_group_matches_redis(servers, group, protocol):
    server, oracle = servers
    assert_group_matches(server.port, oracle.port, GROUPS[group], protocol)


def fill(connection: RawConnection, key: str, count: int, prefix: str = "m") -> None:
    for start in range(0, count, 200):
        connection.command("PFADD", key, *[f"{prefix}{i}" for i in range(start,
                                                                       min(count, start + 200))])


@pytest.mark.parametrize("count", [0, 3, 300, 5000])
def test_dump_payloads_equal_and_restore_across(servers, count):
    server, oracle = servers
    with RawConnection(server.port) as ours, RawConnection(oracle.port) as theirs:
        for connection in (ours, theirs):
            connection.command("PFADD", "h")
            fill(connection, "h", count)
        assert ours.command("GET", "h") == theirs.command("GET", "h")
        mine, want = ours.command("DUMP", "h"), theirs.command("DUMP", "h")
        assert mine == want
        payload = mine.split(b"\r\n", 1)[1][:-2]
        # Each server's value restored into the other counts the same and keeps its bytes.
        assert theirs.command("RESTORE", "from_drayman", "0", payload) == b"+OK\r\n"
        assert ours.command("RESTORE", "from_redis", "0", payload) == b"+OK\r\n"
        assert ours.command("PFCOUNT", "from_redis") == theirs.command("PFCOUNT", "from_drayman")
        assert ours.command("PFCOUNT", "from_redis") == ours.command("PFCOUNT", "h")
        for connection in (ours, theirs):
            connection.command("PFADD", "from_redis", "x1", "x2")
            connection.command("PFADD", "from_drayman", "x1", "x2")
        assert ours.command("GET", "from_redis") == theirs.command("GET", "from_drayman")


# --- randomized differential run -------------------------------------------------------------

KEYS = [b"h1", b"h2", b"h3", b"h4"]
OTHER = [b"str", b"list", b"missing"]


def elements(rnd: random.Random) -> list[bytes]:
    size = rnd.choice([1, 1, 2, 5, 20, 100])
    space = rnd.choice([50, 500, 20000])
    return [b"e%d" % rnd.randrange(space) for _ in range(size)]


def random_command(rnd: random.Random) -> list[bytes]:
    key = rnd.choice(KEYS) if rnd.random() < 0.92 else rnd.choice(OTHER)
    pick = rnd.randrange(100)
    if pick < 40:
        return [b"PFADD", key] + elements(rnd)
    if pick < 55:
        return [b"PFCOUNT"] + [rnd.choice(KEYS + OTHER[2:]) for _ in range(rnd.choice([1, 1, 2, 3]))]
    if pick < 63:
        return [b"PFMERGE", key] + [rnd.choice(KEYS + OTHER) for _ in range(rnd.randint(0, 3))]
    if pick < 73:
        return [b"GET", key]
    if pick < 78:
        return [b"PFDEBUG", rnd.choice([b"ENCODING", b"DECODE", b"TODENSE", b"encoding"]), key]
    if pick < 80:
        return [b"CONFIG", b"SET", b"hll-sparse-max-bytes",
                rnd.choice([b"0", b"40", b"300", b"3000", b"3000"])]
    if pick < 83:
        # Corruptions: a byte past the header, or extra bytes at the end.
        if rnd.random() < 0.5:
            return [b"SETRANGE", key, str(rnd.randrange(12, 40)).encode(),
                    bytes([rnd.randrange(256)])]
        return [b"APPEND", key, bytes([rnd.randrange(256)])]
    if pick < 86:
        return [b"DEL", key]
    if pick < 88:
        return [b"SET", b"str", rnd.choice([b"x", b"HYLL", b""])]
    if pick < 89:
        return [b"RPUSH", b"list", b"a"]
    if pick < 92:
        return [b"STRLEN", key]
    if pick < 95:
        return [b"PFADD", key]
    return [b"COPY", key, rnd.choice(KEYS), b"REPLACE"]


def run_random(seed: int, steps: int) -> int:
    return run_seeded_differential(seed, steps, random_command)


STEPS = int(os.environ.get("DRAYMAN_HLL_DIFF_STEPS", "7500"))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_hll_commands_match_redis(seed):
    compared = run_random(seed, STEPS)
    print(f"seed {seed}: {compared} commands compared")
    assert compared == STEPS
