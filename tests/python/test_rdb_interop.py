"""RDB files and DUMP payloads move between Drayman and Debian's redis-server 7.0.15 both ways.

Each direction fills one server with every type in every encoding Redis 7.0 picks, saves (or
dumps), loads into the other, and compares every key's type, encoding, value and expiry.
redis-check-rdb must accept every file Drayman writes; corrupt files must stop Drayman from
starting."""

import math
import os
import subprocess

import pytest
import redis

from datasets import dataset
from servers import DraymanProcess, RedisProcess, drayman_binary

DEADLINE_MS = 4102444800000  # 2100-01-01: far enough that no test run reaches it


def fill(r: redis.Redis) -> None:
    """Every type in every encoding Redis 7.0 picks, with binary and edge-case data, 16 DBs."""
    r.select(0)
    r.set("str", "hello")
    r.set("int", "12345")
    r.set("int64", "9223372036854775807")
    r.set("negative", "-5")
    r.set("not-canonical", "007")
    r.set("empty", "")
    r.set("float", "3.14")
    r.set("long-compressible", "abc" * 500)
    r.set("binary", bytes(range(256)) * 3)
    r.set(b"\x00\xffbinary-key\r\n", b"\x00v")
    r.rpush("list-small", "a", "1", "", "-17", "b" * 100, "9223372036854775807")
    r.rpush("list-large", *[f"item-{i}" if i % 3 else str(i) for i in range(20000)])
    r.rpush("list-big-element", "x" * 20000, "tail")
    r.sadd("set-intset", 1, 2, -3, 2 ** 40, -(2 ** 63))
    r.sadd("set-intset-large", *range(600))  # past set-max-intset-entries: hashtable
    r.sadd("set-strings", "a", "b", "1", "")
    r.sadd("set-large", *[f"member-{i}" for i in range(1000)])
    r.hset("hash-small", mapping={"f": "v", "n": "123", "": "empty-field", "neg": "-1"})
    r.hset("hash-large", mapping={f"field{i}": str(i * i) for i in range(1000)})
    r.hset("hash-long-value", mapping={"f": "v" * 100})
    specials = {"inf": math.inf, "-inf": -math.inf, "negzero": -0.0, "zero": 0.0,
                "denormal": 5e-324, "min-normal": 2.2250738585072014e-308, "half": 1.5,
                "big": 1e300, "int": 42, "bigint": 2.0 ** 62, "tiny": -1e-300}
    r.zadd("zset-small", specials)
    r.zadd("zset-large", {**specials, **{f"m{i}": i / 7 for i in range(300)}})
    r.zadd("zset-long-member", {"m" * 100: -0.0, "x": 1})
    # Values of the newer families live in these types: HyperLogLogs (sparse and dense) and
    # bitmaps are strings (longer than 44 bytes: raw before and after a load), GEO sets are sorted
    # sets of geohash scores.
    r.pfadd("hll-sparse", *range(50))
    r.pfadd("hll-dense", *range(5000))
    r.setbit("bitmap", 100_000, 1)
    r.execute_command("BITFIELD", "bitfield", "SET", "u8", "0", "255", "SET", "i5", "400", "-3")
    r.geoadd("geo", (13.361389, 38.115556, "Palermo", 15.087269, 37.502669, "Catania",
                     -179.9, -85.0, "far"))
    for key in ("str", "list-small", "set-intset", "hash-small", "zset-small", "zset-large"):
        r.copy(key, f"ttl-{key}")
        r.pexpireat(f"ttl-{key}", DEADLINE_MS)
    r.set("ttl-soon", "v", px=3_600_000)
    for db in range(1, 16):
        r.select(db)
        r.set(f"key-in-{db}", str(db))
        r.rpush(f"list-in-{db}", db, "x")
    r.select(0)


def snapshot(r: redis.Redis) -> dict:
    """Every key of every DB, with its encoding; a relative TTL compares to 10 s (it was set on
    two servers at different moments), the fixed DEADLINE_MS exactly."""
    return dataset(r, encodings=True, ttl_resolution_ms=10_000)


def check_rdb(path: str) -> None:
    done = subprocess.run(["redis-check-rdb", path], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RDB looks OK" in done.stdout, done.stdout


@pytest.fixture
def data_dir(tmp_path):
    return str(tmp_path)


def test_redis_rdb_loads_into_drayman(data_dir):
    with RedisProcess("--dir", data_dir) as source:
        r = redis.Redis(port=source.port)
        fill(r)
        expected = snapshot(r)
        assert r.save()
    assert os.path.exists(os.path.join(data_dir, "dump.rdb"))
    with DraymanProcess("--dir", data_dir) as target:
        d = redis.Redis(port=target.port)
        assert snapshot(d) == expected
        info = d.info("persistence")
        assert info["rdb_last_load_keys_loaded"] == len(expected)
            # -0 survives in a skiplist zset only (a listpack stores it as integer 0), as in Redis.
        assert math.copysign(1, d.zscore("zset-long-member", "m" * 100)) == -1
        assert math.copysign(1, d.zscore("zset-small", "negzero")) == 1


@pytest.mark.parametrize("options", [[], ["--rdbcompression", "no"], ["--rdbchecksum", "no"]])
def test_drayman_rdb_loads_into_redis(data_dir, options):
    with DraymanProcess("--dir", data_dir, *options) as source:
        d = redis.Redis(port=source.port)
        fill(d)
        expected = snapshot(d)
        assert d.info("persistence")["rdb_changes_since_last_save"] > 0
        assert d.save()
        info = d.info("persistence")
        assert info["rdb_changes_since_last_save"] == 0
        assert info["rdb_saves"] == 1
        assert info["rdb_last_bgsave_status"] == "ok"
        assert d.lastsave() is not None
    path = os.path.join(data_dir, "dump.rdb")
    check_rdb(path)
    with RedisProcess("--dir", data_dir, *options) as target:
        r = redis.Redis(port=target.port)
        assert snapshot(r) == expected
        assert math.copysign(1, r.zscore("zset-long-member", "m" * 100)) == -1


def test_drayman_reloads_its_own_file(data_dir):
    with DraymanProcess("--dir", data_dir) as first:
        d = redis.Redis(port=first.port)
        fill(d)
        expected = snapshot(d)
        assert d.save()
    with DraymanProcess("--dir", data_dir) as second:
        assert snapshot(redis.Redis(port=second.port)) == expected


def dump_all(r: redis.Redis) -> dict:
    r.select(0)
    return {key: (r.dump(key), r.pexpiretime(key)) for key in r.scan_iter(count=1000)}


def restore_all(r: redis.Redis, dumps: dict) -> None:
    r.select(0)
    for key, (payload, deadline) in dumps.items():
        assert r.restore(key, max(deadline, 0), payload, replace=True, absttl=True)


def test_dump_restore_both_ways():
    with RedisProcess() as rs, DraymanProcess() as ds:
        r = redis.Redis(port=rs.port)
        d = redis.Redis(port=ds.port)
        fill(r)
        restore_all(d, dump_all(r))
        expected = {k: v for k, v in snapshot(r).items() if k[0] == 0}
        assert snapshot(d) == expected
        # Strings, listpacks and intsets serialise byte for byte as Redis does.
        for key in ("str", "int", "long-compressible", "binary", "list-small", "set-intset",
                    "hash-small", "zset-small", "list-large"):
            assert d.dump(key) == r.dump(key), key
        r.flushall()
        fill(d)
        restore_all(r, dump_all(d))
        expected = {k: v for k, v in snapshot(d).items() if k[0] == 0}
        assert snapshot(r) == expected


def restore_errors(r: redis.Redis) -> list:
    r.flushall()
    r.set("s", "v")
    good = r.dump("s")
    flipped = bytearray(good)
    flipped[1] ^= 1
    newer = good[:-10] + bytes([11, 0]) + good[-8:]
    cases = [
        ["RESTORE", "s", "0", good],
        ["RESTORE", "t", "0", bytes(flipped)],
        ["RESTORE", "t", "0", newer],
        ["RESTORE", "t", "0", b"short"],
        ["RESTORE", "t", "-1", good],
        ["RESTORE", "t", "x", good],
        ["RESTORE", "t", "0", good, "IDLETIME", "-1"],
        ["RESTORE", "t", "0", good, "FREQ", "256"],
        ["RESTORE", "t", "0", good, "FREQ", "1", "IDLETIME", "1"],
        ["RESTORE", "t", "0", good, "BOGUS"],
        ["RESTORE", "t", "0", good, "IDLETIME"],
        ["RESTORE", "s", "0", good, "REPLACE", "ABSTTL", "IDLETIME", "100"],
        ["OBJECT", "IDLETIME", "s"],
        ["RESTORE", "past", "1", good, "ABSTTL"],
        ["EXISTS", "past"],
        ["RESTORE", "s", "1", good, "REPLACE", "ABSTTL"],
        ["EXISTS", "s"],
        ["RESTORE", "t", "5000", good],
        ["PTTL", "t"],
        ["DUMP", "missing"],
    ]
    out = []
    for case in cases:
        try:
            reply = r.execute_command(*case)
        except redis.ResponseError as e:
            reply = "ERR: " + str(e)
        if case[0] == "PTTL":
            reply = 4000 < reply <= 5000
        if case[0] == "OBJECT":
            reply = 100 <= reply <= 101
        out.append(reply)
    return out


@pytest.mark.parametrize("size", [126, 127, 16377, 16378, 16379])
def test_list_dump_bytes_equal_redis_at_backlen_thresholds(size):
    """A listpack entry of 16383 bytes (a 16378-byte element) takes a 3-byte back-length in
    Redis (lpEncodeBacklen's thresholds, a leading zero group): DUMP must match byte for byte."""
    dumps = []
    with DraymanProcess() as ours, RedisProcess() as theirs:
        for server in (ours, theirs):
            client = redis.Redis(port=server.port)
            client.rpush("l", b"x" * size, b"y")
            dumps.append(client.dump("l"))
    assert dumps[0] == dumps[1]


def test_restore_errors_match_redis():
    with RedisProcess() as rs, DraymanProcess() as ds:
        expected = restore_errors(redis.Redis(port=rs.port))
        assert restore_errors(redis.Redis(port=ds.port)) == expected
    assert any("BUSYKEY" in str(x) for x in expected)
    assert any("checksum are wrong" in str(x) for x in expected)


def corrupt_and_start(data_dir: str, mutate) -> subprocess.CompletedProcess:
    with DraymanProcess("--dir", data_dir) as source:
        d = redis.Redis(port=source.port)
        fill(d)
        assert d.save()
    path = os.path.join(data_dir, "dump.rdb")
    with open(path, "rb") as f:
        data = bytearray(f.read())
    with open(path, "wb") as f:
        f.write(mutate(data))
    # With the log off, as in Redis, dump.rdb is what start-up loads (drayman-server logs by default).
    return subprocess.run([drayman_binary(), "--port", "0", "--bind", "127.0.0.1", "--appendonly",
                           "no", "--dir", data_dir], capture_output=True, text=True, timeout=60)


def test_truncated_rdb_refuses_to_start(data_dir):
    done = corrupt_and_start(data_dir, lambda data: data[: len(data) // 2])
    assert done.returncode != 0
    assert "truncated" in done.stderr, done.stderr
    assert "ready to accept connections" not in done.stdout


def test_flipped_byte_rdb_refuses_to_start(data_dir):
    def flip(data):
        data[len(data) // 3] ^= 0x01
        return data

    done = corrupt_and_start(data_dir, flip)
    assert done.returncode != 0
    assert "Fatal error loading the DB" in done.stderr, done.stderr
    assert "ready to accept connections" not in done.stdout


def test_failed_save_keeps_the_old_file_and_reports_err(data_dir):
    with DraymanProcess("--dir", data_dir) as server:
        d = redis.Redis(port=server.port)
        d.set("k", "v")
        # A directory where the file should go: the rename fails after the temp file is written.
        os.mkdir(os.path.join(data_dir, "dump.rdb"))
        with pytest.raises(redis.ResponseError) as failure:
            d.save()
        assert str(failure.value) in ("ERR", ""), str(failure.value)
        info = d.info("persistence")
        assert info["rdb_last_bgsave_status"] == "err"
        assert info["rdb_changes_since_last_save"] == 1
        assert [f for f in os.listdir(data_dir) if f.startswith("temp-")] == []
        os.rmdir(os.path.join(data_dir, "dump.rdb"))
        assert d.save()
        assert d.info("persistence")["rdb_last_bgsave_status"] == "ok"


def test_config_parameters_match_redis():
    with RedisProcess() as rs, DraymanProcess() as ds:
        for r in (redis.Redis(port=rs.port), redis.Redis(port=ds.port)):
            assert r.config_get("dbfilename") == {"dbfilename": "dump.rdb"}
            assert r.config_get("rdbcompression") == {"rdbcompression": "yes"}
            assert r.config_get("rdbchecksum") == {"rdbchecksum": "yes"}
            assert r.config_set("rdbcompression", "no")
        errors = []
        for r in (redis.Redis(port=rs.port), redis.Redis(port=ds.port)):
            batch = []
            for args in (["rdbchecksum", "no"], ["dbfilename", "a/b"]):
                try:
                    r.config_set(*args)
                    batch.append("ok")
                except redis.ResponseError as e:
                    batch.append(str(e))
            errors.append(batch)
        assert errors[0] == errors[1]


def test_shutdown_save_writes_the_file_and_refuses_to_stop_when_it_cannot(data_dir):
    with DraymanProcess("--dir", data_dir) as server:
        d = redis.Redis(port=server.port)
        d.set("k", "v")
        os.mkdir(os.path.join(data_dir, "dump.rdb"))
        with pytest.raises(redis.ResponseError, match="Errors trying to SHUTDOWN. Check logs."):
            d.shutdown(save=True)
        assert d.ping()
        os.rmdir(os.path.join(data_dir, "dump.rdb"))
        d.shutdown(save=True)  # redis-py swallows the closed connection
        assert server.proc.wait(timeout=10) == 0
    check_rdb(os.path.join(data_dir, "dump.rdb"))
    with DraymanProcess("--dir", data_dir) as again:
        assert redis.Redis(port=again.port).get("k") == b"v"


def test_restore_freq_and_idletime_match_redis_object_freq():
    answers = []
    with RedisProcess("--maxmemory-policy", "allkeys-lfu") as rs, \
            DraymanProcess("--maxmemory-policy", "allkeys-lfu") as ds:
        for server in (rs, ds):
            r = redis.Redis(port=server.port)
            r.set("s", "v")
            payload = r.dump("s")
            r.restore("f", 0, payload, frequency=200)
            r.restore("i", 0, payload, idletime=30)
            answers.append((r.object("freq", "f"), r.object("freq", "i")))
    assert answers[0] == answers[1] == (200, 5)
