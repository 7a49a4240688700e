"""Instructions per SET and GET under callgrind: two drayman-server binaries (and redis-server).

Starts each server under `valgrind --tool=callgrind --instr-atstart=no`, switches instrumentation
on with callgrind_control, sends N `SET key:<i> v` (new keys, so the key table grows through
several resizes) then N `GET key:<i>`, one request at a time (-P 1) over one connection, and
reads the instruction count of that window alone. Instruction counts are steady on a shared
machine where wall time is not. Run from the repository root:

    .venv/bin/python bench/callgrind_keys.py --binary build/server/drayman-server \\
        [--baseline /path/to/older/drayman-server] [--requests 5000] [--redis]

A benchmark: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))
from servers import free_port, wait_for_port  # noqa: E402


def command(*parts: bytes) -> bytes:
    return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%b\r\n" % (len(p), p) for p in parts)


def one_at_a_time(sock: socket.socket, requests: list[bytes]) -> None:
    for request in requests:
        sock.sendall(request)
        got = b""
        while not got.endswith(b"\r\n"):
            got += sock.recv(4096)


def instructions(label: str, argv: list[str], port: int, requests: int) -> dict:
    workdir = tempfile.mkdtemp(prefix="callgrind-")
    out = os.path.join(workdir, "callgrind.out.%p")
    proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                             f"--callgrind-out-file={out}"] + argv,
                            cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, deadline_s=60)
        sock = socket.create_connection(("127.0.0.1", port))
        one_at_a_time(sock, [command(b"PING")] * 50)  # warm up the connection's buffers
        counts = {}
        for phase, build in (("SET", lambda i: command(b"SET", b"key:%d" % i, b"v")),
                             ("GET", lambda i: command(b"GET", b"key:%d" % i))):
            subprocess.run(["callgrind_control", "-z", str(proc.pid)], check=True,
                           stdout=subprocess.DEVNULL)
            subprocess.run(["callgrind_control", "-i", "on", str(proc.pid)], check=True,
                           stdout=subprocess.DEVNULL)
            one_at_a_time(sock, [build(i) for i in range(requests)])
            subprocess.run(["callgrind_control", "-i", "off", str(proc.pid)], check=True,
                           stdout=subprocess.DEVNULL)
            before = set(glob.glob(os.path.join(workdir, "callgrind.out.*")))
            subprocess.run(["callgrind_control", "-d", phase, str(proc.pid)], check=True,
                           stdout=subprocess.DEVNULL)
            dump = None
            for _ in range(100):
                fresh = set(glob.glob(os.path.join(workdir, "callgrind.out.*"))) - before
                if fresh:
                    dump = fresh.pop()
                    break
                time.sleep(0.1)
            time.sleep(0.5)
            text = Path(dump).read_text()
            total = int(re.search(r"^totals: (\d+)", text, re.M).group(1))
            counts[phase] = total / requests
        sock.close()
        return counts
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "build" / "server" / "drayman-server"))
    parser.add_argument("--baseline", help="an older drayman-server binary to compare with")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--redis", action="store_true", help="also measure redis-server")
    args = parser.parse_args()
    runs = [("drayman", args.binary)]
    if args.baseline:
        runs.append(("drayman (baseline)", args.baseline))
    results = {}
    for label, binary in runs:
        port = free_port()
        argv = [binary, "--bind", "127.0.0.1", "--port", str(port), "--appendonly", "no",
                "--save", ""]
        results[label] = instructions(label, argv, port, args.requests)
        print(label, {k: round(v) for k, v in results[label].items()}, flush=True)
    if args.redis:
        port = free_port()
        argv = [shutil.which("redis-server") or "/usr/bin/redis-server", "--bind", "127.0.0.1",
                "--port", str(port), "--save", "", "--appendonly", "no"]
        results["redis-server"] = instructions("redis-server", argv, port, args.requests)
        print("redis-server", {k: round(v) for k, v in results["redis-server"].items()})
    print()
    print("| server | SET Ir/request | GET Ir/request |")
    print("|---|---|---|")
    for label, counts in results.items():
        print(f"| {label} | {counts['SET']:.0f} | {counts['GET']:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
