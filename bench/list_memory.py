"""Large list elements, Drayman beside redis-server (issue 16): bytes per element and LPUSH rate.

Memory: fresh servers in turn; RSS growth after N pipelined `LPUSH` of distinct values of one size
(4 KB list elements, 1.5 KB Celery-sized messages, 100-byte messages for reference), the same
measurement as bench/run.py's "Memory per item". Rate: `redis-benchmark -t lpush -d 4096`, both
servers running side by side, alternating, the median of --repeat runs per server.

Usage: DRAYMAN_SERVER=build/server/drayman-server .venv/bin/python bench/list_memory.py
"""
import argparse
import csv
import io
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import NAMES, flushall, median, memory_per_item  # noqa: E402
from servers import DraymanProcess, RedisProcess  # noqa: E402


def lpush_rate(port: int, size: int, requests: int, pipeline: int) -> float:
    out = subprocess.run(
        ["redis-benchmark", "-p", str(port), "-t", "lpush", "-d", str(size), "-n", str(requests),
         "-P", str(pipeline), "-c", "50", "--csv"], capture_output=True, text=True, check=True)
    rows = list(csv.reader(io.StringIO(out.stdout)))
    return float(rows[1][1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="4096:50000,1500:100000,100:500000",
                        help="value size:items, comma separated")
    parser.add_argument("--rate-requests", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()}")
    print("| value bytes | items | Redis bytes/element | Drayman bytes/element | Drayman / Redis |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for spec in args.sizes.split(","):
        size, items = (int(x) for x in spec.split(":"))
        result = {}
        for name, factory in (("redis", RedisProcess), ("drayman", DraymanProcess)):
            with factory() as server:
                result[name] = memory_per_item(server, items, size, batch=2000)
        r, d = result["redis"]["bytes_per_item"], result["drayman"]["bytes_per_item"]
        print(f"| {size} | {items:,} | {r:,.0f} | {d:,.0f} | {d / r:.2f} |", flush=True)
    print()
    print("| LPUSH -d 4096 | pipeline | Redis req/s | Drayman req/s | Drayman / Redis |")
    print("| --- | ---: | ---: | ---: | ---: |")
    with RedisProcess() as redis_server, DraymanProcess() as drayman_server:
        servers = {"redis": redis_server, "drayman": drayman_server}
        for pipeline in (1, 16):
            rates = {name: [] for name in NAMES}
            for _ in range(args.repeat):
                for name in NAMES:
                    flushall(servers[name].port)
                    rates[name].append(
                        lpush_rate(servers[name].port, 4096, args.rate_requests, pipeline))
            r, d = median(rates["redis"]), median(rates["drayman"])
            print(f"| 4 KB values | {pipeline} | {r:,.0f} | {d:,.0f} | {d / r:.2f} |", flush=True)
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
