"""Random string and key commands, replayed on drayman-server and redis-server, byte for byte.

Each seed draws a few thousand commands over a handful of keys, with awkward numbers ("-0", "01",
"1e308", "inf", " 1"), binary values, conflicting options and bad arities, and sends each one to
both servers. Every raw reply must be equal, except where the clock makes them legitimately
differ: TTL-style replies are compared by their sign, KEYS by its set of names. Relative expiry
times are long (100 s) or invalid, so no key expires while the test runs; absolute ones are in
the past, which deletes the key at once on both servers.
"""

from __future__ import annotations

import random
import socket

import pytest

from servers import DraymanProcess, RedisProcess

KEYS = [b"a", b"b", b"c", b"k1", b"k2", b""]
NUMBERS = [b"0", b"1", b"-1", b"5", b"9999", b"10000", b"-0", b"01", b"+1", b"1.5", b"abc",
           b"9223372036854775807", b"-9223372036854775808", b"100", b"-5", b" 1", b"1e3",
           b"0x10", b"inf", b"-inf", b"nan", b"1e308", b".5", b"", b"99999999999999999999"]
VALUES = NUMBERS + [b"hello", b"x" * 44, b"x" * 45, b"\x00\xff", b"a\r\nb"]
TIMES = [b"0", b"-1", b"abc", b"100000", b"1.5", b"9223372036854775807",
         b"-9223372036854775808", b"01"]
ABSOLUTE_TIMES = [b"1", b"100", b"9999999999999"]
# SET and GETEX pair a time with an option drawn at random (EX or EXAT alike), so their times
# must be deterministic read either way: "1" or "100" as a relative PX or EX would expire while
# the test runs, at slightly different moments on the two servers.
EITHER_WAY_TIMES = TIMES + [b"9999999999999"]
TTL_COMMANDS = {b"TTL", b"PTTL", b"EXPIRETIME", b"PEXPIRETIME"}


def random_command(rnd: random.Random) -> list[bytes]:
    key, value, number = rnd.choice(KEYS), rnd.choice(VALUES), rnd.choice(NUMBERS)
    pick = rnd.randrange(30)
    if pick == 0:
        options = rnd.sample([b"NX", b"XX", b"GET", b"KEEPTTL", b"EX", b"PX", b"EXAT", b"foo"],
                             rnd.randint(0, 2))
        tail = [rnd.choice(EITHER_WAY_TIMES)] if rnd.random() < 0.3 else []
        return [b"SET", key, value] + options + tail
    if pick == 1:
        options = rnd.sample([b"PERSIST", b"EX", b"PX", b"EXAT", b"PXAT", b"foo"],
                             rnd.randint(0, 2))
        tail = [rnd.choice(EITHER_WAY_TIMES)] if rnd.random() < 0.4 else []
        return [b"GETEX", key] + options + tail
    if pick == 2:
        pairs = [x for _ in range(rnd.randint(0, 2)) for x in (rnd.choice(KEYS), rnd.choice(VALUES))]
        return [rnd.choice([b"MSET", b"MSETNX"])] + pairs + ([key] if rnd.random() < 0.2 else [])
    if pick == 3:
        return [b"MGET"] + rnd.sample(KEYS, rnd.randint(0, 3))
    if pick == 4:
        return [rnd.choice([b"INCR", b"DECR", b"STRLEN", b"GET", b"GETDEL", b"TYPE", b"PERSIST",
                            b"DEL", b"UNLINK"]), key]
    if pick == 5:
        return [rnd.choice([b"INCRBY", b"DECRBY", b"INCRBYFLOAT"]), key, number]
    if pick == 6:
        return [rnd.choice([b"APPEND", b"GETSET", b"SETNX"]), key, value]
    if pick == 7:
        return [rnd.choice([b"GETRANGE", b"SUBSTR"]), key, number, rnd.choice(NUMBERS)]
    if pick == 8:
        return [b"SETRANGE", key, rnd.choice([b"0", b"1", b"3", b"-1", b"abc", b"536870912"]),
                value]
    if pick == 9:
        return [b"OBJECT", rnd.choice([b"ENCODING", b"REFCOUNT", b"FREQ", b"foo"]), key]
    if pick == 10:
        return [rnd.choice([b"EXISTS", b"TOUCH"])] + rnd.sample(KEYS, rnd.randint(1, 3))
    if pick == 11:
        return [rnd.choice([b"RENAME", b"RENAMENX"]), key, rnd.choice(KEYS)]
    if pick == 12:
        options = rnd.sample([b"REPLACE", b"DB", b"1", b"foo"], rnd.randint(0, 2))
        return [b"COPY", key, rnd.choice(KEYS)] + options
    if pick == 13:
        return [b"MOVE", key, rnd.choice([b"0", b"1", b"16", b"x", b"99999999999"])]
    if pick in (14, 15):
        options = rnd.sample([b"NX", b"XX", b"GT", b"LT", b"bar"], rnd.randint(0, 2))
        command = rnd.choice([b"EXPIRE", b"PEXPIRE", b"EXPIREAT", b"PEXPIREAT"])
        times = ABSOLUTE_TIMES + TIMES if command.endswith(b"AT") else TIMES
        return [command, key, rnd.choice(times)] + options
    if pick == 16:
        return [rnd.choice(sorted(TTL_COMMANDS)), key]
    if pick == 17:
        return [rnd.choice([b"SETEX", b"PSETEX"]), key, rnd.choice(TIMES), value]
    if pick == 18:
        return [b"KEYS", rnd.choice([b"*", b"a*", b"k?", b"[ab]", b"*1", b"[^a]*", b"\\*"])]
    if pick == 19:
        return [b"SELECT", rnd.choice([b"0", b"0", b"1"])]
    # Arity errors.
    return [rnd.choice([b"GET", b"SET", b"MGET", b"MSET", b"GETRANGE", b"EXPIRE", b"COPY"])]


class RawConnection:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.file = self.sock.makefile("rb")

    def call(self, args: list[bytes]) -> bytes:
        out = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
        self.sock.sendall(out)
        return self._read()

    def _read(self) -> bytes:
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"$" and int(rest) >= 0:
            return line + self.file.read(int(rest) + 2)
        if kind == b"*" and int(rest) >= 0:
            return line + b"".join(self._read() for _ in range(int(rest)))
        return line

    def close(self) -> None:
        self.file.close()
        self.sock.close()


def comparable(args: list[bytes], reply: bytes):
    if args[0] in TTL_COMMANDS and reply.startswith(b":"):
        value = int(reply[1:-2])
        return ("ttl", value if value < 0 else "set")
    if args[0] == b"KEYS" and reply.startswith(b"*"):
        return ("keys", sorted(reply.split(b"\r\n")[1:]))
    return reply


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_string_and_key_commands_match_redis(seed):
    rnd = random.Random(seed)
    with DraymanProcess() as drayman, RedisProcess() as oracle:
        ours, theirs = RawConnection(drayman.port), RawConnection(oracle.port)
        try:
            for step in range(2500):
                args = random_command(rnd)
                got, want = ours.call(args), theirs.call(args)
                assert comparable(args, got) == comparable(args, want), (step, args, got, want)
        finally:
            ours.close()
            theirs.close()
