"""A seeded randomized differential run of COMMAND GETKEYS / GETKEYSANDFLAGS against redis-server.

Key extraction is what the ACL, CLIENT TRACKING and the command table trust, and each command
finds its keys its own way (fixed positions, numkeys, STREAMS, SORT's STORE, GEORADIUS's STORE,
MIGRATE's KEYS, EVAL's numkeys ...). The generator draws a command name from Redis 7.0.15's own
COMMAND LIST (with a subcommand for container commands) and a random argument list mixing key
names, numbers and the keywords that move keys, and asks both servers for its keys and flags.
Replies, errors included, must be equal byte for byte (run_seeded_differential: RESP2 or RESP3 by
the seed's parity). The commands Drayman does not offer (README, "Not supported yet") are left
out, and so are ZRANK/ZREVRANK, whose arity is 7.2's on purpose (README). Steps per seed: DRAYMAN_GETKEYS_DIFF_STEPS (default 7500).

One deliberate difference is kept out of the draw: `PFMERGE dest` without source keys. Redis
7.0.15's key spec for the sources resolves to an empty range, which its getKeysUsingKeySpecs
counts as invalid, and with no getkeys function to fall back on it finds no key at all, so
GETKEYS answers `Invalid arguments specified for command` and the ACL checks no key (a user with
`~other:*` may write any destination). Drayman falls back to the table's key position: GETKEYS
names `dest` and the ACL checks it (README).
"""

from __future__ import annotations

import os
import random

import pytest

from rawresp import RawConnection, parse
from servers import RedisProcess
from test_command_surface_oracle import ARITY_DIFFERENCES, MISSING
from test_commands_vs_redis import run_seeded_differential

WORDS = [b"k1", b"k2", b"k3", b"0", b"1", b"2", b"3", b"-1", b"5", b"STREAMS", b"STORE",
         b"STOREDIST", b"BY", b"GET", b"KEYS", b"LIMIT", b"WEIGHTS", b"AGGREGATE", b"COUNT",
         b"BLOCK", b"GROUP", b"FROMMEMBER", b"LEFT", b"RIGHT", b"MIN", b"MAX", b"ANY", b"EX",
         b"DB", b"REPLACE", b"NX", b"x", b"", b"$", b">", b"*", b"WITHSCORES", b"u8", b"SET"]


def command_names() -> list[tuple[bytes, list[bytes]]]:
    """(name, subcommands) of every command redis-server 7.0.15 has and Drayman offers."""
    with RedisProcess() as oracle, RawConnection(oracle.port) as connection:
        reply = parse(connection.command("COMMAND", "INFO"))[1]
    out = []
    for _, entry in reply:
        name = entry[0][1]
        if name.decode() in MISSING or name.decode() in ARITY_DIFFERENCES:
            continue
        subcommands = sorted(sub[1][0][1].split(b"|", 1)[1] for sub in entry[9][1])
        out.append((name, subcommands))
    return sorted(out)


def make_generator(names: list[tuple[bytes, list[bytes]]]):
    def random_command(rnd: random.Random) -> list[bytes]:
        name, subcommands = rnd.choice(names)
        args = [name]
        if subcommands and rnd.random() < 0.9:
            args.append(rnd.choice(subcommands))
        args += [rnd.choice(WORDS) for _ in range(rnd.choice([0, 1, 2, 3, 4, 5, 6, 8, 10]))]
        if name == b"pfmerge" and len(args) == 2:
            args.append(b"k1")  # PFMERGE dest alone: a deliberate difference (module docstring)
        return [b"COMMAND", rnd.choice([b"GETKEYS", b"GETKEYSANDFLAGS"])] + args

    return random_command


STEPS = int(os.environ.get("DRAYMAN_GETKEYS_DIFF_STEPS", "7500"))


@pytest.fixture(scope="module")
def names():
    return command_names()


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_getkeys_match_redis(names, seed):
    assert len(names) > 200
    compared = run_seeded_differential(seed, STEPS, make_generator(names))
    print(f"seed {seed}: {compared} commands compared")
    assert compared == STEPS
