#!/usr/bin/env python3
"""Append-only log throughput: Drayman and Debian's redis-server side by side, same run (issue 11).

Six servers run at once: Redis and Drayman in each log mode (appendonly no, appendfsync everysec,
appendfsync always), fresh, with their data directories under the same temporary directory (one
filesystem for all). For LPUSH with 100-byte and 1,500-byte values at -c 50 and -c 256:

    redis-benchmark -t lpush -d <size> -c <clients> -n <n> --csv

runs against each of the six in turn, `--repeat` times (round robin, so load on a shared machine
hits all alike; FLUSHALL between runs). Reported: median requests/s per server, Drayman / Redis, and
each server's everysec / no-log ratio (the issue's targets: always >= 1.3x Redis; everysec >=
0.95x Drayman's own no-log throughput). Also the fdatasync latency of the directory's filesystem,
which bounds everything under always.

    DRAYMAN_SERVER=$PWD/build/server/drayman-server .venv/bin/python bench/aof_throughput.py \
        [--repeat 3] [--markdown]

A benchmark: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from rawresp import RawConnection  # noqa: E402
from servers import DraymanProcess, RedisProcess, cpu_seconds  # noqa: E402

NAMES = ("redis", "drayman")
MODES = {
    "no": ["--appendonly", "no"],
    "everysec": ["--appendonly", "yes", "--appendfsync", "everysec"],
    "always": ["--appendonly", "yes", "--appendfsync", "always"],
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fdatasync_latency(directory: str, samples: int = 200) -> dict:
    """p50/p90/max of write(4 KB)+fdatasync on the filesystem the servers log to, and the MB/s
    of back-to-back 384 KB write+fdatasync (256 clients' 1.5 KB values: the largest batch)."""
    path = os.path.join(directory, "fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    took = []
    try:
        for _ in range(samples):
            os.write(fd, b"x" * 4096)
            start = time.perf_counter()
            os.fdatasync(fd)
            took.append(time.perf_counter() - start)
        start = time.perf_counter()
        for _ in range(50):
            os.write(fd, b"y" * 384 * 1024)
            os.fdatasync(fd)
        large_mb_s = 50 * 384 * 1024 / 1e6 / (time.perf_counter() - start)
    finally:
        os.close(fd)
        os.unlink(path)
    took.sort()
    return {"p50_us": round(took[len(took) // 2] * 1e6),
            "p90_us": round(took[len(took) * 9 // 10] * 1e6), "max_us": round(took[-1] * 1e6),
            "large_mb_s": round(large_mb_s, 1)}


def redis_benchmark(port: int, size: int, clients: int, requests: int) -> float:
    command = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-t", "lpush", "-d",
               str(size), "-c", str(clients), "-n", str(requests), "--csv"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr}")
    for row in csv.DictReader(io.StringIO(result.stdout)):
        return float(row["rps"])
    raise RuntimeError(f"no result from {' '.join(command)}: {result.stdout}")


def flushall(port: int) -> None:
    with RawConnection(port, timeout=60) as connection:
        connection.command("FLUSHALL")


def start(name: str, mode: str, baselines: list[str]):
    args = MODES[mode]
    if name == "redis":
        return RedisProcess(*args)
    if name.startswith("baseline"):  # other drayman-server builds, e.g. before a change
        saved = os.environ.get("DRAYMAN_SERVER")
        os.environ["DRAYMAN_SERVER"] = baselines[int(name[len("baseline"):]) - 1]
        try:
            return DraymanProcess(*args)
        finally:
            if saved is None:
                del os.environ["DRAYMAN_SERVER"]
            else:
                os.environ["DRAYMAN_SERVER"] = saved
    return DraymanProcess(*args)


def run_all(modes: list[str], cases: list[tuple[int, int]], args, parent: str) -> list[dict]:
    """Every server of every mode runs at once; each case interleaves all of them, repeat by
    repeat, so both ratios (Drayman / Redis in a mode, and a server's everysec / no log)
    compare runs made at nearly the same time."""
    baselines = args.baseline.split(",") if args.baseline else []
    servers = {}
    rows = []
    try:
        for mode in modes:
            for name in NAMES:
                servers[(mode, name)] = start(name, mode, baselines)
                # Both data directories on the filesystem the fsync probe measured.
                assert os.stat(servers[(mode, name)].workdir).st_dev == os.stat(parent).st_dev
        for size, clients in cases:
            samples = {key: [] for key in servers}
            cpu = {key: 0.0 for key in servers}
            for _ in range(args.repeat):
                for key, server in servers.items():
                    requests = args.requests_always if key[0] == "always" else args.requests
                    before = cpu_seconds(server.pid)
                    samples[key].append(redis_benchmark(server.port, size, clients, requests))
                    cpu[key] += cpu_seconds(server.pid) - before
                    flushall(server.port)
            for mode in modes:
                requests = args.requests_always if mode == "always" else args.requests
                row = {"mode": mode, "size": size, "clients": clients, "requests": requests,
                       **{name: statistics.median(samples[(mode, name)]) for name in NAMES},
                       "samples": {name: samples[(mode, name)] for name in NAMES},
                       "cpu_us_per_request": {
                           name: round(cpu[(mode, name)] / (requests * args.repeat) * 1e6, 1)
                           for name in NAMES}}
                log(json.dumps(row))
                rows.append(row)
    finally:
        for server in servers.values():
            server.stop()
    return rows


def fmt(value: float) -> str:
    return f"{value:,.0f}"


def markdown(rows: list[dict], fsync: dict, loads: tuple[str, str], seconds: float,
             args) -> str:
    by_key = {(r["mode"], r["size"], r["clients"]): r for r in rows}
    out = []
    out.append(f"fdatasync of 4 KB appends on the data directories' filesystem: p50 "
               f"{fsync['p50_us']} us, p90 {fsync['p90_us']} us, max {fsync['max_us']} us; "
               f"384 KB write+fdatasync back to back: {fsync['large_mb_s']} MB/s. "
               f"Load average at start: {loads[0]}; at the end: {loads[1]}; {seconds:.0f} s. "
               f"Median of {args.repeat} runs per cell, servers alternating.\n")
    out.append("| mode | value | clients | Redis req/s | Drayman req/s | Drayman / Redis | "
               "Redis runs | Drayman runs |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    for r in rows:
        runs = {n: "-".join(f"{v / 1000:.0f}k" for v in (min(r["samples"][n]),
                                                          max(r["samples"][n]))) for n in NAMES}
        out.append(f"| {r['mode']} | {r['size']} B | {r['clients']} | {fmt(r['redis'])} | "
                   f"{fmt(r['drayman'])} | {r['drayman'] / r['redis']:.2f} | {runs['redis']} | "
                   f"{runs['drayman']} |")
    out.append("")
    out.append("| value | clients | Drayman everysec / no log | Redis everysec / no log | "
               "Drayman always / no log | Redis always / no log |")
    out.append("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for (mode, size, clients), r in by_key.items():
        if mode != "no":
            continue
        every = by_key.get(("everysec", size, clients))
        always = by_key.get(("always", size, clients))
        if not every or not always:
            continue
        out.append(f"| {size} B | {clients} | {every['drayman'] / r['drayman']:.2f} | "
                   f"{every['redis'] / r['redis']:.2f} | {always['drayman'] / r['drayman']:.2f} | "
                   f"{always['redis'] / r['redis']:.2f} |")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--requests-always", type=int, default=50_000)
    parser.add_argument("--modes", default="no,everysec,always")
    parser.add_argument("--sizes", default="100,1500")
    parser.add_argument("--clients", default="50,256")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--baseline",
                        help="also run these drayman-server binaries, comma-separated, as "
                        "baseline1, baseline2, ... (JSON output only)")
    args = parser.parse_args()
    global NAMES
    if args.baseline:
        NAMES = ("redis", "drayman") + tuple(
            f"baseline{i + 1}" for i in range(len(args.baseline.split(","))))
    cases = [(int(s), int(c)) for s in args.sizes.split(",") for c in args.clients.split(",")]
    parent = tempfile.gettempdir()
    fsync = fdatasync_latency(parent)
    log(f"fdatasync on {parent}: {fsync}")
    load_start = open("/proc/loadavg").read().split()[:3]
    started = time.monotonic()
    rows = run_all(args.modes.split(","), cases, args, parent)
    load_end = open("/proc/loadavg").read().split()[:3]
    if args.markdown:
        print(markdown(rows, fsync, (" ".join(load_start), " ".join(load_end)),
                       time.monotonic() - started, args))
    else:
        print(json.dumps({"fdatasync": fsync, "rows": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
