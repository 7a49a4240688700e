#!/usr/bin/env python3
"""Streams as a task queue, Drayman beside redis-server (issue 17): throughput, latency, memory.

1. Producer/consumer group (bench/stream_prodcon.cc, built on demand as the CMake target
   drayman-stream-prodcon): 4 producers XADD, 4 consumers XREADGROUP ... BLOCK then XACK each
   batch, on both servers running side by side; each round runs Redis then Drayman (the order
   alternates per round), unpaced and paced. Messages/s and push-to-delivery p50/p99 per run,
   and the medians.
2. Memory per entry: each server fresh, in turn; RSS and INFO used_memory growth after N
   pipelined `XADD stream * ...` of distinct entries, for a Celery-sized entry (~1 KB body with
   Celery's other fields) and a small one.

Server CPU seconds per delivered message (utime+stime from /proc) are reported beside the rates:
on a shared machine they move much less than wall-clock rates. Prints Markdown (for
docs/benchmarks.md) with the load average; nothing here asserts a time.
Usage: nice -n 19 /work/main/.venv/bin/python bench/streams.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))
sys.path.insert(0, str(ROOT / "bench"))

from rawresp import RawConnection  # noqa: E402
from run import NAMES, flushall, median  # noqa: E402
from servers import (DraymanProcess, RedisProcess, cpu_seconds, drayman_binary,  # noqa: E402
                     rss_bytes)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prodcon_binary() -> str:
    build_dir = Path(drayman_binary()).resolve().parents[1]
    subprocess.run(["cmake", "--build", str(build_dir), "--target", "drayman-stream-prodcon",
                    "-j", "2"], check=True, capture_output=True)
    return str(build_dir / "bench" / "drayman-stream-prodcon")


def prodcon(binary: str, port: int, args, rate: int) -> dict:
    command = [binary, "--port", str(port), "--producers", str(args.producers), "--consumers",
               str(args.consumers), "--seconds", str(args.seconds), "--rate", str(rate),
               "--size", str(args.size), "--count", str(args.count)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 120)
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        return {"error": f"exit {done.returncode}: {done.stderr.strip()[:200]}"}


def used_memory(port: int) -> int:
    with RawConnection(port) as connection:
        info = connection.command("INFO", "memory").decode()
    for line in info.splitlines():
        if line.startswith("used_memory:"):
            return int(line.split(":")[1])
    raise RuntimeError("no used_memory")


def celery_entry(i: int) -> list[bytes]:
    """About 1 KB: what a Celery task message carries (a base64 body, headers, properties)."""
    body = (b"%012d" % i) * 60  # 720 bytes, distinct per entry
    return [b"body", body, b"content-encoding", b"utf-8",
            b"content-type", b"application/json",
            b"headers", b'{"lang": "py", "task": "proj.tasks.add", "id": "%036d", '
                        b'"retries": 0, "eta": null, "root_id": "%036d"}' % (i, i),
            b"delivery_tag", b"%036d" % i, b"priority", b"0"]


def small_entry(i: int) -> list[bytes]:
    return [b"n", b"%d" % i]


SHAPES = {"celery": celery_entry, "small": small_entry}


def encode(args: list[bytes]) -> bytes:
    return b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)


def memory_per_entry(server, shape: str, entries: int, batch: int = 2000) -> dict:
    port = server.port
    flushall(port)
    time.sleep(0.5)
    rss_before, used_before = rss_bytes(server.pid), used_memory(port)
    make = SHAPES[shape]
    entry_bytes = sum(len(part) for part in make(0))
    with RawConnection(port, timeout=300) as connection:
        sent = 0
        while sent < entries:
            count = min(batch, entries - sent)
            connection.send(b"".join(encode([b"XADD", b"bench:memory", b"*"] + make(sent + i))
                                     for i in range(count)))
            for _ in range(count):
                reply = connection.read_reply()
                if not reply.startswith(b"$"):
                    return {"error": reply.decode(errors="replace").strip()}
            sent += count
        length = int(connection.command("XLEN", "bench:memory")[1:].strip())
    time.sleep(0.5)
    return {"entries": length, "entry_bytes": entry_bytes,
            "rss": (rss_bytes(server.pid) - rss_before) / entries,
            "used": (used_memory(port) - used_before) / entries}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--producers", type=int, default=4)
    parser.add_argument("--consumers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--size", type=int, default=100, help="body bytes per produced entry")
    parser.add_argument("--count", type=int, default=1, help="XREADGROUP COUNT")
    parser.add_argument("--paced-rate", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.entries = 1.0, 1, 20_000
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())
    binary = prodcon_binary()
    out = [f"Run {started}; load average at start {load_start}."]

    runs: dict[tuple[str, str], list[dict]] = {}
    with RedisProcess() as redis_server, DraymanProcess() as drayman_server:
        servers = {"redis": redis_server, "drayman": drayman_server}
        for round_index in range(args.rounds):
            order = NAMES if round_index % 2 == 0 else tuple(reversed(NAMES))
            for mode, rate in (("unpaced", 0), ("paced", args.paced_rate)):
                for name in order:
                    cpu_before = cpu_seconds(servers[name].pid)
                    result = prodcon(binary, servers[name].port, args, rate)
                    if "error" not in result and result["messages"]:
                        # Server CPU per delivered message: what a loaded machine distorts least.
                        result["cpu_us_per_msg"] = ((cpu_seconds(servers[name].pid) - cpu_before)
                                                    * 1e6 / result["messages"])
                    log(f"round {round_index} {mode:8} {name:8} {result}")
                    runs.setdefault((mode, name), []).append(result)
                    flushall(servers[name].port)
    out.append("")
    out.append(f"{args.producers} producers `XADD bench:stream * ts <stamp> body <{args.size} "
               f"bytes>`, {args.consumers} consumers `XREADGROUP GROUP bench c<i> COUNT "
               f"{args.count} BLOCK 1000 STREAMS bench:stream >` then `XACK` per batch, "
               f"{args.seconds:g} s per run, {args.rounds} rounds (servers alternating). "
               f"Latency is push-to-delivery.")
    out.append("")
    out.append("| mode | server | msgs/s per run | median msgs/s | p50 µs (median) | "
               "p99 µs (median) | server CPU µs/msg (median) | Drayman / Redis msgs/s |")
    out.append("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for mode in ("unpaced", "paced"):
        medians = {}
        for name in NAMES:
            results = [r for r in runs[(mode, name)] if "error" not in r]
            if not results:
                out.append(f"| {mode} | {name} | {runs[(mode, name)][0]} | | | | | |")
                continue
            medians[name] = median([r["msgs_per_s"] for r in results])
            per_run = ", ".join(f"{r['msgs_per_s']:,.0f}" for r in results)
            ratio = (f"{medians['drayman'] / medians['redis']:.2f}"
                     if name == "drayman" and "redis" in medians else "")
            out.append(f"| {mode} | {name} | {per_run} | {medians[name]:,.0f} | "
                       f"{median([r['p50_us'] for r in results]):,.0f} | "
                       f"{median([r['p99_us'] for r in results]):,.0f} | "
                       f"{median([r['cpu_us_per_msg'] for r in results]):.1f} | {ratio} |")

    out.append("")
    out.append(f"Memory per entry: {args.entries:,} pipelined `XADD bench:memory * ...` into a "
               "fresh server, growth of RSS and of INFO used_memory divided by the entries.")
    out.append("")
    out.append("| entry | field+value bytes | server | RSS bytes/entry | used_memory bytes/entry "
               "| Drayman / Redis (RSS) | Drayman / Redis (used_memory) |")
    out.append("| --- | ---: | --- | ---: | ---: | ---: | ---: |")
    for shape in SHAPES:
        result = {}
        for name, factory in (("redis", RedisProcess), ("drayman", DraymanProcess)):
            with factory() as server:
                result[name] = memory_per_entry(server, shape, args.entries)
            log(f"memory {shape} {name} {result[name]}")
        for name in NAMES:
            r = result[name]
            if "error" in r:
                out.append(f"| {shape} | | {name} | {r['error']} | | | |")
                continue
            ratios = ("", "")
            if name == "drayman" and "error" not in result["redis"]:
                ratios = (f"{r['rss'] / result['redis']['rss']:.2f}",
                          f"{r['used'] / result['redis']['used']:.2f}")
            out.append(f"| {shape} | {r['entry_bytes']} | {name} | {r['rss']:,.1f} | "
                       f"{r['used']:,.1f} | {ratios[0]} | {ratios[1]} |")
    out.append("")
    out.append("Load average at the end: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + ".")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
