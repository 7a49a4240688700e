"""LATENCY, MEMORY and INFO's diagnostics fields against redis-server 7.0.15, in RESP2 and RESP3.

Whole replies are compared byte for byte where both servers must answer the same bytes: the
latency monitor with its threshold at 0 or before any sample, error texts, HELP texts, CONFIG of
the latency parameters, the per-command histogram of one DEBUG SLEEP 0.2 (both servers' durations
fall in the same power-of-two step), MEMORY's texts. Where the figures are each server's own
(sample times and latencies, memory sizes), the test compares shapes instead: after DEBUG SLEEP 0.2
with latency-monitor-threshold set, LATENCY LATEST/HISTORY have the same event names and entry
shapes, GRAPH and DOCTOR the same text once digits are masked; MEMORY STATS has the same field
names in the same order with the same RESP types; INFO memory/server list Redis's fields (plus
Drayman's drayman_version) in Redis's order, and INFO latencystats names the same commands.

Known differences (README): MEMORY MALLOC-STATS answers as a Redis built without jemalloc (Debian's
is built with it); event and command order in LATENCY LATEST/HISTOGRAM is Drayman's (first seen /
by name) where Redis walks hash tables.
"""

from __future__ import annotations

import os
import random
import re

import pytest

from rawresp import RawConnection, encode, parse
from servers import RedisProcess, target_server
from test_commands_vs_redis import assert_group_matches, run_group

ARGS = ("--enable-debug-command", "yes")

SANITIZED = bool(os.environ.get("DRAYMAN_SANITIZE"))

GROUPS: dict[str, list[str]] = {
    "latency_before_samples": [
        "LATENCY LATEST", "LATENCY HISTORY command", "LATENCY HISTORY nosuch",
        "LATENCY GRAPH command", "LATENCY GRAPH nosuch", "LATENCY RESET",
        "LATENCY RESET command fast-command", "LATENCY DOCTOR", "LATENCY HELP",
        "LATENCY HISTOGRAM nosuch", "LATENCY HISTOGRAM get set", "LATENCY HISTOGRAM config|nosuch",
        "DEBUG SLEEP 0", "LATENCY LATEST", "LATENCY HISTORY command",
        "CONFIG SET latency-monitor-threshold 100", "LATENCY DOCTOR", "LATENCY LATEST",
        "LATENCY RESET", "CONFIG SET latency-monitor-threshold 0", "LATENCY DOCTOR",
    ],
    "latency_errors": [
        "LATENCY", "LATENCY nosuch", "LATENCY HISTORY", "LATENCY HISTORY a b", "LATENCY GRAPH",
        "LATENCY LATEST x", "LATENCY DOCTOR x", "LATENCY HELP x", "latency help",
        "MULTI", "LATENCY LATEST", "EXEC",
        "EVAL \"return redis.pcall('latency', 'latest')\" 0",
    ],
    "latency_config": [
        "CONFIG GET latency-monitor-threshold", "CONFIG SET latency-monitor-threshold -1",
        "CONFIG SET latency-monitor-threshold abc", "CONFIG SET latency-monitor-threshold 250",
        "CONFIG GET latency-monitor-threshold", "CONFIG GET latency-tracking",
        "CONFIG SET latency-tracking maybe", "CONFIG SET latency-tracking no",
        "CONFIG GET latency-tracking", "CONFIG GET latency-tracking-info-percentiles",
        "CONFIG SET latency-tracking-info-percentiles \"50 101\"",
        "CONFIG SET latency-tracking-info-percentiles \"50 abc\"",
        "CONFIG SET latency-tracking-info-percentiles \"99.99 0 50.50\"",
        "CONFIG GET latency-tracking-info-percentiles",
    ],
    "debug_sleep": [
        "DEBUG SLEEP 0", "DEBUG SLEEP abc", "DEBUG SLEEP -1", "DEBUG SLEEP", "DEBUG SLEEP 0 x",
        "DEBUG SLEEP 0.001",
    ],
    # MEMORY DOCTOR's text follows used_memory (under 5 MB: the "empty instance" report), which
    # only the plain build counts exactly (a sanitizer replaces malloc), so only it compares that.
    "memory_texts": [
        "MEMORY HELP", "MEMORY PURGE", *([] if SANITIZED else ["MEMORY DOCTOR"]),
        "MEMORY STATS x", "MEMORY DOCTOR x", "MEMORY PURGE x", "MEMORY MALLOC-STATS x",
        "MEMORY nosuch", "MEMORY",
    ],
    "script_kill_help": [
        "SCRIPT KILL", "FUNCTION KILL", "FUNCTION HELP", "FUNCTION HELP x", "SCRIPT KILL x",
    ],
}


@pytest.fixture
def servers():
    with target_server(*ARGS) as server, RedisProcess(*ARGS) as oracle:
        yield server, oracle


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
@pytest.mark.parametrize("group", GROUPS.keys())
def test_group_matches_redis(servers, group, protocol):
    server, oracle = servers
    assert_group_matches(server.port, oracle.port, GROUPS[group], protocol)


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_histogram_of_one_sleep_matches(servers, protocol):
    """A 200 ms command lands in the 2^28 ns step on both servers: the whole reply is equal."""
    server, oracle = servers
    lines = ["DEBUG SLEEP 0.2", "LATENCY HISTOGRAM debug", "LATENCY HISTOGRAM DEBUG nosuch debug"]
    assert run_group(server.port, lines, protocol) == run_group(oracle.port, lines, protocol)


def _shape(node):
    """A reply tree with every number's value dropped (its RESP type kept): integers, doubles and
    RESP2's doubles as bulk strings."""
    kind, payload = node
    if isinstance(payload, list):
        return (kind, [_shape(child) for child in payload])
    if kind in (b":", b","):
        return (kind, None)
    if kind == b"$" and payload is not None and re.fullmatch(rb"-?[0-9.e+-]+", payload):
        return (kind, b"<number>")
    return node


def _masked(reply: bytes) -> bytes:
    return re.sub(rb"\d+", b"N", reply)


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_latency_samples_after_a_slow_command(servers, protocol):
    server, oracle = servers
    lines = ["CONFIG SET latency-monitor-threshold 100", "DEBUG SLEEP 0.2", "LATENCY LATEST",
             "LATENCY HISTORY command", "LATENCY GRAPH command", "LATENCY DOCTOR",
             "LATENCY RESET command", "LATENCY LATEST"]
    mine = run_group(server.port, lines, protocol)
    theirs = run_group(oracle.port, lines, protocol)
    # LATEST: one "command" event [name, time, latency, max] with a latency of at least 200 ms.
    latest = parse(mine[2])
    assert _shape(latest) == _shape(parse(theirs[2]))
    name, _, latency, worst = latest[1][0][1]
    assert name == (b"$", b"command")
    assert int(latency[1]) >= 200 and int(worst[1]) >= 200
    assert _shape(parse(mine[3])) == _shape(parse(theirs[3]))
    # GRAPH's and DOCTOR's texts differ only in their figures.
    assert _masked(mine[4]) == _masked(theirs[4]), (mine[4], theirs[4])
    assert _masked(mine[5]) == _masked(theirs[5]), (mine[5], theirs[5])
    assert mine[0:2] == theirs[0:2] and mine[6:] == theirs[6:]


def _map_pairs(reply: bytes):
    kind, items = parse(reply)
    return kind, list(zip(items[::2], items[1::2]))


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_memory_stats_fields(servers, protocol):
    server, oracle = servers
    lines = ["SET a 1", "SELECT 2", "SET b 2 EX 100", "MEMORY STATS"]
    mine = run_group(server.port, lines, protocol)
    theirs = run_group(oracle.port, lines, protocol)
    assert mine[:3] == theirs[:3]
    my_kind, my_pairs = _map_pairs(mine[3])
    their_kind, their_pairs = _map_pairs(theirs[3])
    assert my_kind == their_kind
    assert [key for key, _ in my_pairs] == [key for key, _ in their_pairs]
    # Same RESP types field by field (integers, doubles; db.N maps of three integers).
    assert [_shape(value) for _, value in my_pairs] == [_shape(value) for _, value in their_pairs]


def _info_fields(port: int, section: str) -> list[str]:
    with RawConnection(port) as connection:
        _, text = parse(connection.command("INFO", section))
    return [line.split(b":", 1)[0].decode() for line in text.split(b"\r\n")
            if line and not line.startswith(b"#")]


@pytest.mark.parametrize("section", ["server", "memory"])
def test_info_fields_in_redis_order(servers, section):
    server, oracle = servers
    mine = [name for name in _info_fields(server.port, section) if name != "drayman_version"]
    assert mine == _info_fields(oracle.port, section)


def test_info_latencystats_names_the_same_commands(servers):
    server, oracle = servers
    lines = ["SET a 1", "GET a", "DEBUG SLEEP 0.01", "CONFIG GET maxmemory", "LATENCY LATEST"]
    run_group(server.port, lines, 2)
    run_group(oracle.port, lines, 2)
    mine = _info_fields(server.port, "latencystats")
    theirs = _info_fields(oracle.port, "latencystats")
    assert sorted(mine) == sorted(theirs)
    assert "latency_percentiles_usec_config|get" in mine
    with RawConnection(server.port) as connection:
        _, text = parse(connection.command("INFO", "latencystats"))
    assert re.search(rb"latency_percentiles_usec_debug:p50=\d+\.\d{3},p99=\d+\.\d{3},"
                     rb"p99\.9=\d+\.\d{3}\r\n", text), text


# --- randomized differential ----------------------------------------------------------------
# Seeded sequences of LATENCY, MEMORY and latency CONFIG commands, valid and malformed, whose
# replies do not depend on timing or memory figures: the threshold is 0 or 10 s (nothing this
# sequence runs takes that long), histograms are asked only for commands it never runs, MEMORY
# USAGE only of missing keys or with bad options.

EVENTS = [b"command", b"fast-command", b"expire-cycle", b"eviction-cycle", b"eviction-del",
          b"aof-write", b"aof-fsync-always", b"fork", b"COMMAND", b"nosuch", b""]
UNUSED_COMMANDS = [b"get", b"hset", b"zadd", b"nosuch", b"config|nosuch", b"client|list",
                   b"x|y|z", b"GET", b"object|encoding"]
SUBCOMMANDS = [b"LATEST", b"HISTORY", b"RESET", b"GRAPH", b"DOCTOR", b"HISTOGRAM", b"HELP",
               b"latest", b"bogus"]


def _latency_command(rng: random.Random) -> list[bytes]:
    sub = rng.choice(SUBCOMMANDS)
    extra = rng.choice([0, 0, 1, 1, 2, 3])
    pool = EVENTS
    if sub.lower() == b"histogram":  # without names it lists every command this run used
        pool = UNUSED_COMMANDS
        extra = max(extra, 1)
    return [b"LATENCY", sub] + [rng.choice(pool) for _ in range(extra)]


def _other_command(rng: random.Random) -> list[bytes]:
    choice = rng.randrange(9)
    if choice == 0:
        value = rng.choice([b"0", b"10000", b"-1", b"abc", b"0.5", b""])
        return [b"CONFIG", b"SET", b"latency-monitor-threshold", value]
    if choice == 1:
        name = rng.choice([b"latency-tracking", b"latency-monitor-threshold",
                           b"latency-tracking-info-percentiles"])
        return [b"CONFIG", b"GET", name]
    if choice == 2:
        value = rng.choice([b"50 99 99.9", b"0", b"100 0", b"", b"101", b"x", b"99.99 12.5"])
        return [b"CONFIG", b"SET", b"latency-tracking-info-percentiles", value]
    if choice == 3:
        return [b"CONFIG", b"SET", b"latency-tracking", rng.choice([b"yes", b"no", b"maybe"])]
    if choice == 4:
        # STATS, DOCTOR and MALLOC-STATS only malformed: their answers are each server's own.
        sub = rng.choice([b"HELP", b"PURGE", b"DOCTOR", b"STATS", b"MALLOC-STATS", b"nosuch"])
        bare = sub in (b"HELP", b"PURGE", b"nosuch") and rng.random() < 0.5
        return [b"MEMORY", sub] + ([] if bare else [b"x"])
    if choice == 5:
        options = rng.choice([[], [b"SAMPLES", b"5"], [b"SAMPLES"], [b"SAMPLES", b"-1"],
                              [b"SAMPLES", b"x"], [b"bogus"]])
        return [b"MEMORY", b"USAGE", rng.choice([b"missing", b"nokey"])] + options
    if choice == 6:
        return [b"MEMORY"]
    if choice == 7:
        return [b"DEBUG", b"SLEEP", rng.choice([b"0", b"0.0001", b"abc", b"-1"])]
    return [b"LATENCY"]


def differential_commands(seed: int, count: int) -> list[list[bytes]]:
    rng = random.Random(seed)
    return [_latency_command(rng) if rng.random() < 0.6 else _other_command(rng)
            for _ in range(count)]


def _run(port: int, commands: list[list[bytes]], protocol: int) -> list[bytes]:
    with RawConnection(port) as connection:
        if protocol == 3:
            assert connection.command("HELLO", "3").startswith(b"%")
        replies = []
        for args in commands:
            connection.send(encode(*args))
            replies.append(connection.read_reply())
        return replies


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_randomized_differential(servers, protocol):
    server, oracle = servers
    count = int(os.environ.get("LATENCY_DIFF_COMMANDS", "15000"))
    seed = int(os.environ.get("LATENCY_DIFF_SEED", "1717")) + protocol
    commands = differential_commands(seed, count)
    want = _run(oracle.port, commands, protocol)
    got = _run(server.port, commands, protocol)
    mismatches = [f"  {b' '.join(args)[:100]!r}\n    drayman: {mine[:300]!r}\n"
                  f"    redis:   {theirs[:300]!r}"
                  for args, mine, theirs in zip(commands, got, want) if mine != theirs]
    assert not mismatches, f"{len(mismatches)} of {len(commands)} replies differ:\n" + "\n".join(
        mismatches[:30])


def test_number_of_cached_scripts_follows_redis(servers):
    """INFO memory's number_of_cached_scripts after SCRIPT LOAD, EVAL of a new body, a repeated
    body, a failing compile, FUNCTION LOAD (functions are not cached scripts) and SCRIPT FLUSH."""
    steps = [
        ["SCRIPT", "LOAD", "return 1"], ["SCRIPT", "LOAD", "return 1"],
        ["EVAL", "return 2", "0"], ["EVAL", "return 2", "0"], ["EVAL", "return (", "0"],
        ["SCRIPT", "LOAD", "return 3"],
        ["FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() end)"],
        ["SCRIPT", "FLUSH"], ["EVAL", "return 4", "0"], ["FUNCTION", "FLUSH"],
    ]
    counts = []
    for server in servers:
        with RawConnection(server.port) as connection:
            seen = []
            for args in steps:
                connection.command(*args)
                info = parse(connection.command("INFO", "memory"))[1].decode()
                seen.append(re.search(r"number_of_cached_scripts:(\d+)", info).group(1))
            counts.append(seen)
    assert counts[0] == counts[1]
    assert counts[1] == ["1", "1", "2", "2", "2", "3", "3", "0", "1", "1"]
