"""Streams with consumer groups and pending entries move between Drayman and Debian's
redis-server 7.0.15 both ways, byte for byte: DUMP payloads, RESTORE, and RDB files.

The same command script (explicit IDs; entries of every listpack size class: small, around the
1- and 2-byte back-length thresholds, Celery-sized ~1 KB, larger than a 4 KB node, and the
16378-byte element whose back-length takes three bytes) builds the streams on both servers. Then:
- DUMP bytes are equal on both servers, except the clock values inside them (consumers'
  seen-times and pending entries' delivery times, and so the CRC), which are masked by walking
  the payload's RDB type-19 layout;
- each server's DUMP RESTOREs on the other, and the other's DUMP of it is the same bytes;
- an RDB file SAVEd by either server loads into the other (redis-check-rdb accepts Drayman's),
  with XINFO STREAM FULL, XINFO GROUPS, XRANGE and every DUMP identical.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from rawresp import RawConnection, encode
from servers import DraymanProcess, RedisProcess

DEBUG = ("--enable-debug-command", "yes")  # DEBUG DIGEST-VALUE
BACKLEN_SIZES = [61, 62, 63, 64, 124, 125, 126, 127, 128, 4089, 4090, 4091, 16377, 16378, 16379]


def script() -> list[list[bytes]]:
    out: list[list[bytes]] = []

    def cmd(*args) -> None:
        out.append([a if isinstance(a, bytes) else str(a).encode() for a in args])

    # Many small entries over several nodes, some deleted, the head trimmed.
    for i in range(1, 261):
        cmd("XADD", "plain", f"{i}-1", "field", f"value{i}")
    cmd("XDEL", "plain", "5-1", "150-1", "201-1")
    cmd("XTRIM", "plain", "MINID", "20")
    cmd("XGROUP", "CREATE", "plain", "g", "0")
    cmd("XREADGROUP", "GROUP", "g", "alice", "COUNT", "30", "STREAMS", "plain", ">")
    cmd("XACK", "plain", "g", "21-1", "25-1")
    # Celery-sized entries: several fields, a ~1 KB body, consumers with pending entries.
    for i in range(1, 121):
        cmd("XADD", "celery", f"1700000000{i:03d}-0", "body", (b"B%04d" % i) * 200,
            "content-type", "application/json", "delivery_tag", f"tag-{i}", "priority", "0")
    cmd("XGROUP", "CREATE", "celery", "workers", "0")
    cmd("XGROUP", "CREATE", "celery", "late", "$", "ENTRIESREAD", "120")
    for worker in ("w1", "w2", "w3"):
        cmd("XREADGROUP", "GROUP", "workers", worker, "COUNT", "25", "STREAMS", "celery", ">")
    cmd("XREADGROUP", "GROUP", "workers", "fast", "NOACK", "COUNT", "5", "STREAMS", "celery", ">")
    cmd("XACK", "celery", "workers", "1700000000002-0", "1700000000030-0", "1700000000070-0")
    cmd("XCLAIM", "celery", "workers", "w3", "0", "1700000000004-0", "RETRYCOUNT", "5")
    cmd("XCLAIM", "celery", "workers", "w1", "0", "1700000000060-0", "JUSTID")
    cmd("XGROUP", "CREATECONSUMER", "celery", "workers", "spare")
    cmd("XDEL", "celery", "1700000000010-0")
    # Element sizes at the listpack encoding and back-length thresholds, and beyond a node.
    for n, size in enumerate(BACKLEN_SIZES, start=1):
        cmd("XADD", "sizes", f"{n}-0", "v", b"x" * size)
        cmd("XADD", "sizes", f"{n}-1", b"k" * size, "1")
    cmd("XGROUP", "CREATE", "sizes", "g", "0")
    cmd("XREADGROUP", "GROUP", "g", "c", "COUNT", "7", "STREAMS", "sizes", ">")
    for i in range(1, 6):
        cmd("XADD", "big", f"{i}-0", "payload", bytes([64 + i]) * 5000, "n", i)
    cmd("XADD", "big", "6-0", "small", "1")
    cmd("XGROUP", "CREATE", "big", "g", "0")
    cmd("XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", "big", ">")
    # Integer fields and values, mixed field sets in one node.
    for i in range(1, 40):
        fields = ["1", str(i), "-7", str(-i * 1000)] if i % 3 else ["x", "y"]
        cmd("XADD", "ints", f"{i}-{i}", *fields)
    # Empty streams: a group on a new one, and one trimmed to nothing with XSETID's state.
    cmd("XGROUP", "CREATE", "empty", "g", "$", "MKSTREAM")
    cmd("XGROUP", "CREATECONSUMER", "empty", "g", "nobody")
    cmd("XADD", "trimmed", "1-1", "a", "1")
    cmd("XADD", "trimmed", "2-1", "a", "2")
    cmd("XTRIM", "trimmed", "MAXLEN", "0")
    cmd("XSETID", "trimmed", "9-9", "ENTRIESADDED", "12", "MAXDELETEDID", "3-3")
    return out


KEYS = [b"plain", b"celery", b"sizes", b"big", b"ints", b"empty", b"trimmed"]


def run(port: int, commands: list[list[bytes]]) -> list[bytes]:
    with RawConnection(port, timeout=60) as connection:
        replies = []
        for args in commands:
            connection.send(encode(*args))
            replies.append(connection.read_reply())
        return replies


def bulk(reply: bytes) -> bytes:
    assert reply.startswith(b"$"), reply[:200]
    header, _, rest = reply.partition(b"\r\n")
    return rest[:int(header[1:])]


def fill(port: int) -> None:
    for args, reply in zip(script(), run(port, script())):
        assert not reply.startswith(b"-"), (args[:4], reply)


def dumps(port: int) -> dict[bytes, bytes]:
    return {key: bulk(reply) for key, reply in zip(KEYS, run(port, [[b"DUMP", k] for k in KEYS]))}


def state(port: int, key: bytes) -> list[bytes]:
    """What a stream holds, as the server's exact reply bytes (no relative times)."""
    return run(port, [[b"XINFO", b"STREAM", key, b"FULL", b"COUNT", b"0"],
                      [b"XINFO", b"STREAM", key], [b"XINFO", b"GROUPS", key],
                      [b"XRANGE", key, b"-", b"+"], [b"XREVRANGE", key, b"+", b"-", b"COUNT", b"5"],
                      [b"OBJECT", b"ENCODING", key], [b"DEBUG", b"DIGEST-VALUE", key]])


class Payload:
    """Walks a type-19 DUMP payload and zeroes the clock values in it."""

    def __init__(self, data: bytes) -> None:
        self.data = bytearray(data)
        self.pos = 0

    def byte(self) -> int:
        self.pos += 1
        return self.data[self.pos - 1]

    def length(self) -> tuple[int, bool]:
        first = self.byte()
        kind = first >> 6
        if kind == 0:
            return first & 0x3F, False
        if kind == 1:
            return ((first & 0x3F) << 8) | self.byte(), False
        if first == 0x80:
            self.pos += 4
            return int.from_bytes(self.data[self.pos - 4:self.pos], "big"), False
        if first == 0x81:
            self.pos += 8
            return int.from_bytes(self.data[self.pos - 8:self.pos], "big"), False
        return first & 0x3F, True

    def string(self) -> None:
        value, encoded = self.length()
        if not encoded:
            self.pos += value
        elif value in (0, 1, 2):
            self.pos += 1 << value
        else:  # LZF: compressed length, original length, compressed bytes
            compressed, _ = self.length()
            self.length()
            self.pos += compressed

    def mask(self, size: int) -> None:
        self.data[self.pos:self.pos + size] = bytes(size)
        self.pos += size

    def masked(self) -> bytes:
        assert self.byte() == 19, "RDB_TYPE_STREAM_LISTPACKS_2"
        nodes, _ = self.length()
        for _ in range(nodes):
            self.string()  # master ID
            self.string()  # listpack
        for _ in range(8):  # length, last ID, first ID, max-deleted ID, entries-added
            self.length()
        groups, _ = self.length()
        for _ in range(groups):
            self.string()
            for _ in range(3):  # last ID, entries-read
                self.length()
            pending, _ = self.length()
            for _ in range(pending):
                self.pos += 16
                self.mask(8)  # delivery time
                self.length()
            consumers, _ = self.length()
            for _ in range(consumers):
                self.string()
                self.mask(8)  # seen-time
                owned, _ = self.length()
                self.pos += 16 * owned
        assert self.pos == len(self.data) - 10, "trailing bytes before version and CRC"
        self.pos += 2
        self.mask(8)  # CRC-64 covers the times
        return bytes(self.data)


@pytest.mark.parametrize("compression", ["yes", "no"])
def test_dump_bytes_equal_redis_with_clock_values_masked(compression):
    with DraymanProcess("--rdbcompression", compression, *DEBUG) as ours, \
            RedisProcess("--rdbcompression", compression, *DEBUG) as theirs:
        fill(ours.port)
        fill(theirs.port)
        mine, expected = dumps(ours.port), dumps(theirs.port)
        for key in KEYS:
            assert Payload(mine[key]).masked() == Payload(expected[key]).masked(), key
        # Streams without groups carry no clock value: their DUMPs are equal as they are.
        for key in (b"ints", b"trimmed"):
            assert mine[key] == expected[key], key
        # Everything but XINFO STREAM FULL (seen-times, delivery times) is equal as it is: node
        # splits (XINFO's radix-tree figures), groups, entries, digests.
        for key in KEYS:
            assert state(ours.port, key)[1:] == state(theirs.port, key)[1:], key


def test_dump_restore_round_trips_byte_for_byte_both_ways():
    with DraymanProcess(*DEBUG) as ours, RedisProcess(*DEBUG) as theirs:
        for source, target in ((ours, theirs), (theirs, ours)):
            run(target.port, [[b"FLUSHALL"]])
            run(source.port, [[b"FLUSHALL"]])
            fill(source.port)
            payloads = dumps(source.port)
            replies = run(target.port, [[b"RESTORE", key, b"0", payloads[key]] for key in KEYS])
            assert replies == [b"+OK\r\n"] * len(KEYS), (source.name, replies)
            assert dumps(target.port) == payloads, source.name
            for key in KEYS:
                assert state(target.port, key) == state(source.port, key), (source.name, key)


def check_rdb(path: str) -> None:
    done = subprocess.run(["redis-check-rdb", path], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RDB looks OK" in done.stdout, done.stdout


@pytest.mark.parametrize("direction", ["redis-to-drayman", "drayman-to-redis"])
def test_rdb_files_load_on_the_other_server(tmp_path, direction):
    source_class, target_class = ((RedisProcess, DraymanProcess) if direction == "redis-to-drayman"
                                  else (DraymanProcess, RedisProcess))
    with source_class("--dir", str(tmp_path), *DEBUG) as source:
        fill(source.port)
        expected = {key: state(source.port, key) for key in KEYS}
        payloads = dumps(source.port)
        assert run(source.port, [[b"SAVE"]]) == [b"+OK\r\n"]
    path = os.path.join(str(tmp_path), "dump.rdb")
    check_rdb(path)
    with target_class("--dir", str(tmp_path), *DEBUG) as target:
        for key in KEYS:
            assert state(target.port, key) == expected[key], key
        assert dumps(target.port) == payloads
