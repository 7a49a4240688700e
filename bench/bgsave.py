"""BGSAVE side by side: Drayman's fork-free snapshot against redis-server's fork, in one run.

For each server: fill N keys (strings, hashes, sets, sorted sets, and lists of Celery-like
JSON messages), start 50 writing clients (a separate process, asyncio), then BGSAVE and watch:
  - memory growth during the save: for redis-server the summed PSS of the server and its child
    (what the fork's copy-on-write really costs), for Drayman the process's PSS; reported against
    the dataset's size before the save (the server's PSS then);
  - the longest round trip a PING client sees while the save runs (a thread of this process);
  - the save's wall time, per GB of dataset.
Run from the repository root:

    DRAYMAN_SERVER=$PWD/build/server/drayman-server .venv/bin/python bench/bgsave.py [--keys N]

A benchmark: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import threading
import time
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))
from servers import DraymanProcess, RedisProcess  # noqa: E402

WRITERS = 50


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:  # the child exited meanwhile
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def total_pss_kb(pid: int) -> int:
    return pss_kb(pid) + sum(pss_kb(c) for c in children(pid))


def celery_message(i: int) -> str:
    return json.dumps({
        "body": "W1szLCA0XSwge30sIHsiY2FsbGJhY2tzIjogbnVsbH1d" * 3,
        "content-encoding": "utf-8", "content-type": "application/json",
        "headers": {"lang": "py", "task": "tasks.add", "id": f"{i:032x}", "retries": 0,
                    "root_id": f"{i:032x}", "parent_id": None, "group": None},
        "properties": {"correlation_id": f"{i:032x}", "delivery_mode": 2,
                       "delivery_tag": f"{i:036x}", "priority": 0},
    })


def fill(port: int, keys: int) -> None:
    r = redis.Redis(port=port)
    pipe = r.pipeline(transaction=False)
    for i in range(keys):
        kind = i % 20
        if kind < 12:
            pipe.set(f"s:{i}", "v" * 100)
        elif kind < 16:
            pipe.hset(f"h:{i}", mapping={f"f{j}": j * i for j in range(10)})
        elif kind < 18:
            pipe.rpush(f"q:{i}", *(celery_message(i * 5 + j) for j in range(5)))
        elif kind == 18:
            pipe.sadd(f"set:{i}", *(f"m{j}" for j in range(10)))
        else:
            pipe.zadd(f"z:{i}", {f"m{j}": j for j in range(10)})
        if i % 5000 == 4999:
            pipe.execute()
    pipe.execute()


def writers_main(port: int, keys: int, stop) -> None:
    import random

    import redis.asyncio as aioredis

    async def one(seed: int) -> None:
        rng = random.Random(seed)
        r = aioredis.Redis(port=port)
        while not stop.is_set():
            i = rng.randrange(keys)
            kind = i % 20
            if kind < 12:
                await r.set(f"s:{i}", "w" * 100)
            elif kind < 16:
                await r.hset(f"h:{i}", "f0", seed)
            elif kind < 18:
                await r.rpush(f"q:{i}", celery_message(i))
                await r.lpop(f"q:{i}")
            else:
                await r.set(f"new:{seed}:{rng.randrange(1 << 30)}", "x" * 50)
        await r.aclose()

    async def main() -> None:
        await asyncio.gather(*(one(s) for s in range(WRITERS)))

    asyncio.run(main())


def measure(name: str, server, keys: int) -> dict:
    port, pid = server.port, server.proc.pid
    r = redis.Redis(port=port)
    r.config_set("save", "")
    t0 = time.monotonic()
    fill(port, keys)
    fill_s = time.monotonic() - t0
    time.sleep(1)
    baseline_kb = total_pss_kb(pid)
    stop = multiprocessing.Event()
    writers = multiprocessing.Process(target=writers_main, args=(port, keys, stop))
    writers.start()
    time.sleep(2)
    ping_max = [0.0]
    saving = threading.Event()
    ping_done = threading.Event()

    def pinger() -> None:
        p = redis.Redis(port=port)
        while not ping_done.is_set():
            start = time.perf_counter()
            p.ping()
            took = time.perf_counter() - start
            if saving.is_set():
                ping_max[0] = max(ping_max[0], took)
            time.sleep(0.001)

    ping_thread = threading.Thread(target=pinger)
    ping_thread.start()
    peak_kb = baseline_kb
    saving.set()
    start = time.monotonic()
    r.bgsave()
    while True:
        peak_kb = max(peak_kb, total_pss_kb(pid))
        if r.info("persistence")["rdb_bgsave_in_progress"] == 0:
            break
        time.sleep(0.01)
    save_s = time.monotonic() - start
    saving.clear()
    ping_done.set()
    ping_thread.join()
    stop.set()
    writers.join()
    info = r.info("persistence")
    size = os.path.getsize(os.path.join(server.workdir, "dump.rdb"))
    return {
        "server": name, "keys": keys, "fill_s": round(fill_s, 1),
        "dataset_mb": round(baseline_kb / 1024, 1), "peak_mb": round(peak_kb / 1024, 1),
        "growth_pct": round(100 * (peak_kb - baseline_kb) / baseline_kb, 1),
        "ping_max_ms": round(ping_max[0] * 1000, 1), "save_s": round(save_s, 2),
        "save_s_per_gb": round(save_s / (baseline_kb / 1024 / 1024), 2),
        "rdb_mb": round(size / 1e6, 1), "status": info["rdb_last_bgsave_status"],
        "rdb_last_cow_size_mb": round(info["rdb_last_cow_size"] / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=1_000_000)
    args = parser.parse_args()
    results = []
    for name, cls in (("drayman", DraymanProcess), ("redis", RedisProcess)):
        with cls() as server:
            results.append(measure(name, server, args.keys))
        print(json.dumps(results[-1]), flush=True)
    cols = list(results[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in results:
        print("| " + " | ".join(str(row[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()
