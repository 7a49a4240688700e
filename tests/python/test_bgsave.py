"""BGSAVE without fork (broker/persistence/snapshot.h): replies, INFO, save points, MISCONF,
SHUTDOWN/SIGTERM saves, and a save taken while clients write, loaded into redis-server 7.0.15."""

import os
import signal
import subprocess
import threading
import time

import pytest
import redis

from datasets import dataset
from servers import DraymanProcess, RedisProcess


def wait_bgsave(r: redis.Redis, timeout_s: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        info = r.info("persistence")
        if info["rdb_bgsave_in_progress"] == 0:
            return info
        time.sleep(0.02)
    raise AssertionError("BGSAVE did not finish")


def check_rdb(path: str) -> None:
    done = subprocess.run(["redis-check-rdb", path], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "RDB looks OK" in done.stdout, done.stdout + done.stderr


def bgsave_replies(r: redis.Redis) -> list:
    replies = []
    for args in (["BGSAVE", "now"], ["BGSAVE", "SCHEDULE", "x"]):
        try:
            replies.append(r.execute_command(*args))
        except redis.ResponseError as e:
            replies.append(str(e))
    replies.append(r.execute_command("BGSAVE", "SCHEDULE"))
    wait_bgsave(r)
    pipe = r.pipeline(transaction=True)
    pipe.execute_command("BGSAVE")
    replies.append(pipe.execute()[0])  # inside EXEC: scheduled
    wait_bgsave(r)
    for args in (["CONFIG", "SET", "save", "100 1 abc"], ["CONFIG", "SET", "save", "0 1"]):
        try:
            replies.append(r.execute_command(*args))
        except redis.ResponseError as e:
            replies.append(str(e))
    r.config_set("save", "100 0 20 5")
    replies.append(r.config_get("save"))
    replies.append(r.config_get("stop-writes-on-bgsave-error"))
    return replies


def test_bgsave_replies_and_config_match_redis():
    with RedisProcess() as rs, DraymanProcess() as ds:
        answers = [bgsave_replies(redis.Redis(port=p.port)) for p in (rs, ds)]
        assert answers[0] == answers[1]


def test_bgsave_writes_a_file_redis_loads(tmp_path):
    data_dir = str(tmp_path)
    with DraymanProcess("--dir", data_dir) as server:
        d = redis.Redis(port=server.port)
        for db in (0, 5):
            d.select(db)
            d.set("s", "v" * 50)
            d.set("n", 12345, px=3_600_000)
            d.rpush("l", *range(300))
            d.hset("h", mapping={f"f{i}": i for i in range(10)})
            d.sadd("set", *range(20))
            d.zadd("z", {f"m{i}": i / 3 for i in range(200)})
        d.select(0)
        expected = dataset(d)
        d.bgsave()
        info = wait_bgsave(d)
        assert info["rdb_last_bgsave_status"] == "ok"
        assert info["rdb_changes_since_last_save"] == 0
        assert info["rdb_last_bgsave_time_sec"] >= 0
        assert [f for f in os.listdir(data_dir) if f.startswith("temp-")] == []
        d.shutdown(nosave=True)
    check_rdb(os.path.join(data_dir, "dump.rdb"))
    with RedisProcess("--dir", data_dir) as target:
        assert dataset(redis.Redis(port=target.port)) == expected


WRITERS = 8


def writer(port: int, index: int, stop: threading.Event, errors: list) -> None:
    # Each step changes several keys atomically; a point-in-time copy keeps every writer's keys
    # mutually consistent, a fuzzy copy (keys copied at different moments) would not.
    r = redis.Redis(port=port)
    step = 0
    try:
        while not stop.is_set():
            step += 1
            pipe = r.pipeline(transaction=True)
            pipe.incr(f"w{index}:count")
            pipe.rpush(f"w{index}:log", step)
            pipe.set(f"w{index}:new:{step}", step)
            pipe.delete(f"w{index}:old:{step}")
            pipe.hset(f"w{index}:hash", "last", step)
            pipe.execute()
    except Exception as e:  # noqa: BLE001 - reported by the test
        errors.append(repr(e))


def check_consistent(r: redis.Redis, old_keys: int) -> int:
    total = 0
    for index in range(WRITERS):
        count = int(r.get(f"w{index}:count") or 0)
        total += count
        assert r.llen(f"w{index}:log") == count
        assert int(r.hget(f"w{index}:hash", "last") or 0) == count
        news = {int(k.split(b":")[2]) for k in r.scan_iter(f"w{index}:new:*", count=1000)}
        assert news == set(range(1, count + 1))
        olds = {int(k.split(b":")[2]) for k in r.scan_iter(f"w{index}:old:*", count=1000)}
        assert olds == set(range(count + 1, old_keys + 1))
    return total


def test_bgsave_while_clients_write_saves_one_point_in_time(tmp_path):
    data_dir = str(tmp_path)
    old_keys = 3000
    with DraymanProcess("--dir", data_dir) as server:
        d = redis.Redis(port=server.port)
        pipe = d.pipeline(transaction=False)
        for index in range(WRITERS):
            for step in range(1, old_keys + 1):
                pipe.set(f"w{index}:old:{step}", "x" * 30)
        for i in range(50_000):
            pipe.set(f"static:{i}", i)
        pipe.execute()
        static_expected = {k: d.get(k) for k in (f"static:{i}" for i in range(0, 50_000, 997))}
        stop = threading.Event()
        errors: list = []
        threads = [threading.Thread(target=writer, args=(server.port, i, stop, errors))
                   for i in range(WRITERS)]
        for t in threads:
            t.start()
        time.sleep(0.3)
        assert d.bgsave()
        info = wait_bgsave(d)
        time.sleep(0.2)
        stop.set()
        for t in threads:
            t.join()
        assert errors == []
        assert info["rdb_last_bgsave_status"] == "ok"
        assert info["rdb_last_cow_size"] > 0  # writers reached keys before the walk did
        live_total = check_consistent(d, old_keys)
        d.shutdown(nosave=True)
    check_rdb(os.path.join(data_dir, "dump.rdb"))
    with RedisProcess("--dir", data_dir) as target:
        r = redis.Redis(port=target.port)
        saved_total = check_consistent(r, old_keys)
        assert 0 < saved_total < live_total  # the save happened while they wrote
        assert r.dbsize() == 50_000 + WRITERS * (old_keys + 3)
        assert {k: r.get(k) for k in static_expected} == static_expected


def test_save_points_start_a_bgsave(tmp_path):
    with DraymanProcess("--dir", str(tmp_path), "--save", "1 2") as server:
        d = redis.Redis(port=server.port)
        before = d.lastsave()
        d.set("a", 1)
        d.set("b", 2)
        deadline = time.monotonic() + 10
        while d.lastsave() == before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert d.lastsave() != before
        assert d.info("persistence")["rdb_changes_since_last_save"] == 0
        d.shutdown(nosave=True)
    with RedisProcess("--dir", str(tmp_path)) as target:
        assert redis.Redis(port=target.port).mget("a", "b") == [b"1", b"2"]


def failed_bgsave_then_writes(r: redis.Redis, data_dir: str) -> list:
    os.mkdir(os.path.join(data_dir, "dump.rdb"))  # the final rename fails
    r.set("k", "v")
    replies = [r.bgsave()]
    info = wait_bgsave(r)
    replies.append(info["rdb_last_bgsave_status"])
    for args in (["SET", "k", "v2"], ["PING"], ["GET", "k"], ["DEL", "k"]):
        try:
            replies.append(r.execute_command(*args))
        except redis.ResponseError as e:
            replies.append(str(e))
    pipe = r.pipeline(transaction=True)
    pipe.set("k", "v3")
    try:
        replies.append(pipe.execute())
    except redis.ResponseError as e:
        replies.append(str(e))
    r.config_set("save", "")
    replies.append(r.set("k", "v4"))
    os.rmdir(os.path.join(data_dir, "dump.rdb"))
    return replies


def test_failed_bgsave_stops_writes_with_misconf_as_redis():
    with RedisProcess("--save", "3600 1") as rs, DraymanProcess() as ds:
        answers = [failed_bgsave_then_writes(redis.Redis(port=p.port), p.workdir)
                   for p in (rs, ds)]
        assert answers[0] == answers[1]
        assert answers[1][2].startswith("MISCONF Redis is configured to save RDB snapshots")


def test_shutdown_and_sigterm_save_when_save_points_are_set(tmp_path):
    path = os.path.join(str(tmp_path), "dump.rdb")
    with DraymanProcess("--dir", str(tmp_path)) as server:
        d = redis.Redis(port=server.port)
        d.set("a", "1")
        d.shutdown(nosave=True)
        server.proc.wait(timeout=30)
    assert not os.path.exists(path)
    with DraymanProcess("--dir", str(tmp_path)) as server:
        d = redis.Redis(port=server.port)
        d.set("a", "2")
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(timeout=30)
    check_rdb(path)
    with DraymanProcess("--dir", str(tmp_path), "--save", "") as server:
        d = redis.Redis(port=server.port)
        assert d.get("a") == b"2"
        d.set("a", "3")
        with pytest.raises(redis.ConnectionError):
            d.execute_command("SHUTDOWN", "SAVE")
        server.proc.wait(timeout=30)
    with RedisProcess("--dir", str(tmp_path)) as target:
        assert redis.Redis(port=target.port).get("a") == b"3"
