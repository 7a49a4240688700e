#!/usr/bin/env python3
"""TLS side by side: Drayman and Debian's redis-server (built with TLS), same certificates.

Both servers run at once, each with a TLS port (tls-auth-clients yes: redis-benchmark presents a
client certificate, as a least-privilege deployment would), and every measurement alternates
between them (Redis, then Drayman), so background load on a shared machine hits both alike.

1. redis-benchmark --tls -t set,get,lpush,rpop -c 50 at -P 1 and -P 16: requests/s, the server's
   CPU seconds (utime+stime from /proc/<pid>/stat) during the run, and Drayman/Redis ratios.
2. Handshake rate: redis-benchmark --tls -k 0 -t ping (a new connection, so a full TLS handshake,
   for every PING), connections/s and server CPU per handshake.

Prints a Markdown section for docs/benchmarks.md. Nothing here asserts a time.
Usage: bench/tls.py [--requests N] [--pipelined-requests N] [--handshakes N] [--rounds R]
"""

from __future__ import annotations

import argparse
import csv
import io
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from servers import DraymanProcess, RedisProcess, cpu_seconds, free_port  # noqa: E402

TESTS = ["set", "get", "lpush", "rpop"]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def make_certs(directory: Path) -> None:
    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.crt", "-days", "2", "-subj", "/CN=Bench CA")
    for name in ("server", "client"):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", f"{name}.key", "-out",
                f"{name}.csr", "-subj", f"/CN={name}")
        openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", f"{name}.crt", "-days", "2")


def benchmark(certs: Path, port: int, *args: str) -> dict[str, float]:
    """redis-benchmark --tls ... --csv: requests/s per test name (lowercase)."""
    command = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "--tls", "--cacert",
               str(certs / "ca.crt"), "--cert", str(certs / "client.crt"), "--key",
               str(certs / "client.key"), "--csv", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=True)
    rows = list(csv.reader(io.StringIO(done.stdout)))
    return {row[0].split()[0].lower(): float(row[1]) for row in rows[1:] if len(row) > 1}


def measure(certs: Path, server, *args: str) -> tuple[dict[str, float], float]:
    before = cpu_seconds(server.pid)
    result = benchmark(certs, server.tls_port, *args)
    return result, cpu_seconds(server.pid) - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--pipelined-requests", type=int, default=1_000_000)
    parser.add_argument("--handshakes", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=2, help="alternations; best of each kept")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        certs = Path(directory)
        make_certs(certs)
        servers = {}
        for name, kind in (("redis", RedisProcess), ("drayman", DraymanProcess)):
            tls_port = free_port()
            tls = ["--tls-port", str(tls_port), "--tls-cert-file", str(certs / "server.crt"),
                   "--tls-key-file", str(certs / "server.key"), "--tls-ca-cert-file",
                   str(certs / "ca.crt")]
            plain = ["--port", str(free_port())] if kind is DraymanProcess else []
            servers[name] = kind(*plain, *tls)
            servers[name].tls_port = tls_port
        try:
            rows = []
            for pipeline, requests in ((1, options.requests), (16, options.pipelined_requests)):
                best = {name: {} for name in servers}
                cpu = {name: {} for name in servers}
                for round_number in range(options.rounds):
                    for test in TESTS:
                        for name, server in servers.items():
                            log(f"P{pipeline} {test} {name} round {round_number + 1}")
                            result, seconds = measure(certs, server, "-t", test, "-c", "50",
                                                      "-n", str(requests), "-P", str(pipeline))
                            rps = result.get(test, 0.0)
                            if rps > best[name].get(test, 0.0):
                                best[name][test] = rps
                                cpu[name][test] = seconds
                for test in TESTS:
                    rows.append((f"{test.upper()} -P {pipeline}", best["redis"][test],
                                 best["drayman"][test], cpu["redis"][test],
                                 cpu["drayman"][test], requests))
            handshakes = {}
            for round_number in range(options.rounds):
                for name, server in servers.items():
                    log(f"handshakes {name} round {round_number + 1}")
                    result, seconds = measure(certs, server, "-t", "ping", "-k", "0", "-c", "10",
                                              "-n", str(options.handshakes))
                    rate = max(result.values())
                    if rate > handshakes.get(name, (0.0, 0.0))[0]:
                        handshakes[name] = (rate, seconds)
        finally:
            for server in servers.values():
                server.stop()

    print("| Test | Redis req/s | Drayman req/s | Drayman/Redis | Redis CPU s | Drayman CPU s "
          "| CPU ratio (Drayman/Redis) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for test, redis_rps, drayman_rps, redis_cpu, drayman_cpu, requests in rows:
        print(f"| {test} | {redis_rps:,.0f} | {drayman_rps:,.0f} | {drayman_rps / redis_rps:.2f} "
              f"| {redis_cpu:.2f} | {drayman_cpu:.2f} | {drayman_cpu / max(redis_cpu, 1e-9):.2f} |")
    print()
    print("| New connections (full TLS handshake + PING) | Redis | Drayman | Drayman/Redis |")
    print("|---|---:|---:|---:|")
    redis_rate, redis_cpu = handshakes["redis"]
    drayman_rate, drayman_cpu = handshakes["drayman"]
    print(f"| connections/s | {redis_rate:,.0f} | {drayman_rate:,.0f} | "
          f"{drayman_rate / redis_rate:.2f} |")
    per_redis = redis_cpu / options.handshakes * 1e6
    per_drayman = drayman_cpu / options.handshakes * 1e6
    print(f"| server CPU µs per connection | {per_redis:,.0f} | {per_drayman:,.0f} | "
          f"{per_drayman / max(per_redis, 1e-9):.2f} |")


if __name__ == "__main__":
    main()
