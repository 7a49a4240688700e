#!/usr/bin/env python3
"""One long Celery queue while BGSAVE and BGREWRITEAOF run: Drayman and redis-server, same run.

A broker's biggest key is its backlog: one list of many 1-5 KB messages. Each server gets one list
`celery` of N JSON-like messages (1.5 KB each by default), then, for BGSAVE and for BGREWRITEAOF
(RDB preamble, the default) in turn, while a producer LPUSHes and a consumer RPOPs one message
every millisecond and a probe thread PINGs every millisecond:
  - the longest PING round trip during the save, against the same probe's longest over 2 s with no
    save (what the machine costs by itself);
  - the save's wall time.
Redis forks (its parent stalls for the page-table copy); Drayman encodes the list from a frozen
copy in ~128-element steps (broker/persistence/large_values.h). Servers run one after the other,
`--rounds` times, alternating. Run from the repository root:

    DRAYMAN_SERVER=$PWD/build/server/drayman-server .venv/bin/python bench/bigqueue_snapshot.py \\
        [--messages 200000] [--size 1500] [--rounds 2] [--markdown]

A benchmark: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from servers import DraymanProcess, RedisProcess  # noqa: E402


class Probe:
    """PINGs every millisecond on its own connection; keeps the longest round trip."""

    def __init__(self, port: int) -> None:
        self.client = redis.Redis(port=port)
        self.longest = 0.0
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop:
            started = time.perf_counter()
            self.client.ping()
            self.longest = max(self.longest, time.perf_counter() - started)
            time.sleep(0.001)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop = True
        self.thread.join()


class Traffic:
    """A producer and a consumer of the queue, a message each per millisecond."""

    def __init__(self, port: int, message: bytes) -> None:
        self.client = redis.Redis(port=port)
        self.message = message
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        while not self.stop:
            self.client.lpush("celery", self.message)
            self.client.rpop("celery")
            time.sleep(0.001)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop = True
        self.thread.join()


def fill(client: redis.Redis, messages: int, size: int) -> bytes:
    client.flushall()
    body = (b'{"body": "' + b"eyJhcmdzIjogWzEsIDJdfQ" * (size // 22 + 1))[: size - 2] + b'"}'
    pipe = client.pipeline(transaction=False)
    for i in range(messages):
        pipe.lpush("celery", body[:-12] + b"%010d" % i + body[-2:])
        if i % 1000 == 999:
            pipe.execute()
    pipe.execute()
    return body


def in_progress(client: redis.Redis) -> bool:
    info = client.info("persistence")
    return bool(info.get("rdb_bgsave_in_progress") or info.get("aof_rewrite_in_progress"))


def measure(port: int, command: str, message: bytes) -> dict:
    client = redis.Redis(port=port)
    while in_progress(client):
        time.sleep(0.05)
    with Traffic(port, message), Probe(port) as idle:
        time.sleep(2)
    with Traffic(port, message), Probe(port) as probe:
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
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    results: dict[tuple[str, str], list[dict]] = {}
    with RedisProcess() as redis_server, DraymanProcess() as drayman_server:
        servers = [("redis 7.0.15", redis_server.port), ("drayman", drayman_server.port)]
        messages = {}
        for name, port in servers:
            messages[name] = fill(redis.Redis(port=port), args.messages, args.size)
            used = redis.Redis(port=port).info("memory")["used_memory"]
            print(f"{name}: {args.messages} messages of {args.size} bytes, used_memory "
                  f"{used / 1e6:.0f} MB", flush=True)
        for round_index in range(args.rounds):
            order = servers if round_index % 2 == 0 else list(reversed(servers))
            for command in ("BGSAVE", "BGREWRITEAOF"):
                for name, port in order:
                    result = measure(port, command, messages[name])
                    results.setdefault((name, command), []).append(result)
                    print(name, command, {k: round(v, 2) for k, v in result.items()}, flush=True)
    if args.markdown:
        print("\n| server | command | longest PING during it (ms) | longest PING idle (ms) "
              "| duration (s) |")
        print("|---|---|---|---|---|")
        for (name, command), runs in results.items():
            print(f"| {name} | {command} | {max(r['max_ms'] for r in runs):.1f} "
                  f"| {max(r['idle_max_ms'] for r in runs):.1f} "
                  f"| {min(r['seconds'] for r in runs):.2f} |")


if __name__ == "__main__":
    main()
