"""BGSAVE side by side: Drayman's fork-free snapshot against redis-server's fork, in one run.

For each server: fill N keys (strings, hashes, sets, sorted sets, and lists of Celery-like
JSON messages), start 50 writing clients (a separate process, asyncio), then BGSAVE and watch:
  - memory growth during the save: for redis-server the summed PSS of the server and its child
    (what the fork's copy-on-write really costs), for Drayman the process's PSS; reported against
    the dataset's size before the save (the server's PSS then);
  - the longest round trip a PING client sees while the save runs (a thread of this process),
    on a second BGSAVE without the memory sampler, against the same client's figure over 3 s
    without a save (what the machine and the writers cost by themselves);
  - the save's wall time, and the load time of the file it wrote (a fresh server of the same
    kind started on it, to its first PONG), per GB of RDB file and per GB of dataset;
  - whether a file is the dataset at the moment BGSAVE started: a last BGSAVE (its figures are
    not reported: the digest stops the loop for seconds) with DEBUG DIGEST and BGSAVE
    sent in one packet on one connection (both servers run a connection's pipelined commands
    back to back, so no writer's command comes between them), and the digest of the fresh
    server that loaded the file must equal it.
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
import shutil
import socket
import sys
import tempfile
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


class Pinger:
    """PING round trips from a thread of this process, about one per millisecond."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.samples: list[float] = []
        self.recording = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self) -> None:
        p = redis.Redis(port=self.port)
        while not self.done.is_set():
            start = time.perf_counter()
            p.ping()
            took = time.perf_counter() - start
            if self.recording.is_set():
                self.samples.append(took)
            time.sleep(0.001)

    def window(self) -> tuple[float, float, int]:
        """Stops recording; max and p99 in ms of what was recorded, and the count."""
        self.recording.clear()
        samples = sorted(self.samples)
        self.samples = []
        if not samples:
            return 0.0, 0.0, 0
        return (round(samples[-1] * 1000, 1), round(samples[len(samples) * 99 // 100] * 1000, 1),
                len(samples))

    def stop(self) -> None:
        self.done.set()
        self.thread.join()


def wait_bgsave(r: redis.Redis, sample=None) -> float:
    start = time.monotonic()
    r.bgsave()
    while True:
        if sample:
            sample()
        if r.info("persistence")["rdb_bgsave_in_progress"] == 0:
            return time.monotonic() - start
        time.sleep(0.01)


def digest_then_bgsave(port: int) -> str:
    """DEBUG DIGEST and BGSAVE pipelined in one write: the digest is the dataset's at the
    moment the save starts. Returns the digest (BGSAVE's reply is checked)."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"*2\r\n$5\r\nDEBUG\r\n$6\r\nDIGEST\r\n*1\r\n$6\r\nBGSAVE\r\n")
        data = b""
        # DEBUG DIGEST answers a status line (+<40 hex digits>), BGSAVE another.
        while data.count(b"\r\n") < 2:
            chunk = sock.recv(4096)
            if not chunk:
                raise RuntimeError(f"connection closed: {data!r}")
            data += chunk
    lines = data.split(b"\r\n")
    if (len(lines[0]) != 41 or not lines[0].startswith(b"+")
            or not lines[1].startswith(b"+Background saving started")):
        raise RuntimeError(f"unexpected replies: {data!r}")
    return lines[0][1:].decode()


def wait_digest_bgsave(r: redis.Redis, port: int) -> tuple[float, str]:
    start = time.monotonic()
    digest = digest_then_bgsave(port)
    while r.info("persistence")["rdb_bgsave_in_progress"] != 0:
        time.sleep(0.01)
    return time.monotonic() - start, digest


def load_time(cls, rdb_path: str) -> tuple[float, int, str]:
    """Seconds from starting a fresh server on `rdb_path` to its first PONG (process start
    included; Redis answers LOADING meanwhile, Drayman listens once loaded), its keys and its
    DEBUG DIGEST."""
    directory = tempfile.mkdtemp(prefix="bgsave-load-")
    shutil.copy(rdb_path, os.path.join(directory, "dump.rdb"))
    start = time.monotonic()
    server = cls("--dir", directory, "--enable-debug-command", "yes")
    try:
        r = redis.Redis(port=server.port)
        while True:
            try:
                r.ping()
                break
            except redis.exceptions.BusyLoadingError:
                time.sleep(0.005)
        took = time.monotonic() - start
        # The digest of a million keys takes a while: one connection without a read timeout.
        digest = redis.Redis(port=server.port, socket_timeout=600).execute_command(
            "DEBUG", "DIGEST")
        return took, r.dbsize(), digest.decode()
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def measure(name: str, cls, keys: int) -> dict:
    server = cls("--enable-debug-command", "yes")
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
    pinger = Pinger(port)
    # 1. No save: the stalls the machine and the writers cause by themselves.
    pinger.recording.set()
    time.sleep(3)
    idle_max, idle_p99, _ = pinger.window()
    # 2. BGSAVE with the PSS sampler (memory growth; the sampler's reads of smaps_rollup take the
    # server's mm lock, so this save's PING figures are not the stall figures).
    peak_kb = [baseline_kb]

    def sample_pss() -> None:
        peak_kb[0] = max(peak_kb[0], total_pss_kb(pid))

    pinger.recording.set()
    sampled_save_s = wait_bgsave(r, sample_pss)
    sampled_max, _, _ = pinger.window()
    # 3. BGSAVE without the sampler: the stall figures and the save time.
    pinger.recording.set()
    save_s = wait_bgsave(r)
    save_max, save_p99, pings = pinger.window()
    pinger.stop()
    # 4. The file is the dataset at BGSAVE's start: a last save, after a DEBUG DIGEST that stops
    # the loop for seconds (so not in the stall figures); its file is the one loaded below.
    _, digest_at_start = wait_digest_bgsave(r, port)
    stop.set()
    writers.join()
    info = r.info("persistence")
    rdb_path = os.path.join(server.workdir, "dump.rdb")
    size = os.path.getsize(rdb_path)
    keep = tempfile.mkdtemp(prefix="bgsave-rdb-")
    shutil.copy(rdb_path, keep)
    server.stop()
    load_s, loaded_keys, loaded_digest = load_time(cls, os.path.join(keep, "dump.rdb"))
    shutil.rmtree(keep, ignore_errors=True)
    dataset_gb = baseline_kb / 1024 / 1024
    return {
        "server": name, "keys": keys, "fill_s": round(fill_s, 1),
        "dataset_mb": round(baseline_kb / 1024, 1), "peak_mb": round(peak_kb[0] / 1024, 1),
        "growth_pct": round(100 * (peak_kb[0] - baseline_kb) / baseline_kb, 1),
        "ping_max_ms_no_save": idle_max, "ping_p99_ms_no_save": idle_p99,
        "ping_max_ms_save": save_max, "ping_p99_ms_save": save_p99, "pings_during_save": pings,
        "ping_max_ms_save_with_sampler": sampled_max,
        "save_s": round(save_s, 2), "save_s_with_sampler": round(sampled_save_s, 2),
        "save_s_per_gb_rdb": round(save_s / (size / 1e9), 1),
        "save_s_per_gb_dataset": round(save_s / dataset_gb, 1),
        "load_s": round(load_s, 2), "load_s_per_gb_rdb": round(load_s / (size / 1e9), 1),
        "load_s_per_gb_dataset": round(load_s / dataset_gb, 1), "loaded_keys": loaded_keys,
        "file_equals_dataset_at_bgsave": loaded_digest == digest_at_start,
        "rdb_mb": round(size / 1e6, 1), "status": info["rdb_last_bgsave_status"],
        "rdb_last_cow_size_mb": round(info["rdb_last_cow_size"] / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=1_000_000)
    args = parser.parse_args()
    results = []
    for name, cls in (("drayman", DraymanProcess), ("redis", RedisProcess)):
        results.append(measure(name, cls, args.keys))
        print(json.dumps(results[-1]), flush=True)
    cols = list(results[0])
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for row in results:
        print("| " + " | ".join(str(row[c]) for c in cols) + " |")


if __name__ == "__main__":
    main()
