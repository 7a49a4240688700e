"""Memory per small key, Drayman beside redis-server (issue 16): bytes per key for each shape.

Fresh servers in turn (redis-server, then each Drayman binary), the same shapes in each: N keys
written with pipelined SETs, then RSS growth and INFO used_memory growth divided by N. Shapes:

  plain    SET key:<n> <20-byte value>                       (the issue's small key)
  ttl      SET key:<n> <20-byte value> PX 86400000           (the same keys with a TTL)
  celery   SET celery-task-meta-<uuid> <198-208-byte JSON> PX 86400000
           (a Celery result as its Redis backend stores it: SETEX <key> 86400 <json>)
  mixed    half plain, half celery, interleaved

Values are distinct (they embed the counter) so no server can share them. --baseline adds a
second Drayman binary (e.g. main's build) to the same run, so before/after come from one run.

Usage: DRAYMAN_SERVER=build/server/drayman-server /work/main/.venv/bin/python bench/key_memory.py \
           [--baseline /work/main/build/server/drayman-server] [--keys 1000000]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from rawresp import RawConnection, encode  # noqa: E402
from servers import DraymanProcess, RedisProcess, rss_bytes  # noqa: E402

SHAPES = ("plain", "ttl", "celery", "mixed")
TTL_MS = b"86400000"


def celery_value(task_id: str, n: int) -> bytes:
    # The JSON Celery's backend stores for a finished task (json serializer, result_extended
    # off), with a small dict as the task's result: 198-208 bytes.
    return (b'{"status": "SUCCESS", "result": {"rows": %d, "file": "exports/%d.csv"}, '
            b'"traceback": null, "children": [], "date_done": "2026-12-06T21:%02d:%02d.%06d", '
            b'"task_id": "%s"}'
            % (n, n, n // 60 % 60, n % 60, n % 1000000, task_id.encode()))


def commands(shape: str, start: int, count: int, rng_ids: list[str]) -> bytes:
    out = []
    for n in range(start, start + count):
        kind = shape if shape != "mixed" else ("plain" if n % 2 == 0 else "celery")
        if kind == "celery":
            task_id = rng_ids[n]
            out.append(encode(b"SET", b"celery-task-meta-" + task_id.encode(),
                              celery_value(task_id, n), b"PX", TTL_MS))
        else:
            key = b"key:%d" % n
            value = b"v%019d" % n  # 20 bytes
            if kind == "ttl":
                out.append(encode(b"SET", key, value, b"PX", TTL_MS))
            else:
                out.append(encode(b"SET", key, value))
    return b"".join(out)


def used_memory(connection: RawConnection) -> int:
    reply = connection.command("INFO", "memory").decode()
    for line in reply.split("\r\n"):
        if line.startswith("used_memory:"):
            return int(line.split(":")[1])
    raise RuntimeError("no used_memory in INFO memory")


def fill(server, shape: str, keys: int, ids: list[str], batch: int = 5000) -> dict:
    with RawConnection(server.port, timeout=300) as connection:
        connection.command("FLUSHALL")
        time.sleep(0.3)
        rss_before, used_before = rss_bytes(server.pid), used_memory(connection)
        sent = 0
        while sent < keys:
            count = min(batch, keys - sent)
            connection.send(commands(shape, sent, count, ids))
            for _ in range(count):
                reply = connection.read_reply()
                if not reply.startswith(b"+OK"):
                    raise RuntimeError(f"{server.name}: {reply!r}")
            sent += count
        dbsize = int(connection.command("DBSIZE")[1:].strip())
        if dbsize != keys:
            raise RuntimeError(f"{server.name}: DBSIZE {dbsize}, expected {keys}")
        time.sleep(0.3)
        rss_after, used_after = rss_bytes(server.pid), used_memory(connection)
    return {"rss": (rss_after - rss_before) / keys, "used": (used_after - used_before) / keys}


def drayman(binary: str) -> DraymanProcess:
    saved = os.environ.get("DRAYMAN_SERVER")
    os.environ["DRAYMAN_SERVER"] = binary
    try:
        return DraymanProcess()
    finally:
        if saved is None:
            del os.environ["DRAYMAN_SERVER"]
        else:
            os.environ["DRAYMAN_SERVER"] = saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=1_000_000)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--baseline", help="a second drayman-server binary (e.g. main's)")
    args = parser.parse_args()
    current = os.environ.get("DRAYMAN_SERVER") or str(ROOT / "build" / "server" /
                                                      "drayman-server")
    servers = [("redis", lambda: RedisProcess())]
    if args.baseline:
        servers.append(("baseline", lambda: drayman(args.baseline)))
    servers.append(("drayman", lambda: drayman(current)))
    ids = [str(uuid.UUID(int=(n * 0x9E3779B97F4A7C15 + 12345) % (1 << 128), version=4))
           for n in range(args.keys)]
    print(f"load average at start: {os.getloadavg()}; {args.keys:,} keys per shape")
    results: dict[str, dict[str, dict]] = {}
    for shape in args.shapes.split(","):
        results[shape] = {}
        for name, start in servers:
            # A fresh server per shape, so nothing freed by FLUSHALL is reused.
            with start() as server:
                results[shape][name] = fill(server, shape, args.keys, ids)
            print(f"  {shape:7} {name:9} rss {results[shape][name]['rss']:7.1f} B/key  "
                  f"used_memory {results[shape][name]['used']:7.1f} B/key", file=sys.stderr,
                  flush=True)
    names = [name for name, _ in servers]
    header = ["shape"]
    for metric in ("RSS", "used_memory"):
        header += [f"{metric} {name}" for name in names]
        header += [f"{metric} {name}/redis" for name in names if name != "redis"]
    print()
    print("| " + " | ".join(header) + " |")
    print("| --- |" + " ---: |" * (len(header) - 1))
    for shape, row in results.items():
        cells = [shape]
        for metric in ("rss", "used"):
            cells += [f"{row[name][metric]:.1f}" for name in names]
            cells += [f"{row[name][metric] / row['redis'][metric]:.2f}"
                      for name in names if name != "redis"]
        print("| " + " | ".join(cells) + " |")
    print(f"load average at end: {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
