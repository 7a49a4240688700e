"""Server CPU per request at -P 1: Drayman against redis-server 7.0.15, alternating, in one run.

Both servers run at once (`--save "" --appendonly no`); for each command, each round runs
`redis-benchmark -c 50 -P 1 -n N` against one server and then the other (the order swaps every
round), reading the server's utime+stime (/proc/<pid>/stat, 10 ms ticks) and its context switches
(/proc/<pid>/status) before and after. With N = 200,000 a run is about 1.5 s of server CPU, so a
tick is under 1% of it (bench/callgrind_keys.py's CPU column used 10,000 requests, 3%). The figure
includes the kernel's work for the connection (read, write, epoll, the loopback TCP stack), which
at -P 1 is most of it. Reports the median of the rounds per server and the ratio of the medians.

    DRAYMAN_SERVER=$PWD/build/server/drayman-server .venv/bin/python bench/request_cpu.py \\
        [--requests 200000] [--rounds 3]

A benchmark: nothing here asserts a figure. Run it on a quiet machine; the load average at the
start and the end is printed with the table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))
from servers import DraymanProcess, RedisProcess, cpu_seconds  # noqa: E402

COMMANDS = {
    "PING": ["PING"],
    "SET": ["SET", "key:__rand_int__", "xxxxxxxxxxxxxxxxxxxx"],
    "GET": ["GET", "key:__rand_int__"],
    "LPUSH": ["LPUSH", "queue", "xxxxxxxxxxxxxxxxxxxx"],
    "RPOP": ["RPOP", "queue"],
}


def context_switches(pid: int) -> int:
    """Voluntary + involuntary context switches of every thread of `pid`."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/status") as status:
            for line in status:
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    total += int(line.split()[1])
    return total


def one_run(server, words: list[str], requests: int) -> tuple[float, float]:
    """(CPU µs per request, context switches per request) of one redis-benchmark run."""
    pid = server.proc.pid
    cpu_before, switches_before = cpu_seconds(pid), context_switches(pid)
    subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(server.port), "-n",
                    str(requests), "-c", "50", "-P", "1", "-r", "10000", "-q"] + words,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu = (cpu_seconds(pid) - cpu_before) * 1e6 / requests
    return cpu, (context_switches(pid) - switches_before) / requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    load_start = os.getloadavg()
    drayman = DraymanProcess("--save", "", "--appendonly", "no")
    redis = RedisProcess("--save", "", "--appendonly", "no")
    servers = {"drayman": drayman, "redis-server": redis}
    results: dict[str, dict[str, list[tuple[float, float]]]] = {
        name: {command: [] for command in COMMANDS} for name in servers}
    try:
        for command, words in COMMANDS.items():
            for round_index in range(args.rounds):
                order = list(servers) if round_index % 2 == 0 else list(reversed(servers))
                for name in order:
                    results[name][command].append(one_run(servers[name], words, args.requests))
            row = {name: [f"{cpu:.2f}" for cpu, _ in results[name][command]] for name in servers}
            print(f"{command}: {row}", flush=True)
    finally:
        drayman.stop()
        redis.stop()
    load_end = os.getloadavg()
    print()
    print(f"{args.requests:,} requests per run, {args.rounds} rounds alternating; load average "
          f"{load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end")
    print()
    print("| command | drayman CPU µs/request (median) | redis-server | drayman / redis "
          "| drayman context switches/request | redis-server |")
    print("|---|---:|---:|---:|---:|---:|")
    for command in COMMANDS:
        ours = statistics.median(cpu for cpu, _ in results["drayman"][command])
        theirs = statistics.median(cpu for cpu, _ in results["redis-server"][command])
        our_switches = statistics.median(s for _, s in results["drayman"][command])
        their_switches = statistics.median(s for _, s in results["redis-server"][command])
        print(f"| {command} -P1 | {ours:.2f} | {theirs:.2f} | {ours / theirs:.2f}x "
              f"| {our_switches:.3f} | {their_switches:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
