"""BGSAVE of big hashes, sets and sorted sets (broker/persistence/large_collections.h) while
clients change them: redis-server 7.0.15 loads the file and holds exactly the contents the keys
had when BGSAVE started.

Each writer changes only its own share of the elements (every WRITERS-th one, plus elements named
after it), one MULTI/EXEC per step that also counts the step, with changes drawn from a generator
seeded by (writer, step). So the saved step counts say exactly which steps came before the
snapshot, and replaying those steps on the initial contents gives the contents at that moment,
whatever the interleaving of the writers.
"""

from __future__ import annotations

import os
import random
import threading

import redis

from servers import DraymanProcess, RedisProcess
from test_bgsave import check_rdb, wait_bgsave

N = 100_000
WRITERS = 4


def initial() -> tuple[dict, dict, set]:
    hash_ = {b"f%d" % j: b"v%d-" % j + b"x" * (j % 90) for j in range(N)}
    zset = {b"m%d" % j: j * 0.5 - 20_000 for j in range(N)}
    set_ = {b"s%d" % j for j in range(N)}
    return hash_, zset, set_


def step_changes(writer: int, step: int) -> list:
    """The commands of one writer's step (all on its own elements)."""
    rng = random.Random(f"{writer}:{step}")

    def own(prefix: str) -> bytes:
        return b"%s%d" % (prefix.encode(), writer + WRITERS * rng.randrange(N // WRITERS))

    tag = b"n%d:%d" % (writer, step)
    return [
        ("HSET", "big:hash", own("f"), b"w%d-s%d" % (writer, step)),
        ("HDEL", "big:hash", own("f")),
        ("HSET", "big:hash", tag, b"y" * rng.randrange(1, 300)),
        ("HINCRBY", "big:hash", b"c%d" % writer, 1),
        ("ZADD", "big:zset", repr(rng.uniform(-1e6, 1e6)), own("m")),
        ("ZINCRBY", "big:zset", "1.5", own("m")),
        ("ZREM", "big:zset", own("m")),
        ("ZADD", "big:zset", repr(rng.uniform(-1e6, 1e6)), tag),
        ("SADD", "big:set", tag),
        ("SREM", "big:set", own("s")),
        ("INCR", b"steps:%d" % writer),
    ]


def apply(model: tuple[dict, dict, set], command: tuple) -> None:
    hash_, zset, set_ = model
    name, key, *args = command
    if name == "HSET":
        hash_[args[0]] = args[1]
    elif name == "HDEL":
        hash_.pop(args[0], None)
    elif name == "HINCRBY":
        hash_[args[0]] = b"%d" % (int(hash_.get(args[0], b"0")) + args[1])
    elif name == "ZADD":
        zset[args[1]] = float(args[0])
    elif name == "ZINCRBY":
        zset[args[1]] = zset.get(args[1], 0.0) + float(args[0])
    elif name == "ZREM":
        zset.pop(args[0], None)
    elif name == "SADD":
        set_.add(args[0])
    elif name == "SREM":
        set_.discard(args[0])


def expected(steps: list[int]) -> tuple[dict, dict, set]:
    model = initial()
    for writer, count in enumerate(steps):
        for step in range(1, count + 1):
            for command in step_changes(writer, step):
                apply(model, command)
    return model


def contents(r: redis.Redis) -> tuple[dict, dict, set]:
    hash_ = r.hgetall("big:hash")
    zset = dict(r.zrange("big:zset", 0, -1, withscores=True))
    return hash_, zset, r.smembers("big:set")


def saved_steps(r: redis.Redis) -> list[int]:
    return [int(r.get(b"steps:%d" % w) or 0) for w in range(WRITERS)]


def writer(port: int, index: int, stop: threading.Event, errors: list) -> None:
    r = redis.Redis(port=port)
    step = 0
    try:
        while not stop.is_set():
            step += 1
            pipe = r.pipeline(transaction=True)
            for command in step_changes(index, step):
                pipe.execute_command(*command)
            pipe.execute()
    except Exception as e:  # noqa: BLE001 - reported by the test
        errors.append(repr(e))


def test_bgsave_of_big_collections_while_clients_change_them(tmp_path):
    data_dir = str(tmp_path)
    hash_, zset, set_ = initial()
    with DraymanProcess("--dir", data_dir) as server:
        d = redis.Redis(port=server.port)
        items = list(hash_.items())
        members = list(zset.items())
        set_members = sorted(set_)
        pipe = d.pipeline(transaction=False)
        for i in range(0, N, 1000):
            pipe.hset("big:hash", mapping=dict(items[i:i + 1000]))
            pipe.zadd("big:zset", dict(members[i:i + 1000]))
            pipe.sadd("big:set", *set_members[i:i + 1000])
        pipe.execute()
        assert [d.object("encoding", k) for k in ("big:hash", "big:zset", "big:set")] == [
            b"hashtable", b"skiplist", b"hashtable"]
        stop = threading.Event()
        errors: list = []
        threads = [threading.Thread(target=writer, args=(server.port, i, stop, errors))
                   for i in range(WRITERS)]
        for t in threads:
            t.start()
        while min(saved_steps(d)) < 20:  # every writer is busy
            pass
        assert d.bgsave()
        info = wait_bgsave(d)
        steps_after_save = saved_steps(d)
        while min(a - b for a, b in zip(saved_steps(d), steps_after_save)) < 20:
            pass
        stop.set()
        for t in threads:
            t.join()
        assert errors == []
        assert info["rdb_last_bgsave_status"] == "ok"
        live_steps = saved_steps(d)
        assert contents(d) == expected(live_steps)  # the model replays the writers faithfully
        d.shutdown(nosave=True)
    check_rdb(os.path.join(data_dir, "dump.rdb"))
    with RedisProcess("--dir", data_dir) as target:
        r = redis.Redis(port=target.port)
        steps = saved_steps(r)
        assert all(0 < s < live for s, live in zip(steps, live_steps))
        assert contents(r) == expected(steps)
        assert [r.object("encoding", k) for k in ("big:hash", "big:zset", "big:set")] == [
            b"hashtable", b"skiplist", b"hashtable"]
