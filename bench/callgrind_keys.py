"""Instructions per SET and GET under callgrind: two drayman-server binaries (and redis-server).

Starts each server under `valgrind --tool=callgrind --instr-atstart=no`, switches instrumentation
on with callgrind_control, sends N `SET key:<i> v` (new keys, so the key table grows through
several resizes) then N `GET key:<i>`, one request at a time (-P 1) over one connection, and
reads the instruction count of that window alone. Instruction counts are steady on a shared
machine where wall time is not. Run from the repository root:

    .venv/bin/python bench/callgrind_keys.py --binary build/server/drayman-server \\
        [--baseline /path/to/older/drayman-server] [--requests 5000] [--redis]

With --path (issue 16, the request path) it measures instead, for each server in one run:
callgrind instructions per request for PING, GET, SET, LPUSH and RPOP at -P 1 and -P 16 over
one connection, per PUBLISH to 50 subscribers and per message of the LPUSH/BRPOP queue pattern;
then, without valgrind, syscalls per request at -P 1 (strace -c -f attached during
redis-benchmark -c 50) and server CPU per request (utime+stime during redis-benchmark -c 50):

    .venv/bin/python bench/callgrind_keys.py --path --redis [--baseline old-binary]

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


class Callgrind:
    """A server under callgrind with instrumentation off until measure() switches it on."""

    def __init__(self, argv: list[str], port: int) -> None:
        self.workdir = tempfile.mkdtemp(prefix="callgrind-")
        out = os.path.join(self.workdir, "callgrind.out.%p")
        self.proc = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no",
                                      f"--callgrind-out-file={out}"] + argv,
                                     cwd=self.workdir, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.port = port
        wait_for_port(port, deadline_s=300)

    def control(self, *flags: str) -> None:
        subprocess.run(["callgrind_control", *flags, str(self.proc.pid)], check=True,
                       stdout=subprocess.DEVNULL)

    def measure(self, phase: str, work) -> int:
        """Instructions the server executed while work() ran."""
        self.control("-z")
        self.control("-i", "on")
        work()
        self.control("-i", "off")
        before = set(glob.glob(os.path.join(self.workdir, "callgrind.out.*")))
        self.control("-d", phase)
        dump = None
        for _ in range(200):
            fresh = set(glob.glob(os.path.join(self.workdir, "callgrind.out.*"))) - before
            if fresh:
                dump = fresh.pop()
                break
            time.sleep(0.1)
        time.sleep(0.5)
        text = Path(dump).read_text()
        return int(re.search(r"^totals: (\d+)", text, re.M).group(1))

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        shutil.rmtree(self.workdir, ignore_errors=True)


def read_replies(sock: socket.socket, count: int, pending: bytes = b"") -> bytes:
    """Reads `count` one-line replies (+OK, :n, $-1 / bulk strings of one line); returns leftover."""
    got = pending
    while True:
        seen, at = 0, 0
        while seen < count:
            end = got.find(b"\r\n", at)
            if end < 0:
                break
            if got[at:at + 1] == b"$" and got[at + 1:at + 2] != b"-":
                end = got.find(b"\r\n", end + 2)
                if end < 0:
                    break
            at = end + 2
            seen += 1
        if seen == count:
            return got[at:]
        got += sock.recv(65536)


def pipelined(sock: socket.socket, requests: list[bytes], depth: int) -> None:
    for start in range(0, len(requests), depth):
        batch = requests[start:start + depth]
        sock.sendall(b"".join(batch))
        read_replies(sock, len(batch))


PATH_COMMANDS = {
    "PING": lambda i: command(b"PING"),
    "SET": lambda i: command(b"SET", b"key:%d" % (i % 10000), b"xxxxxxxxxxxxxxxxxxxx"),
    "GET": lambda i: command(b"GET", b"key:%d" % (i % 10000)),
    "LPUSH": lambda i: command(b"LPUSH", b"queue", b"xxxxxxxxxxxxxxxxxxxx"),
    "RPOP": lambda i: command(b"RPOP", b"queue"),
}


def subscribers_publish(port: int, subscribers: int, messages: int):
    """Connections subscribed to one channel; returns (work, close) for `messages` PUBLISHes."""
    subs = []
    for _ in range(subscribers):
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(command(b"SUBSCRIBE", b"news"))
        got = b""
        while got.count(b"\r\n") < 6:
            got += s.recv(4096)
        subs.append(s)
    pub = socket.create_connection(("127.0.0.1", port))
    payload = b"m" * 100
    message = command(b"PUBLISH", b"news", payload)
    expected = len(b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$100\r\n" + payload + b"\r\n")

    def work() -> None:
        for _ in range(messages):
            pub.sendall(message)
            read_replies(pub, 1)
            for s in subs:
                got = 0
                while got < expected:
                    got += len(s.recv(expected - got))

    def close() -> None:
        for s in subs + [pub]:
            s.close()
    return work, close


def queue_pattern(port: int, messages: int):
    """A consumer in BRPOP, a producer LPUSHing one message at a time; returns (work, close)."""
    consumer = socket.create_connection(("127.0.0.1", port))
    producer = socket.create_connection(("127.0.0.1", port))
    payload = b"x" * 100
    brpop = command(b"BRPOP", b"celery", b"0")

    def work() -> None:
        consumer.sendall(brpop)
        for _ in range(messages):
            producer.sendall(command(b"LPUSH", b"celery", payload))
            read_replies(producer, 1)
            got = b""
            while not got.endswith(payload + b"\r\n"):
                got += consumer.recv(4096)
            consumer.sendall(brpop)
        producer.sendall(command(b"LPUSH", b"celery", payload))  # releases the last BRPOP
        read_replies(producer, 1)

    def close() -> None:
        consumer.close()
        producer.close()
    return work, close


def path_instructions(argv: list[str], port: int, requests: int) -> dict:
    server = Callgrind(argv, port)
    try:
        sock = socket.create_connection(("127.0.0.1", port))
        pipelined(sock, [command(b"PING")] * 50, 1)  # warm up the connection's buffers
        pipelined(sock, [PATH_COMMANDS["SET"](i) for i in range(10000)], 16)  # GET finds keys
        counts = {}
        for depth in (1, 16):
            for name, build in PATH_COMMANDS.items():
                batch = [build(i) for i in range(requests)]
                total = server.measure(f"{name}-P{depth}", lambda: pipelined(sock, batch, depth))
                counts[f"{name} -P{depth}"] = total / requests
        sock.close()
        messages = max(requests // 10, 50)
        work, close = subscribers_publish(port, 50, messages)
        counts["PUBLISH x50"] = server.measure("publish", work) / messages
        close()
        work, close = queue_pattern(port, messages)
        counts["LPUSH/BRPOP"] = server.measure("brpop", work) / messages
        close()
        return counts
    finally:
        server.close()


BENCH_COMMANDS = {
    "PING": ["PING"],
    "SET": ["SET", "key:__rand_int__", "xxxxxxxxxxxxxxxxxxxx"],
    "GET": ["GET", "key:__rand_int__"],
    "LPUSH": ["LPUSH", "queue", "xxxxxxxxxxxxxxxxxxxx"],
    "RPOP": ["RPOP", "queue"],
}


def redis_benchmark(port: int, words: list[str], requests: int) -> None:
    subprocess.run(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-n", str(requests),
                    "-c", "50", "-P", "1", "-r", "10000", "-q"] + words,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def syscalls_during(pid: int, work) -> int:
    """Syscalls of every thread of `pid` while work() runs (strace -c -f attached)."""
    out = tempfile.mktemp(prefix="strace-")
    tracer = subprocess.Popen(["strace", "-c", "-f", "-o", out, "-p", str(pid)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)  # attached
    work()
    tracer.send_signal(2)
    tracer.wait(timeout=60)
    text = Path(out).read_text()
    os.unlink(out)
    # The last line: "100.00  seconds  usecs/call  calls  [errors]  total".
    total_line = [line for line in text.splitlines() if line.rstrip().endswith("total")][-1]
    return int(total_line.split()[3])


def path_system(label: str, argv: list[str], port: int, requests: int) -> dict:
    """Syscalls and CPU per request at -P 1 under redis-benchmark -c 50, without valgrind."""
    from servers import cpu_seconds
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        result = {}
        for name, words in BENCH_COMMANDS.items():
            calls = syscalls_during(proc.pid, lambda: redis_benchmark(port, words, requests))
            result[f"{name} syscalls"] = calls / requests
        for name, words in BENCH_COMMANDS.items():
            before = cpu_seconds(proc.pid)
            redis_benchmark(port, words, requests * 5)
            result[f"{name} cpu_us"] = (cpu_seconds(proc.pid) - before) * 1e6 / (requests * 5)
        return result
    finally:
        proc.terminate()
        proc.wait(timeout=60)


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
    parser.add_argument("--path", action="store_true",
                        help="the request-path suite (issue 16) instead of SET/GET")
    parser.add_argument("--no-system", action="store_true",
                        help="with --path: callgrind counts only (no strace/redis-benchmark)")
    args = parser.parse_args()
    # Servers run with a temporary directory as their working directory.
    args.binary = os.path.abspath(args.binary)
    if args.baseline:
        args.baseline = os.path.abspath(args.baseline)
    if args.path:
        return main_path(args)
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


def main_path(args) -> int:
    runs = [("drayman", args.binary)]
    if args.baseline:
        runs.append(("drayman (baseline)", args.baseline))
    if args.redis:
        runs.append(("redis-server", shutil.which("redis-server") or "/usr/bin/redis-server"))
    results = {}
    for label, binary in runs:
        def argv(port: int) -> list[str]:
            return [binary, "--bind", "127.0.0.1", "--port", str(port), "--appendonly", "no",
                    "--save", ""]
        port = free_port()
        results[label] = path_instructions(argv(port), port, args.requests)
        if not args.no_system:
            port = free_port()
            results[label].update(path_system(label, argv(port), port, args.requests * 4))
        print(label, {k: round(v, 2) for k, v in results[label].items()}, flush=True)
    print()
    labels = list(results)
    keys = list(results[labels[0]])
    header = "| measure | " + " | ".join(labels)
    if "redis-server" in results:
        header += " | " + " | ".join(f"{l} / redis" for l in labels if l != "redis-server")
    print(header + " |")
    print("|---" * (header.count("|")) + "|")
    for key in keys:
        row = f"| {key} | " + " | ".join(f"{results[l][key]:.2f}" if "sys" in key or "cpu" in key
                                          else f"{results[l][key]:.0f}" for l in labels)
        if "redis-server" in results:
            base = results["redis-server"][key]
            row += " | " + " | ".join(f"{results[l][key] / base:.2f}x" for l in labels
                                      if l != "redis-server")
        print(row + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
