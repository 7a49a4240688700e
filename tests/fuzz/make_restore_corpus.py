#!/usr/bin/env python3
"""Writes restore_fuzzer's seed corpus (tests/fuzz/restore_corpus/).

Each seed is one serialized value without DUMP's footer (the RDB type byte, then the value); the
fuzzer appends the version and CRC-64 itself. Every type and encoding Redis 7.0 writes comes from
Debian's redis-server, started here on a free port with persistence off: strings (LZF-compressed
too), sparse and dense HyperLogLogs, bitmaps, listpack and quicklist lists with a plain node,
intset/listpack/hashtable sets, listpack/hashtable hashes, listpack/skiplist sorted sets, and
streams with consumer groups, pending entries, deletions and an empty stream, and two function
libraries (FUNCTION DUMP's form, which the fuzzer sends to FUNCTION RESTORE), and one whole RDB
file of them all (SAVE's, its CRC zeroed), which the fuzzer loads as a file. The encodings only
older Redis versions write (ziplist, zipmap, quicklist of ziplists, plain-ascii sorted sets),
which RESTORE still accepts, are built here byte by byte.
Run: .venv/bin/python tests/fuzz/make_restore_corpus.py   (rewrites the corpus; it is checked in)
"""
import pathlib
import shutil
import socket
import struct
import subprocess
import tempfile
import time

import redis

HERE = pathlib.Path(__file__).resolve().parent


def rdb_length(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | n >> 8, n & 0xFF])
    return b"\x80" + struct.pack(">I", n)


def rdb_string(data):
    return rdb_length(len(data)) + data


def ziplist(entries):
    """A ziplist of short strings and small integers (int8 and int16 encodings)."""
    body = b""
    prevlen = 0
    offsets = []
    for entry in entries:
        offsets.append(10 + len(body))
        if isinstance(entry, int):
            payload = b"\xfe" + struct.pack("<b", entry) if -128 <= entry < 128 else \
                b"\xc0" + struct.pack("<h", entry)
        else:
            assert len(entry) < 64
            payload = bytes([len(entry)]) + entry
        record = bytes([prevlen]) + payload
        body += record
        prevlen = len(record)
    total = 10 + len(body) + 1
    tail = offsets[-1] if offsets else 10
    return struct.pack("<IIH", total, tail, len(entries)) + body + b"\xff"


def zipmap(pairs):
    out = bytes([len(pairs)])
    for field, value in pairs:
        out += bytes([len(field)]) + field + bytes([len(value)]) + b"\x00" + value
    return out + b"\xff"


def handmade():
    s = {}
    s["old_list_ziplist"] = b"\x0a" + rdb_string(ziplist([b"a", b"bb", 7, 300, b"tail"]))
    s["old_hash_ziplist"] = b"\x0d" + rdb_string(ziplist([b"f1", b"v1", b"f2", 2]))
    s["old_zset_ziplist"] = b"\x0c" + rdb_string(ziplist([b"a", 1, b"b", b"2.5"]))
    s["old_hash_zipmap"] = b"\x09" + rdb_string(zipmap([(b"f", b"v"), (b"g", b"ww")]))
    s["old_list_quicklist"] = (b"\x0e" + rdb_length(2) + rdb_string(ziplist([b"a", 1])) +
                               rdb_string(ziplist([b"b", b"c"])))
    s["old_list_plain"] = b"\x01" + rdb_length(2) + rdb_string(b"x") + rdb_string(b"y")
    s["old_set_plain"] = b"\x02" + rdb_length(2) + rdb_string(b"x") + rdb_string(b"12")
    s["old_hash_plain"] = b"\x04" + rdb_length(1) + rdb_string(b"f") + rdb_string(b"v")
    ascii_score = rdb_string(b"a") + bytes([3]) + b"1.5" + rdb_string(b"b") + b"\xfe"  # +inf
    s["old_zset_ascii"] = b"\x03" + rdb_length(2) + ascii_score
    # FUNCTION DUMP as the 7.0 release candidates wrote it: name, engine, description, code.
    s["functions_rc_form"] = (b"\xf6" + rdb_string(b"rc") + rdb_string(b"LUA") + rdb_length(1) +
                              rdb_string(b"desc") +
                              rdb_string(b"redis.register_function('h', function() return 2 end)"))
    s["zset_binary"] = b"\x05" + rdb_length(1) + rdb_string(b"m") + struct.pack("<d", 2.5)
    return s


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def from_redis(directory):
    port = free_port()
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no", "--dir", directory],
                              stdout=subprocess.DEVNULL)
    try:
        r = redis.Redis(port=port)
        for _ in range(100):
            try:
                r.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        r.set("string", "hello")
        r.set("string_int", "12345")
        r.set("string_lzf", "x" * 300)
        r.pfadd("hll_sparse", *["e%d" % i for i in range(20)])
        r.pfadd("hll_dense", *["e%d" % i for i in range(5000)])
        r.setbit("bitmap", 100, 1)
        r.bitfield("bitmap").set("u8", 8, 200).execute()
        r.rpush("list_listpack", "a", "1", "bb", "-5", "x" * 70)
        r.config_set("list-max-listpack-size", "4")
        r.rpush("list_quicklist", *[str(i) for i in range(12)], "y" * 80)
        r.config_set("list-max-listpack-size", "-2")
        r.rpush("list_plain_node", "z" * 5000, "small")
        r.sadd("set_intset", 1, 2, 3, -7, 100000)
        r.sadd("set_listpack", "a", "b", "12")
        r.sadd("set_hashtable", *["m%d" % i for i in range(200)])
        r.hset("hash_listpack", mapping={"f1": "v1", "f2": "2", "f3": "x" * 20})
        r.hset("hash_hashtable", mapping={"f%d" % i: "v%d" % i for i in range(200)})
        r.zadd("zset_listpack", {"a": 1, "b": 2.5, "c": -3})
        r.zadd("zset_skiplist", {"m%d" % i: i * 1.5 for i in range(200)})
        for i in range(5):
            r.xadd("stream", {"f": "v%d" % i, "g": "w"}, id="%d-%d" % (1000 + i, i))
        r.xadd("stream", {"other": "1"}, id="2000-0")
        r.xgroup_create("stream", "g", id="0")
        r.xgroup_create("stream", "h", id="$")
        r.xreadgroup("g", "c", {"stream": ">"}, count=3)
        r.xreadgroup("g", "d", {"stream": ">"}, count=1)
        r.xack("stream", "g", "1001-1")
        r.xdel("stream", "1003-3")
        r.xadd("stream_empty", {"a": "b"}, id="5-5")
        r.xdel("stream_empty", "5-5")
        r.xgroup_create("stream_empty", "g", id="0")
        seeds = {key.decode(): r.dump(key)[:-10] for key in r.keys("*")}
        r.function_load("#!lua name=lib\nredis.register_function('f', function(keys, args) "
                        "return redis.call('GET', keys[1]) end)\n"
                        "redis.register_function{function_name='ro', callback=function() "
                        "return 1 end, flags={'no-writes', 'allow-oom'}, description='d'}")
        r.function_load("#!lua name=other\nlocal helper = function() return cjson.encode({1}) "
                        "end\nredis.register_function('g', helper)")
        seeds["functions"] = r.function_dump()[:-10]
        # A whole RDB file of all of the above, plus expiries and another database; its CRC is
        # zeroed (no checksum), so the fuzzer's changes are not refused for the checksum alone.
        r.expire("string", 100000)
        r.pexpireat("hash_listpack", 4102444800000)
        r.select(3)
        r.set("in_db_3", "v")
        r.save()
        rdb = (pathlib.Path(directory) / "dump.rdb").read_bytes()
        seeds["rdb_file"] = rdb[:-8] + bytes(8)
        return seeds
    finally:
        server.terminate()
        server.wait()


def main():
    corpus = HERE / "restore_corpus"
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir()
    with tempfile.TemporaryDirectory() as directory:
        seeds = {**from_redis(directory), **handmade()}
    for name, payload in sorted(seeds.items()):
        (corpus / name).write_bytes(payload)
    print("wrote %d seeds to %s" % (len(seeds), corpus))


if __name__ == "__main__":
    main()
