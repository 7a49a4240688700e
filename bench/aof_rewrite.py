"""BGREWRITEAOF side by side: Drayman's fork-free rewrite against redis-server's fork, in one run.

For each server (appendonly yes, appendfsync everysec, aof-use-rdb-preamble as given): fill N
keys (bench/bgsave.py's mix: strings, hashes, sets, sorted sets, lists of Celery-like JSON
messages), optionally start writing clients, then BGREWRITEAOF and measure:
  - the longest round trip (and the 99th percentile, and how many took over 10 ms) a PING client
    (a thread of this process, one PING per ms) sees while the rewrite runs, and for reference
    the same over 2 s before it with no rewrite;
  - redis-server's fork pause (INFO latest_fork_usec: the loop is stopped that long);
  - the rewrite's wall time (BGREWRITEAOF sent to aof_rewrite_in_progress back to 0) and the size
    of the new base file.
Run from the repository root:

    DRAYMAN_SERVER=$PWD/build/server/drayman-server .venv/bin/python bench/aof_rewrite.py \
        [--keys N] [--writers N] [--preamble yes|no]

A benchmark: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
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
sys.path.insert(0, str(ROOT / "bench"))
from bgsave import fill, writers_main  # noqa: E402
from servers import DraymanProcess, RedisProcess  # noqa: E402


class Pinger:
    """PINGs once a millisecond; records the longest round trip within each marked window."""

    def __init__(self, port: int) -> None:
        self.conn = redis.Redis(port=port)
        self.window: str | None = None
        self.samples: dict[str, list[float]] = {}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self) -> None:
        while not self.done.is_set():
            start = time.perf_counter()
            self.conn.ping()
            took = time.perf_counter() - start
            window = self.window
            if window is not None:
                self.samples.setdefault(window, []).append(took)
            time.sleep(0.001)

    def stop(self) -> None:
        self.done.set()
        self.thread.join()

    def stats_ms(self, window: str) -> tuple[float, float, int]:
        """Longest round trip, 99th percentile, and how many exceeded 10 ms."""
        samples = sorted(self.samples.get(window, [0.0]))
        p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
        return (round(samples[-1] * 1000, 1), round(p99 * 1000, 1),
                sum(1 for s in samples if s > 0.010))


def wait_rewrite(r: redis.Redis, rewrites: int) -> None:
    while True:
        info = r.info("persistence")
        if info["aof_rewrites"] >= rewrites and not info["aof_rewrite_in_progress"]:
            return
        time.sleep(0.005)


def measure(name: str, server, keys: int, writers_count: int) -> dict:
    port = server.port
    r = redis.Redis(port=port)
    t0 = time.monotonic()
    fill(port, keys)
    fill_s = time.monotonic() - t0
    r.bgrewriteaof()  # start from a compact log, so both servers rewrite the same dataset
    wait_rewrite(r, 1)
    stop = multiprocessing.Event()
    writers = None
    if writers_count:
        writers = multiprocessing.Process(target=writers_main, args=(port, keys, stop))
        writers.start()
        time.sleep(2)
    pinger = Pinger(port)
    time.sleep(0.5)
    # Reference window: as long as the rewrite will take, no rewrite running.
    pinger.window = "idle"
    time.sleep(2.0)
    pinger.window = "rewrite"
    start = time.monotonic()
    r.bgrewriteaof()
    wait_rewrite(r, 2)
    rewrite_s = time.monotonic() - start
    pinger.window = None
    pinger.stop()
    stop.set()
    if writers is not None:
        writers.join()
    info = r.info("persistence")
    stats = r.info("stats")
    aof_dir = Path(server.workdir) / "appendonlydir"
    base = [f for f in os.listdir(aof_dir) if ".base." in f]
    return {
        "server": name, "keys": keys, "writers": writers_count, "fill_s": round(fill_s, 1),
        "ping_max_idle_ms": pinger.stats_ms("idle")[0],
        "ping_p99_idle_ms": pinger.stats_ms("idle")[1],
        "ping_max_rewrite_ms": pinger.stats_ms("rewrite")[0],
        "ping_p99_rewrite_ms": pinger.stats_ms("rewrite")[1],
        "pings_over_10ms_rewrite": pinger.stats_ms("rewrite")[2],
        "fork_pause_ms": round(stats.get("latest_fork_usec", 0) / 1000, 1),
        "rewrite_s": round(rewrite_s, 2),
        "base_mb": round(os.path.getsize(aof_dir / base[0]) / 1e6, 1) if base else 0,
        "status": info["aof_last_bgrewrite_status"],
        "aof_last_cow_size_mb": round(info["aof_last_cow_size"] / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--writers", type=int, default=0, help="0 or 50 writing clients")
    parser.add_argument("--preamble", default="yes", choices=["yes", "no"])
    args = parser.parse_args()
    options = ("--appendonly", "yes", "--appendfsync", "everysec", "--aof-use-rdb-preamble",
               args.preamble, "--auto-aof-rewrite-percentage", "0")
    results = []
    for name, cls in (("drayman", DraymanProcess), ("redis", RedisProcess)):
        with cls(*options) as server:
            results.append(measure(name, server, args.keys, args.writers))
        print(json.dumps(results[-1]), flush=True)
    cols = list(results[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in results:
        print("| " + " | ".join(str(row[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()
