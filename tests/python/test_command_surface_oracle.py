"""Drayman's command surface and INFO fields against redis-server 7.0.15.

- COMMAND COUNT, COMMAND LIST, COMMAND INFO of every command (arity, flags, key positions, ACL
  categories, tips, key specs, subcommands), ACL CAT and ACL CAT <category> for every category
  equal redis-server's, except for the commands in the allow-lists below, each with its reason.
- The field names of every INFO section, in Redis's order.
- Command lines for what Drayman answers as a Redis without cluster or replicas (CLUSTER,
  ASKING, READONLY, READWRITE, FAILOVER, RESTORE-ASKING, SCRIPT DEBUG), RESP2 and RESP3.
- LOLWUT: the version line, and VERSION 5/6's drawings wherever Redis draws without a random
  number (Schotter with at most two rows of squares, the skyline one row high), byte for byte;
  random drawings are compared by shape (lines, widths, caption) and by the rows no random draw
  can reach.
"""

from __future__ import annotations

import pytest

from rawresp import RawConnection, parse
from servers import RedisProcess, target_server
from test_commands_vs_redis import assert_group_matches

# Redis 7.0.15 commands Drayman does not have, each with why (README, "Not supported yet").
MISSING = {
    "sync": "replication (a later issue): Drayman cannot feed a replica",
    "psync": "replication (a later issue)",
    "replconf": "replication (a later issue): only replicas and masters send it",
    "migrate": "needs an outgoing connection from the engine, which has no sockets",
}
# Commands Drayman has that 7.0.15 lacks: 7.2 behaviour kept deliberately (README).
EXTRA = {
    "client|no-touch": "Redis 7.2's CLIENT NO-TOUCH",
    "client|setinfo": "Redis 7.2's CLIENT SETINFO (clients send it on connect)",
}

# COMMAND INFO fields that differ on purpose: ZRANK/ZREVRANK take 7.2's WITHSCORE (README), so
# their arity is -3 where 7.0.15 says 3.
ARITY_DIFFERENCES = {"zrank": "7.2's ZRANK ... WITHSCORE", "zrevrank": "7.2's ... WITHSCORE"}


def names(reply: bytes) -> list[str]:
    return [item[1].decode() for item in parse(reply)[1]]


def info_of(node) -> dict:
    """COMMAND INFO's entry with subcommands in name order (Redis lists them in hash order)."""
    kind, items = node
    entry = list(items)
    subcommands = entry[9]
    entry[9] = (subcommands[0], sorted(subcommands[1], key=lambda sub: sub[1][0][1]))
    return (kind, entry)


@pytest.fixture(scope="module")
def both():
    with target_server() as server, RedisProcess() as oracle:
        with RawConnection(server.port) as ours, RawConnection(oracle.port) as theirs:
            yield ours, theirs


def test_command_count_and_list(both):
    ours, theirs = both
    mine = set(names(ours.command("COMMAND", "LIST")))
    redis = set(names(theirs.command("COMMAND", "LIST")))
    missing = redis - mine
    extra = mine - redis
    assert missing == set(MISSING), sorted(missing ^ set(MISSING))
    assert extra == set(EXTRA), sorted(extra ^ set(EXTRA))
    top = lambda listed: {name for name in listed if "|" not in name}  # noqa: E731
    expected = len(top(redis)) - len(top(set(MISSING))) + len(top(set(EXTRA)))
    assert int(ours.command("COMMAND", "COUNT")[1:-2]) == expected
    assert int(theirs.command("COMMAND", "COUNT")[1:-2]) == len(top(redis))


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_command_info_of_every_command(both, protocol):
    ours, theirs = both
    for connection in (ours, theirs):
        connection.command("HELLO", str(protocol))
    listed = [name for name in names(theirs.command("COMMAND", "LIST")) if "|" not in name]
    differing = []
    for name in listed:
        if name in MISSING:
            continue
        mine = info_of(parse(ours.command("COMMAND", "INFO", name))[1][0])
        redis = info_of(parse(theirs.command("COMMAND", "INFO", name))[1][0])
        if name == "client":
            # Drop the allow-listed subcommands on either side before comparing.
            for entry in (mine, redis):
                subs = entry[1][9][1]
                entry[1][9] = (entry[1][9][0], [
                    sub for sub in subs
                    if sub[1][0][1].decode() not in set(EXTRA)])
        if name in ARITY_DIFFERENCES:
            assert mine[1][1] == (b":", b"-3"), mine
            mine[1][1] = redis[1][1]
        if mine != redis:
            differing.append(f"{name}:\n  drayman: {mine}\n  redis:   {redis}")
    for connection in (ours, theirs):
        connection.command("HELLO", "2")
    assert not differing, f"{len(differing)} commands differ:\n" + "\n".join(differing[:10])


def test_acl_categories(both):
    ours, theirs = both
    categories = names(theirs.command("ACL", "CAT"))
    assert names(ours.command("ACL", "CAT")) == categories
    tolerated = set(MISSING) | set(EXTRA)
    for category in categories:
        mine = set(names(ours.command("ACL", "CAT", category))) - tolerated
        redis = set(names(theirs.command("ACL", "CAT", category))) - tolerated
        assert mine == redis, (category, sorted(mine ^ redis))


# --- INFO -------------------------------------------------------------------------------------

# Fields Drayman adds (its own version, beside the redis_version it reports as).
INFO_EXTRA = {"drayman_version"}
# Sections whose fields are named after commands or events: compared as sets of names.
UNORDERED_SECTIONS = {"commandstats", "latencystats"}


def info_fields(connection: RawConnection) -> list[tuple[str, list[str]]]:
    text = parse(connection.command("INFO", "everything"))[1].decode()
    sections: list[tuple[str, list[str]]] = []
    for line in text.split("\r\n"):
        if line.startswith("# "):
            sections.append((line[2:], []))
        elif line:
            name = line.split(":", 1)[0]
            if name not in INFO_EXTRA:
                sections[-1][1].append(name)
    return sections


def test_info_fields_match_redis():
    # The same commands first on both (keys with TTLs, an error), so the dynamic sections list
    # the same names.
    script = [("SET", "k", "v", "EX", "100"), ("GET", "k"), ("INCR", "k"), ("LPUSH", "l", "a"),
              ("CONFIG", "SET", "latency-tracking", "yes")]
    with target_server() as server, RedisProcess() as oracle:
        with RawConnection(server.port) as ours, RawConnection(oracle.port) as theirs:
            for command in script:
                assert ours.command(*command)[:1] == theirs.command(*command)[:1]
            mine, redis = info_fields(ours), info_fields(theirs)
    assert [title for title, _ in mine] == [title for title, _ in redis]
    for (title, fields), (_, expected) in zip(mine, redis):
        if title.lower() in UNORDERED_SECTIONS:
            assert set(fields) == set(expected), (title, sorted(set(fields) ^ set(expected)))
        else:
            assert fields == expected, (title, fields, expected)


# --- command lines ----------------------------------------------------------------------------

GROUPS: dict[str, list[str]] = {
    "cluster_disabled": [
        "CLUSTER INFO", "CLUSTER HELP", "CLUSTER NODES", "CLUSTER SLOTS", "CLUSTER SHARDS",
        "CLUSTER MYID", "CLUSTER KEYSLOT foo", "CLUSTER KEYSLOT", "CLUSTER KEYSLOT a b",
        "CLUSTER COUNTKEYSINSLOT 1", "CLUSTER GETKEYSINSLOT 1 10", "CLUSTER GETKEYSINSLOT 1",
        "CLUSTER ADDSLOTS 1 2", "CLUSTER ADDSLOTS", "CLUSTER ADDSLOTSRANGE 1 2",
        "CLUSTER ADDSLOTSRANGE 1", "CLUSTER DELSLOTS 1", "CLUSTER DELSLOTSRANGE 1 2",
        "CLUSTER FAILOVER", "CLUSTER FAILOVER FORCE", "CLUSTER FLUSHSLOTS", "CLUSTER FLUSHSLOTS x",
        "CLUSTER FORGET id", "CLUSTER MEET 127.0.0.1 7000", "CLUSTER MEET 127.0.0.1",
        "CLUSTER REPLICATE id", "CLUSTER REPLICAS id", "CLUSTER SLAVES id", "CLUSTER RESET",
        "CLUSTER RESET HARD", "CLUSTER SAVECONFIG", "CLUSTER SET-CONFIG-EPOCH 1",
        "CLUSTER SETSLOT 1 STABLE", "CLUSTER BUMPEPOCH", "CLUSTER COUNT-FAILURE-REPORTS id",
        "CLUSTER LINKS", "CLUSTER", "CLUSTER NOPE", "cluster info extra", "ASKING", "ASKING x",
        "READONLY", "READWRITE", "READWRITE x", "MULTI", "ASKING", "CLUSTER INFO", "READONLY",
        "EXEC", "EVAL \"return redis.pcall('cluster', 'info')\" 0",
        "EVAL \"return redis.pcall('cluster', 'reset')\" 0",
        "EVAL \"return redis.pcall('asking')\" 0", "EVAL \"return redis.pcall('readonly')\" 0",
        "INFO errorstats",
    ],
    "failover_without_replicas": [
        "FAILOVER", "FAILOVER ABORT", "FAILOVER abort x", "FAILOVER TIMEOUT 10",
        "FAILOVER TIMEOUT 0", "FAILOVER TIMEOUT -5", "FAILOVER TIMEOUT x", "FAILOVER TIMEOUT",
        "FAILOVER TIMEOUT 5 TIMEOUT 5", "FAILOVER TO h 6380", "FAILOVER TO h x", "FAILOVER TO h",
        "FAILOVER TO h 1 TO h 2", "FAILOVER FORCE", "FAILOVER FORCE FORCE",
        "FAILOVER TO h 1 FORCE TIMEOUT 5", "FAILOVER BOGUS", "MULTI", "FAILOVER", "EXEC",
        "EVAL \"return redis.pcall('failover')\" 0",
    ],
    "restore_asking": [
        "RESTORE-ASKING d 0 garbage REPLACE", "RESTORE-ASKING d", "RESTORE-ASKING d x y",
        "COMMAND GETKEYS RESTORE-ASKING k 0 x", "MULTI", "RESTORE-ASKING d 0 x", "EXEC",
    ],
    "script_debug": [
        "SCRIPT DEBUG NO", "SCRIPT DEBUG no", "SCRIPT DEBUG maybe", "SCRIPT DEBUG",
        "SCRIPT DEBUG NO x", "SCRIPT HELP", "MULTI", "SCRIPT DEBUG NO", "EXEC",
        "EVAL \"return redis.pcall('script', 'debug', 'no')\" 0",
        "EVAL \"return 1\" 0",
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


def test_restore_asking_is_restore(servers):
    """Payloads redis-server DUMPs restore alike through RESTORE-ASKING on both servers."""
    server, oracle = servers
    with RawConnection(server.port) as ours, RawConnection(oracle.port) as theirs:
        setup = [("SET", "s", "hello"), ("RPUSH", "l", "a", "b", "1"), ("HSET", "h", "f", "v"),
                 ("SADD", "z", "1", "2"), ("SET", "n", "12345")]
        for command in setup:
            theirs.command(*command)
        for key in ("s", "l", "h", "z", "n"):
            payload = parse(theirs.command("DUMP", key))[1]
            for command in (("RESTORE-ASKING", key + "2", "0", payload),
                            ("RESTORE-ASKING", key + "2", "0", payload),
                            ("RESTORE-ASKING", key + "2", "100000", payload, "REPLACE"),
                            ("TTL", key + "2"), ("OBJECT", "ENCODING", key + "2"),
                            ("DUMP", key + "2"), ("TYPE", key + "2")):
                assert ours.command(*command) == theirs.command(*command), (key, command)


def test_script_debug_in_a_pipeline_is_refused_as_redis(servers):
    """SCRIPT DEBUG behind an unsent reply: Redis's pipeline refusal."""
    server, oracle = servers
    replies = []
    for port in (server.port, oracle.port):
        with RawConnection(port) as connection:
            connection.send(b"PING\r\nSCRIPT DEBUG NO\r\n")
            replies.append((connection.read_reply(), connection.read_reply()))
    assert replies[0] == replies[1]
    assert replies[0][1] == b"-ERR SCRIPT DEBUG must be called outside a pipeline\r\n"


# --- LOLWUT -----------------------------------------------------------------------------------

DETERMINISTIC_LOLWUT = [
    "LOLWUT", "LOLWUT 5", "LOLWUT VERSION 7", "LOLWUT VERSION 4294967298",
    "LOLWUT VERSION 5 66 8 1", "LOLWUT VERSION 5 66 8 2", "LOLWUT VERSION 5 10 3 2",
    "LOLWUT VERSION 5 1 1 1", "LOLWUT VERSION 5 2 1 1", "LOLWUT VERSION 5 3 200 2",
    "LOLWUT VERSION 5 0 0 0", "LOLWUT VERSION 5 -5 -5 -5", "LOLWUT VERSION 5 5000 1 1",
    "LOLWUT VERSION 5 40 1 2", "LOLWUT VERSION 5 33 7 2", "LOLWUT version 5 100 13 1",
    "LOLWUT VERSION 4294967301 20 4 2", "LOLWUT VERSION 5 x", "LOLWUT VERSION 5 10 x",
    "LOLWUT VERSION 5 10 2 x", "LOLWUT VERSION 6 x", "LOLWUT VERSION 6 10 x",
    "LOLWUT VERSION 6 80 1", "LOLWUT VERSION 6 1 1", "LOLWUT VERSION 6 0 0",
    "LOLWUT VERSION 6 3000 -1", "LOLWUT VERSION 6 7 1 extra",
]


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_lolwut_drawings_without_random_draws(servers, protocol):
    server, oracle = servers
    assert_group_matches(server.port, oracle.port, DETERMINISTIC_LOLWUT, protocol)


def cells(line: bytes) -> int:
    """Characters in a drawing's line: braille (3 bytes each) or coloured spaces (escapes)."""
    return line.count(b"\x1b[0m") if b"\x1b[" in line else len(line)


def drawing_lines(connection: RawConnection, *args: str) -> list[bytes]:
    return parse(connection.command("LOLWUT", *args))[1].split(b"\n")


@pytest.mark.parametrize("args, fixed_lines", [
    # Schotter: only rows of squares from the third on move at random; with the default 16-pixel
    # squares nothing reaches above pixel row 28, the first 7 text lines.
    (("VERSION", "5"), 7),
    (("VERSION", "5", "40", "4", "6"), 1),
    # The skyline: no block reaches the top row (heights stay below the canvas's).
    (("VERSION", "6"), 1),
    (("VERSION", "6", "50", "30"), 1),
])
def test_lolwut_random_drawings_have_redis_shape(servers, args, fixed_lines):
    server, oracle = servers
    with RawConnection(server.port) as ours, RawConnection(oracle.port) as theirs:
        for _ in range(3):
            mine, redis = drawing_lines(ours, *args), drawing_lines(theirs, *args)
            assert len(mine) == len(redis)
            assert [cells(line) for line in mine] == [cells(line) for line in redis]
            assert mine[-3:] == redis[-3:]  # the caption and the version
            assert mine[:fixed_lines] == redis[:fixed_lines]
