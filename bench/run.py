#!/usr/bin/env python3
"""`make bench`: Drayman and Debian's redis-server side by side, written to docs/benchmarks.md.

Both servers run at once on 127.0.0.1 ephemeral ports and every measurement alternates between
them (Redis, then Drayman, per test), so background load on a shared machine hits both alike.

1. redis-benchmark -t ping,set,get,lpush,rpush,lpop,rpop -c 50 at -P 1 and -P 16 (--csv):
   requests/s for each server and the Drayman/Redis ratio.
2. Producer/consumer (bench/prodcon.cc, built on demand as the CMake target drayman-prodcon):
   N producers LPUSH, M consumers BRPOP, messages/s and push-to-pop p50/p99, unpaced and paced.
3. Memory per item: RSS growth after 1,000,000 pipelined LPUSHes of 100-byte values into one list,
   each server fresh.
4. CPU seconds (utime+stime from /proc/<pid>/stat) each server spent in each phase.

A command a server does not support yet is reported as n/a; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from rawresp import RawConnection, encode  # noqa: E402
from servers import (DraymanProcess, RedisProcess, cpu_seconds, drayman_binary,  # noqa: E402
                     rss_bytes)

NAMES = ("redis", "drayman")
TESTS = ["ping", "set", "get", "lpush", "rpush", "lpop", "rpop"]
# A command that must succeed before redis-benchmark -t <test> is run against a server.
PROBES = {
    "ping": ["PING"], "set": ["SET", "bench:probe", "v"], "get": ["GET", "bench:probe"],
    "lpush": ["LPUSH", "bench:probe:list", "v"], "rpush": ["RPUSH", "bench:probe:list", "v"],
    "lpop": ["LPOP", "bench:probe:list"], "rpop": ["RPOP", "bench:probe:list"],
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def probe(port: int, args: list[str]) -> str | None:
    """None if the server runs the command, else its error text."""
    with RawConnection(port) as connection:
        reply = connection.command(*args)
    return reply[1:].decode(errors="replace").strip() if reply.startswith(b"-") else None


def flushall(port: int) -> None:
    with RawConnection(port) as connection:
        connection.command("FLUSHALL")  # an error (not merged yet) is fine here


class CpuMeter:
    """CPU seconds each server spends between start() and stop(), per phase."""

    def __init__(self, servers: dict) -> None:
        self.servers = servers
        self.start_values: dict[str, float] = {}

    def start(self) -> None:
        self.start_values = {name: cpu_seconds(s.pid) for name, s in self.servers.items()}

    def stop(self) -> dict[str, float]:
        return {name: cpu_seconds(s.pid) - self.start_values[name]
                for name, s in self.servers.items()}


# --- 1. redis-benchmark ---------------------------------------------------------------------


def redis_benchmark(port: int, test: str, pipeline: int, requests: int, clients: int) -> dict:
    command = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-t", test,
               "-c", str(clients), "-P", str(pipeline), "-n", str(requests), "--csv"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {result.stderr}")
    rows = {}
    for row in csv.DictReader(io.StringIO(result.stdout)):
        rows[row["test"]] = float(row["rps"])
    return rows


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def run_redis_benchmark(servers: dict, args) -> tuple[list[dict], dict, dict]:
    """Rows of {pipeline, test, redis, drayman (median req/s or None), errors}; CPU per server;
    whether each server ran every test."""
    results = []
    complete = {name: True for name in NAMES}
    meter = CpuMeter(servers)
    meter.start()
    for pipeline, requests in ((1, args.requests), (16, args.requests_pipelined)):
        for test in TESTS:
            errors = {name: probe(servers[name].port, PROBES[test]) for name in NAMES}
            samples: dict[str, dict[str, list[float]]] = {name: {} for name in NAMES}
            # Alternate servers on every repetition so load changes hit both alike.
            for _ in range(args.repeat):
                for name in NAMES:
                    if errors[name] is not None:
                        continue
                    rows = redis_benchmark(servers[name].port, test, pipeline, requests,
                                           args.clients)
                    for row, rps in rows.items():
                        samples[name].setdefault(row, []).append(rps)
                    flushall(servers[name].port)
            for name in NAMES:
                if errors[name] is not None:
                    complete[name] = False
                    log(f"  -P {pipeline} {test:6} {name:8} n/a ({errors[name]})")
                else:
                    log(f"  -P {pipeline} {test:6} {name:8} {samples[name]}")
            rows = sorted({row for s in samples.values() for row in s} or {test.upper()})
            for row in rows:
                results.append({
                    "pipeline": pipeline, "test": row, "errors": errors,
                    **{name: (median(samples[name][row]) if row in samples[name] else None)
                       for name in NAMES},
                    "samples": {name: samples[name].get(row, []) for name in NAMES},
                })
    return results, meter.stop(), complete


# --- 2. producer/consumer -------------------------------------------------------------------


def prodcon_binary(build_dir: Path) -> str | None:
    """Builds the optional CMake target drayman-prodcon in Drayman's build directory."""
    binary = build_dir / "bench" / "drayman-prodcon"
    result = subprocess.run(["cmake", "--build", str(build_dir), "--target", "drayman-prodcon",
                             "-j", "2"], capture_output=True, text=True)
    if result.returncode != 0 or not binary.exists():
        log(f"cannot build drayman-prodcon: {result.stdout[-2000:]} {result.stderr[-2000:]}")
        return None
    return str(binary)


def run_prodcon(servers: dict, binary: str | None, args) -> tuple[list[dict], dict, dict]:
    modes = [("unpaced", 0), ("paced", args.paced_rate)]
    results = []
    meter = CpuMeter(servers)
    meter.start()
    for mode, rate in modes:
        row = {"mode": mode, "rate": rate}
        for name in NAMES:
            if binary is None:
                row[name] = {"error": "drayman-prodcon could not be built"}
                continue
            command = [binary, "--port", str(servers[name].port), "--producers",
                       str(args.producers), "--consumers", str(args.consumers), "--seconds",
                       str(args.prodcon_seconds), "--rate", str(rate), "--size", "100"]
            result = subprocess.run(command, capture_output=True, text=True,
                                    timeout=args.prodcon_seconds + 120)
            try:
                row[name] = json.loads(result.stdout.strip().splitlines()[-1])
            except (IndexError, json.JSONDecodeError):
                row[name] = {"error": f"exit {result.returncode}: {result.stderr.strip()[:200]}"}
            log(f"  {mode:8} {name:8} {row[name]}")
            flushall(servers[name].port)
        results.append(row)
    complete = {name: all("error" not in row[name] for row in results) for name in NAMES}
    return results, meter.stop(), complete


# --- 3. memory per item ---------------------------------------------------------------------


def memory_per_item(server, items: int, value_size: int, batch: int = 10000) -> dict:
    port = server.port
    error = probe(port, ["LPUSH", "bench:probe:list", "v"])
    if error is not None:
        return {"error": error}
    flushall(port)
    time.sleep(0.5)
    before = rss_bytes(server.pid)
    cpu_before = cpu_seconds(server.pid)
    started = time.monotonic()
    with RawConnection(port, timeout=120) as connection:
        sent = 0
        while sent < items:
            count = min(batch, items - sent)
            # Distinct values (zero-padded counters) so no server can share them.
            payload = b"".join(
                b"*3\r\n$5\r\nLPUSH\r\n$12\r\nbench:memory\r\n$%d\r\n%0*d\r\n"
                % (value_size, value_size, sent + i) for i in range(count))
            connection.send(payload)
            for _ in range(count):
                reply = connection.read_reply()
                if not reply.startswith(b":"):
                    return {"error": reply.decode(errors="replace").strip()}
            sent += count
        length = connection.command("LLEN", "bench:memory")[1:].strip().decode()
    seconds = time.monotonic() - started
    time.sleep(0.5)
    after = rss_bytes(server.pid)
    return {
        "rss_before": before, "rss_after": after, "bytes_per_item": (after - before) / items,
        "llen": length, "seconds": seconds,
        "cpu_seconds": cpu_seconds(server.pid) - cpu_before,
    }


# --- report ---------------------------------------------------------------------------------


def machine() -> dict:
    def first(path: str, key: str) -> str:
        try:
            with open(path) as handle:
                for line in handle:
                    if line.startswith(key):
                        return line.split(":", 1)[1].strip()
        except OSError:
            pass
        return "?"

    redis_version = subprocess.run(["redis-server", "--version"], capture_output=True,
                                   text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True, text=True).stdout.strip()
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(), "cpu_model": first("/proc/cpuinfo", "model name"),
        "memory": first("/proc/meminfo", "MemTotal"), "kernel": platform.release(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "redis": redis_version, "commit": commit + ("+changes" if dirty else ""),
    }


def build_type(build_dir: Path) -> str:
    try:
        for line in (build_dir / "CMakeCache.txt").read_text().splitlines():
            if line.startswith("CMAKE_BUILD_TYPE:"):
                return line.split("=", 1)[1]
    except OSError:
        pass
    return "?"


def fmt_rate(value) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def ratio(a, b) -> str:
    return "n/a" if a is None or b is None or b == 0 else f"{a / b:.2f}"


def report(info: dict, args, bench, prodcon, memory) -> str:
    bench_rows, bench_cpu, bench_complete = bench
    prodcon_rows, prodcon_cpu, prodcon_complete = prodcon
    out = []
    out.append("# Benchmarks: Drayman and Redis side by side\n")
    out.append("Generated by `make bench` (`bench/run.py`); rerun it to refresh this page. Both "
               "servers run at the same time on 127.0.0.1 and each measurement alternates between "
               "them, so background load hits both alike. Numbers on a shared machine are noisy: "
               "compare the ratios, not the absolute values.\n")
    out.append("## Machine\n")
    out.append(f"- {info['cpus']} cores, {info['cpu_model']}, {info['memory']} RAM, Linux "
               f"{info['kernel']}; {args.machine_note}")
    out.append(f"- load average when the run started: {info['load']}; finished: "
               f"{info['load_end']}")
    out.append(f"- {info['redis']} (Debian package), started with `--save '' --appendonly no`")
    out.append(f"- Drayman commit {info['commit']}, CMake build type {info['build_type']}")
    out.append(f"- date: {info['date']}; whole run took {info['elapsed']:.0f} s\n")
    out.append("n/a, where it appears, means the server answered the command with an error (its "
               "command family was not in that build); the error text is listed below the table.\n")
    out.append("Reading the numbers: redis-benchmark is a single-threaded client that needs about "
               "a core of its own, so on 2 cores the client and the server compete for CPU; at "
               "-P 16 both servers are largely client-bound and ratios near 1 say little more than "
               "\"neither is the bottleneck\". The CPU-seconds table shows the servers' own cost "
               "for the same work.\n")

    out.append("## redis-benchmark\n")
    out.append(f"`redis-benchmark -t ping,set,get,lpush,rpush,lpop,rpop -c {args.clients} "
               f"-P <p> -n <n> --csv`, n = {args.requests:,} at -P 1 and "
               f"{args.requests_pipelined:,} at -P 16; the median of {args.repeat} run(s) per "
               "server, alternating servers between runs.\n")
    out.append("| test | pipeline | Redis req/s | Drayman req/s | Drayman / Redis | Redis runs "
               "(min-max) | Drayman runs (min-max) |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    notes = set()

    def spread(values: list[float]) -> str:
        return f"{min(values) / 1000:,.0f}k-{max(values) / 1000:,.0f}k" if values else "n/a"

    for row in bench_rows:
        out.append(f"| {row['test']} | {row['pipeline']} | {fmt_rate(row['redis'])} | "
                   f"{fmt_rate(row['drayman'])} | {ratio(row['drayman'], row['redis'])} | "
                   f"{spread(row['samples']['redis'])} | {spread(row['samples']['drayman'])} |")
        for name, error in row["errors"].items():
            if error:
                notes.add(f"{name}: `{row['test']}`: {error}")
    out.append("")
    for note in sorted(notes):
        out.append(f"- n/a {note}")
    if notes:
        out.append("")

    out.append("## Producer/consumer (LPUSH / BRPOP)\n")
    out.append(f"`bench/prodcon.cc`: {args.producers} producer threads LPUSH 100-byte messages, "
               f"{args.consumers} consumer threads `BRPOP queue 1`, one connection each, request "
               f"then reply (as kombu does), for {args.prodcon_seconds} s, then the consumers "
               "drain the list. Latency is push-to-pop: from the time a message was meant to be "
               "sent (paced) or was sent (unpaced) to its pop. Unpaced producers can outrun "
               "consumers and the list grows, so unpaced latency mostly measures the backlog and "
               "swings by orders of magnitude between runs of the same server (p50 0.1 ms in one, "
               "200 ms in the next); compare latency on the paced rows.\n")
    out.append("| mode | server | messages | msg/s | p50 latency | p99 latency | max |")
    out.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    notes = []
    for row in prodcon_rows:
        mode = "unpaced" if not row["rate"] else f"paced {row['rate']:,} msg/s"
        for name in NAMES:
            r = row[name]
            if "error" in r:
                out.append(f"| {mode} | {name} | n/a | n/a | n/a | n/a | n/a |")
                notes.append(f"- n/a {name} ({mode}): {r['error']}")
                continue
            out.append(f"| {mode} | {name} | {r['messages']:,} | {r['msgs_per_s']:,.0f} | "
                       f"{r['p50_us'] / 1000:.2f} ms | {r['p99_us'] / 1000:.2f} ms | "
                       f"{r['max_us'] / 1000:.2f} ms |")
        if "error" not in row["redis"] and "error" not in row["drayman"]:
            out.append(f"| {mode} | Drayman / Redis | | "
                       f"{ratio(row['drayman']['msgs_per_s'], row['redis']['msgs_per_s'])} | "
                       f"{ratio(row['drayman']['p50_us'], row['redis']['p50_us'])} | "
                       f"{ratio(row['drayman']['p99_us'], row['redis']['p99_us'])} | |")
    out.append("")
    out.extend(notes)
    if notes:
        out.append("")

    out.append("## Memory per item\n")
    out.append(f"Fresh servers; RSS growth after {args.items:,} `LPUSH bench:memory <value>` of "
               f"{args.value_size}-byte values, pipelined {10000:,} at a time.\n")
    out.append("| server | RSS before | RSS after | bytes per item | LLEN | time | CPU |")
    out.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in NAMES:
        m = memory[name]
        if "error" in m:
            out.append(f"| {name} | n/a | n/a | n/a | n/a | n/a | n/a |")
            continue
        out.append(f"| {name} | {m['rss_before'] / 2**20:.1f} MiB | "
                   f"{m['rss_after'] / 2**20:.1f} MiB"
                   f" | {m['bytes_per_item']:.1f} | {m['llen']} | {m['seconds']:.1f} s | "
                   f"{m['cpu_seconds']:.2f} s |")
    if all("error" not in memory[n] for n in NAMES):
        per_item = ratio(memory["drayman"]["bytes_per_item"], memory["redis"]["bytes_per_item"])
        cpu = ratio(memory["drayman"]["cpu_seconds"], memory["redis"]["cpu_seconds"])
        out.append(f"| Drayman / Redis | | | {per_item} | | | {cpu} |")
    out.append("")
    for name in NAMES:
        if "error" in memory[name]:
            out.append(f"- n/a {name}: {memory[name]['error']}")
    out.append("")

    out.append("## CPU seconds per phase\n")
    out.append("Server process utime+stime from `/proc/<pid>/stat` (client processes excluded). "
               "A phase a server could not run (n/a) costs it almost nothing, so compare only "
               "phases both completed.\n")
    out.append("| phase | Redis | Drayman | Drayman / Redis |")
    out.append("| --- | ---: | ---: | ---: |")
    memory_complete = {n: "error" not in memory[n] for n in NAMES}
    phases = [("redis-benchmark", bench_cpu, bench_complete),
              ("producer/consumer", prodcon_cpu, prodcon_complete),
              (f"memory ({args.items:,} LPUSH)", {n: memory[n].get("cpu_seconds") for n in NAMES},
               memory_complete)]
    for phase, cpu, complete in phases:
        cells = []
        for n in NAMES:
            cell = "n/a" if cpu[n] is None else f"{cpu[n]:.2f} s"
            cells.append(cell if complete[n] else f"{cell} (partial)")
        both = all(complete.values())
        out.append(f"| {phase} | {cells[0]} | {cells[1]} | "
                   f"{ratio(cpu['drayman'], cpu['redis']) if both else 'n/a'} |")
    total = {n: sum(c[n] or 0 for _, c, _ in phases) for n in NAMES}
    everything = all(all(complete.values()) for _, _, complete in phases)
    out.append(f"| total | {total['redis']:.2f} s | {total['drayman']:.2f} s | "
               f"{ratio(total['drayman'], total['redis']) if everything else 'n/a'} |")
    out.append("")
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000, help="-n at -P 1")
    parser.add_argument("--requests-pipelined", type=int, default=2_000_000, help="-n at -P 16")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3, help="redis-benchmark runs per test")
    parser.add_argument("--machine-note", default="a machine shared with other jobs (see the load "
                        "average)", help="how the machine was used during the run")
    parser.add_argument("--producers", type=int, default=4)
    parser.add_argument("--consumers", type=int, default=4)
    parser.add_argument("--prodcon-seconds", type=float, default=5.0)
    parser.add_argument("--paced-rate", type=int, default=5000, help="msg/s over all producers")
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--value-size", type=int, default=100)
    parser.add_argument("--quick", action="store_true", help="a few seconds in all, for a check")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    args = parser.parse_args()
    if args.quick:
        args.requests, args.requests_pipelined, args.prodcon_seconds = 20_000, 100_000, 1.0
        args.items, args.repeat = 100_000, 1
    for tool in ("redis-server", "redis-benchmark"):
        if shutil.which(tool) is None:
            log(f"{tool} is required (Debian packages redis-server, redis-tools)")
            return 1

    binary = drayman_binary()
    build_dir = Path(binary).resolve().parents[1]
    info = machine()
    info["build_type"] = build_type(build_dir)
    if info["build_type"] != "Release":
        log(f"warning: drayman-server is a {info['build_type']} build, not Release")
    started = time.monotonic()
    prodcon = prodcon_binary(build_dir)

    with RedisProcess() as redis_server, DraymanProcess() as drayman_server:
        servers = {"redis": redis_server, "drayman": drayman_server}
        log("redis-benchmark ...")
        bench = run_redis_benchmark(servers, args)
        log("producer/consumer ...")
        prodcon_results = run_prodcon(servers, prodcon, args)
    log("memory per item ...")
    memory = {}
    for name, factory in (("redis", RedisProcess), ("drayman", DraymanProcess)):
        with factory() as server:
            memory[name] = memory_per_item(server, args.items, args.value_size)
        log(f"  {name:8} {memory[name]}")
    info["elapsed"] = time.monotonic() - started
    info["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())

    text = report(info, args, bench, prodcon_results, memory)
    print(text)
    if not args.no_write:
        Path(args.output).write_text(text)
        log(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
