#!/usr/bin/env python3
"""Loop time of one /metrics scrape, with 10 and 10,000 queues, beside redis-server's INFO ALL.

For each queue count N, both servers get the same dataset: N Celery/kombu queues (a list
`queue<i>` holding one message, its binding in the set `_kombu.binding.celery`, as kombu
declares it) plus an `unacked` hash and `unacked_index` sorted set. Then:

- Drayman: R scrapes of GET /metrics; each response carries `Server-Timing: handler;dur=<ms>`,
  the time its handler held the event loop (every metric producer registered in
  server/http/admin_routes.cc: INFO-derived, drayman_*, and the queue metrics once
  broker/observability is merged). Reported: median and p99 in microseconds, and the body size.
- Drayman and redis-server: R x `INFO ALL` each (the command prometheus-redis-exporter sends per
  scrape); the loop time is what each server's own commandstats say (cmdstat_info usec_per_call
  after CONFIG RESETSTAT).
Servers run side by side and alternate per repetition. Targets (issue 15): 50 us at 10 queues,
5 ms at 10,000 queues. Nothing here asserts a time. Usage:
  DRAYMAN_SERVER=build/server/drayman-server .venv/bin/python bench/metrics_scrape.py [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

import redis  # noqa: E402

from servers import DraymanProcess, RedisProcess  # noqa: E402

SEP = "\x06\x16"


def fill(client: redis.Redis, queues: int) -> None:
    client.flushall()
    pipe = client.pipeline(transaction=False)
    for i in range(queues):
        name = f"queue{i}"
        pipe.rpush(name, '{"body": "x", "headers": {"task": "proj.tasks.add"}}')
        pipe.sadd("_kombu.binding.celery", f"{name}{SEP}{SEP}{name}")
        if len(pipe) >= 2000:
            pipe.execute()
    pipe.hset("unacked", "tag1", "message")
    pipe.zadd("unacked_index", {"tag1": time.time()})
    pipe.execute()


def scrape_once(http_port: int) -> tuple[float, int]:
    with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=30) as reply:
        body = reply.read()
        timing = reply.headers["Server-Timing"]
    milliseconds = float(timing.split("dur=")[1])
    return milliseconds * 1000, len(body)


def info_loop_us(client: redis.Redis, repeat: int) -> float:
    client.config_resetstat()
    for _ in range(repeat):
        client.execute_command("INFO", "ALL")
    return float(client.info("commandstats")["cmdstat_info"]["usec_per_call"])


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--queues", default="10,10000")
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with RedisProcess() as oracle, DraymanProcess("--http-port", "0") as drayman:
        redis_client = redis.Redis(port=oracle.port)
        drayman_client = redis.Redis(port=drayman.port)
        http_port = int(drayman_client.config_get("http-port")["http-port"])
        print("| queues | Drayman /metrics loop time median (us) | p99 (us) | body bytes | "
              "Drayman INFO ALL (us) | redis-server INFO ALL (us) | /metrics / Redis INFO ALL |")
        print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for queues in (int(q) for q in args.queues.split(",")):
            fill(redis_client, queues)
            fill(drayman_client, queues)
            scrapes: list[float] = []
            size = 0
            redis_info: list[float] = []
            drayman_info: list[float] = []
            rounds = 5
            for _ in range(rounds):  # alternate: background load hits both alike
                redis_info.append(info_loop_us(redis_client, args.repeat // rounds))
                drayman_info.append(info_loop_us(drayman_client, args.repeat // rounds))
                for _ in range(args.repeat // rounds):
                    micros, size = scrape_once(http_port)
                    scrapes.append(micros)
            median = statistics.median(scrapes)
            redis_median = statistics.median(redis_info)
            print(f"| {queues:,} | {median:.1f} | {percentile(scrapes, 0.99):.1f} | {size:,} | "
                  f"{statistics.median(drayman_info):.1f} | {redis_median:.1f} | "
                  f"{median / redis_median:.2f} |")
        redis_client.close()
        drayman_client.close()
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
