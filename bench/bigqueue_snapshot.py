#!/usr/bin/env python3
"""One big key while BGSAVE and BGREWRITEAOF run: Drayman and redis-server, same run.

A broker's biggest key is its backlog: one list of many 1-5 KB messages (--shape list), or kombu's
`unacked` hash of every delivered, unacknowledged message (--shape hash, N fields of --size bytes)
and its `unacked_index` sorted set (--shape zset, N delivery tags scored by time). Each server
gets the key, then, for BGSAVE and for BGREWRITEAOF (RDB preamble, the default) in turn, while a
producer adds and a consumer removes one element every millisecond (LPUSH/RPOP, HSET/HDEL,
ZADD/ZREM) and a probe thread PINGs every millisecond:
  - the longest PING round trip during the save, against the same probe's longest over 2 s with no
    save (what the machine costs by itself);
  - the save's wall time.
Redis forks (its parent stalls for the page-table copy); Drayman encodes the key in ~128-element
steps (a list from a frozen copy, broker/persistence/large_values.h; a hash, set or sorted set
watched in place, large_collections.h). `--before PATH` adds a second Drayman binary (say, an
older build) to the same run. Servers run one after the other, `--rounds` times, alternating; the
load average is printed before and after. Run from the repository root:

    DRAYMAN_SERVER=$PWD/build/server/drayman-server .venv/bin/python bench/bigqueue_snapshot.py \\
        [--shape list|hash|zset] [--messages 200000] [--size 1500] [--rounds 2] \\
        [--before OLD/drayman-server] [--markdown]

A benchmark: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from servers import DraymanProcess, RedisProcess  # noqa: E402


class Loop:
    """Runs step() every millisecond on its own thread and connection while in a `with` block."""

    def __init__(self, port: int) -> None:
        self.client = redis.Redis(port=port)
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def step(self) -> None:
        raise NotImplementedError

    def run(self) -> None:
        while not self.stop:
            self.step()
            time.sleep(0.001)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop = True
        self.thread.join()


class Probe(Loop):
    """PINGs every millisecond; keeps the longest round trip."""

    def __init__(self, port: int) -> None:
        super().__init__(port)
        self.longest = 0.0

    def step(self) -> None:
        started = time.perf_counter()
        self.client.ping()
        self.longest = max(self.longest, time.perf_counter() - started)


class Traffic(Loop):
    """A producer and a consumer of the key, an element each per millisecond."""

    def __init__(self, port: int, message: bytes, shape: str, messages: int) -> None:
        super().__init__(port)
        self.message = message
        self.shape = shape
        self.messages = messages
        self.steps = 0

    def step(self) -> None:
        # Acknowledge the oldest delivery tag still there, deliver a new one.
        step = self.steps
        new, old = b"new-%d-%d" % (id(self), step), b"tag-%010d" % (step % self.messages)
        if self.shape == "list":
            self.client.lpush("celery", self.message)
            self.client.rpop("celery")
        elif self.shape == "hash":
            self.client.hset("unacked", new, self.message)
            self.client.hdel("unacked", old)
        else:
            self.client.zadd("unacked_index", {new: time.time()})
            self.client.zrem("unacked_index", old)
        self.steps += 1


def fill(client: redis.Redis, messages: int, size: int, shape: str) -> bytes:
    client.flushall()
    body = (b'{"body": "' + b"eyJhcmdzIjogWzEsIDJdfQ" * (size // 22 + 1))[: size - 2] + b'"}'
    pipe = client.pipeline(transaction=False)
    batch: dict = {}
    for i in range(messages):
        tag = b"tag-%010d" % i
        if shape == "list":
            pipe.lpush("celery", body[:-12] + b"%010d" % i + body[-2:])
        elif shape == "hash":
            batch[tag] = body[:-12] + b"%010d" % i + body[-2:]
        else:
            batch[tag] = 1_700_000_000 + i / 7
        if i % 1000 == 999 or i == messages - 1:
            if shape == "hash":
                pipe.hset("unacked", mapping=batch)
            elif shape == "zset":
                pipe.zadd("unacked_index", batch)
            batch = {}
            pipe.execute()
    pipe.execute()
    return body


def in_progress(client: redis.Redis) -> bool:
    info = client.info("persistence")
    return bool(info.get("rdb_bgsave_in_progress") or info.get("aof_rewrite_in_progress"))


def measure(port: int, command: str, message: bytes, shape: str, messages: int) -> dict:
    client = redis.Redis(port=port)
    while in_progress(client):
        time.sleep(0.05)
    with Traffic(port, message, shape, messages), Probe(port) as idle:
        time.sleep(2)
    with Traffic(port, message, shape, messages), Probe(port) as probe:
        time.sleep(0.2)
        started = time.perf_counter()
        client.execute_command(command)
        while in_progress(client):
            time.sleep(0.01)
        seconds = time.perf_counter() - started
    return {"idle_max_ms": idle.longest * 1000, "max_ms": probe.longest * 1000, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--size", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--shape", choices=("list", "hash", "zset"), default="list")
    parser.add_argument("--before", help="a second drayman-server binary to measure alongside")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    results: dict[tuple[str, str], list[dict]] = {}
    print("load average at start:", os.getloadavg(), flush=True)
    with RedisProcess() as redis_server, DraymanProcess() as drayman_server:
        servers = [("redis 7.0.15", redis_server.port), ("drayman", drayman_server.port)]
        before = None
        if args.before:
            current = os.environ.get("DRAYMAN_SERVER")
            os.environ["DRAYMAN_SERVER"] = args.before
            before = DraymanProcess()
            if current is None:
                del os.environ["DRAYMAN_SERVER"]
            else:
                os.environ["DRAYMAN_SERVER"] = current
            servers.append(("drayman before", before.port))
        try:
            run(args, servers, results)
        finally:
            if before is not None:
                before.stop()
    print("load average at end:", os.getloadavg(), flush=True)
    if args.markdown:
        print("\n| server | command | longest PING during it (ms) | longest PING idle (ms) "
              "| duration (s) |")
        print("|---|---|---|---|---|")
        for (name, command), runs in results.items():
            print(f"| {name} | {command} | {max(r['max_ms'] for r in runs):.1f} "
                  f"| {max(r['idle_max_ms'] for r in runs):.1f} "
                  f"| {min(r['seconds'] for r in runs):.2f} |")


def run(args, servers: list, results: dict) -> None:
    messages = {}
    for name, port in servers:
        messages[name] = fill(redis.Redis(port=port), args.messages, args.size, args.shape)
        used = redis.Redis(port=port).info("memory")["used_memory"]
        print(f"{name}: {args.shape} of {args.messages} elements ({args.size}-byte messages), "
              f"used_memory {used / 1e6:.0f} MB", flush=True)
    for round_index in range(args.rounds):
        order = servers if round_index % 2 == 0 else list(reversed(servers))
        for command in ("BGSAVE", "BGREWRITEAOF"):
            for name, port in order:
                result = measure(port, command, messages[name], args.shape, args.messages)
                results.setdefault((name, command), []).append(result)
                print(name, command, {k: round(v, 2) for k, v in result.items()}, flush=True)
            print("load average:", os.getloadavg(), flush=True)


if __name__ == "__main__":
    main()
