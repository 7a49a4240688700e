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
one connection, per PUBLISH to 50 subscribers and per message of the LPUSH/BRPOP queue pattern
(free-running; parked: each LPUSH sent only once the server has read the consumer's BRPOP;
ready: each BRPOP sent only once the LPUSH was answered, so it pops at once);
then, without valgrind, syscalls per request at -P 1 (strace -c -f attached while
redis-benchmark -c 50 runs, once all 50 clients are connected: a steady window without connection
set-up or teardown) and server CPU per request (utime+stime over such a window; print the load
average with it, the machine is shared):

    .venv/bin/python bench/callgrind_keys.py --path --redis [--baseline old-binary]

A benchmark: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import glob
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import termios
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


# The periodic timer of each server (hz 10): Redis's serverCron, Drayman's Cron handler (timer
# re-arm included). Its cost follows wall time, not requests: a window that lasts longer under
# valgrind on a loaded machine holds more runs (one serverCron with jemalloc's statistics refresh
# is about 400,000 instructions), so per-message figures are also given without it.
PERIODIC_TIMER = re.compile(r"^\s*([\d,]+) .*(?:\?\?\?:serverCron |"
                            r"ScheduleCron\(\)::\{lambda.*::do_complete)", re.M)


def periodic_timer_instructions(dump: str) -> int:
    """Inclusive instructions of the periodic timer in a callgrind dump (0 if it never ran)."""
    text = subprocess.run(["callgrind_annotate", "--threshold=100", "--inclusive=yes", dump],
                          check=True, capture_output=True, text=True).stdout
    found = PERIODIC_TIMER.search(text)
    return int(found.group(1).replace(",", "")) if found else 0


class Callgrind:
    """A server under callgrind with instrumentation off until measure() switches it on."""

    def __init__(self, argv: list[str], port: int, keep_dir: str | None = None) -> None:
        self.workdir = tempfile.mkdtemp(prefix="callgrind-")
        self.keep_dir = keep_dir  # where close() copies the dumps (for callgrind_annotate)
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
        self.last_cron = periodic_timer_instructions(dump)
        return int(re.search(r"^totals: (\d+)", text, re.M).group(1))

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)
        if self.keep_dir:
            os.makedirs(self.keep_dir, exist_ok=True)
            for dump in glob.glob(os.path.join(self.workdir, "callgrind.out.*")):
                shutil.copy(dump, self.keep_dir)
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


SIOCOUTQNSD = 0x894B  # linux/sockios.h: bytes in the send queue not yet sent


def unsent_bytes(sock: socket.socket) -> int:
    """Bytes this socket has not sent yet (SIOCOUTQNSD; not SIOCOUTQ, which also counts bytes
    sent but not acknowledged, and a peer delays its ACK of a request it does not answer)."""
    return struct.unpack("i", fcntl.ioctl(sock.fileno(), SIOCOUTQNSD, b"\0\0\0\0"))[0]


class ServerSideSocket:
    """The server's end of one of our connections, borrowed with pidfd_getfd(2), so that its
    receive queue (FIONREAD) can be read cheaply: 0 once the server has read what we sent.
    (/proc/net/tcp shows the same figure, but reading it takes milliseconds here.)"""

    SYS_PIDFD_GETFD = 438  # x86-64

    def __init__(self, server_pid: int, server_port: int, sock: socket.socket) -> None:
        local, remote = ":%04X" % server_port, ":%04X" % sock.getsockname()[1]
        inode = None
        with open("/proc/net/tcp") as table:
            for line in table.readlines()[1:]:
                fields = line.split()
                if fields[1].endswith(local) and fields[2].endswith(remote):
                    inode = fields[9]
        if inode is None:
            raise RuntimeError("connection not found in /proc/net/tcp")
        target = None
        for name in os.listdir(f"/proc/{server_pid}/fd"):
            try:
                if os.readlink(f"/proc/{server_pid}/fd/{name}") == f"socket:[{inode}]":
                    target = int(name)
            except OSError:
                pass
        if target is None:
            raise RuntimeError("the server's socket was not found")
        libc = ctypes.CDLL(None, use_errno=True)
        pidfd = os.pidfd_open(server_pid)
        try:
            self.fd = libc.syscall(self.SYS_PIDFD_GETFD, pidfd, target, 0)
        finally:
            os.close(pidfd)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "pidfd_getfd")

    def unread(self) -> int:
        return struct.unpack("i", fcntl.ioctl(self.fd, termios.FIONREAD, b"\0\0\0\0"))[0]

    def close(self) -> None:
        os.close(self.fd)


def wait_until_read(sock: socket.socket, server_side: ServerSideSocket) -> None:
    """Waits until the server has read what `sock` sent (a server reads a request and runs it in
    the same event, so a command sent afterwards on another connection runs after it)."""
    deadline = time.monotonic() + 30
    while unsent_bytes(sock) or server_side.unread():
        if time.monotonic() > deadline:
            raise TimeoutError("the server did not read the request")
        time.sleep(0.0001)


def queue_pattern(port: int, messages: int, server_pid: int = 0):
    """A consumer in BRPOP, a producer LPUSHing one message at a time; returns (work, close).

    Free-running (no server_pid), the consumer's next BRPOP and the producer's next LPUSH race, so
    some BRPOPs find the message already there and never block (the mix varies between runs).
    Parked (the server's pid given), the producer pushes only once the server has read the BRPOP,
    so every message goes through a blocked consumer: block, wake-up, serve."""
    consumer = socket.create_connection(("127.0.0.1", port))
    producer = socket.create_connection(("127.0.0.1", port))
    pipelined(consumer, [command(b"PING")], 1)  # accepted: the server's socket exists
    server_side = ServerSideSocket(server_pid, port, consumer) if server_pid else None
    payload = b"x" * 100
    brpop = command(b"BRPOP", b"celery", b"0")

    def send_brpop() -> None:
        consumer.sendall(brpop)
        if server_side is not None:
            wait_until_read(consumer, server_side)

    def work() -> None:
        send_brpop()
        for _ in range(messages):
            producer.sendall(command(b"LPUSH", b"celery", payload))
            read_replies(producer, 1)
            got = b""
            while not got.endswith(payload + b"\r\n"):
                got += consumer.recv(4096)
            send_brpop()
        producer.sendall(command(b"LPUSH", b"celery", payload))  # releases the last BRPOP
        read_replies(producer, 1)

    def close() -> None:
        if server_side is not None:
            server_side.close()
        consumer.close()
        producer.close()
    return work, close


def queue_ready(port: int, messages: int):
    """The queue pattern when messages wait for the consumer (a busy queue): each LPUSH is
    answered before the consumer's BRPOP is sent, so every BRPOP pops at once; returns
    (work, close)."""
    consumer = socket.create_connection(("127.0.0.1", port))
    producer = socket.create_connection(("127.0.0.1", port))
    payload = b"x" * 100
    brpop = command(b"BRPOP", b"celery", b"0")

    def work() -> None:
        for _ in range(messages):
            producer.sendall(command(b"LPUSH", b"celery", payload))
            read_replies(producer, 1)
            consumer.sendall(brpop)
            got = b""
            while not got.endswith(payload + b"\r\n"):
                got += consumer.recv(4096)

    def close() -> None:
        consumer.close()
        producer.close()
    return work, close


def path_instructions(argv: list[str], port: int, requests: int,
                      keep_dir: str | None = None) -> dict:
    server = Callgrind(argv, port, keep_dir)
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
        total = server.measure("publish", work)
        counts["PUBLISH x50"] = total / messages
        counts["PUBLISH x50 without cron"] = (total - server.last_cron) / messages
        close()
        work, close = queue_pattern(port, messages)
        total = server.measure("brpop", work)
        counts["LPUSH/BRPOP"] = total / messages
        counts["LPUSH/BRPOP without cron"] = (total - server.last_cron) / messages
        close()
        work, close = queue_pattern(port, messages, server.proc.pid)
        total = server.measure("brpop-parked", work)
        counts["LPUSH/BRPOP parked"] = total / messages
        counts["LPUSH/BRPOP parked without cron"] = (total - server.last_cron) / messages
        close()
        work, close = queue_ready(port, messages)
        total = server.measure("brpop-ready", work)
        counts["LPUSH/BRPOP ready"] = total / messages
        counts["LPUSH/BRPOP ready without cron"] = (total - server.last_cron) / messages
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


def info_fields(sock: socket.socket, section: bytes) -> dict[str, str]:
    """INFO <section> over an open connection, as a dict of its fields."""
    sock.sendall(command(b"INFO", section))
    got = b""
    while b"\r\n" not in got:
        got += sock.recv(65536)
    length = int(got[1:got.index(b"\r\n")])
    start = got.index(b"\r\n") + 2
    while len(got) < start + length + 2:
        got += sock.recv(65536)
    fields = {}
    for line in got[start:start + length].decode().splitlines():
        if ":" in line and not line.startswith("#"):
            name, value = line.split(":", 1)
            fields[name] = value
    return fields


# Clients redis-benchmark keeps open during the steady window.
BENCH_CLIENTS = 50


def redis_benchmark_steady(port: int, words: list[str]):
    """Starts redis-benchmark -c 50 -P 1 with far more requests than a window needs and returns
    (process, control connection) once every benchmark client is connected; the caller measures
    a window, then stops the process (stop_benchmark)."""
    control = socket.create_connection(("127.0.0.1", port))
    bench = subprocess.Popen(["redis-benchmark", "-h", "127.0.0.1", "-p", str(port),
                              "-n", "100000000", "-c", str(BENCH_CLIENTS), "-P", "1",
                              "-r", "10000", "-q"] + words,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while int(info_fields(control, b"clients")["connected_clients"]) < BENCH_CLIENTS + 1:
        if time.monotonic() > deadline or bench.poll() is not None:
            bench.kill()
            raise RuntimeError("redis-benchmark did not connect its clients")
        time.sleep(0.05)
    time.sleep(0.5)  # every client past its first request
    return bench, control


def stop_benchmark(bench: subprocess.Popen, control: socket.socket) -> None:
    bench.terminate()
    bench.wait(timeout=60)
    control.close()


def strace_counts(text: str) -> dict[str, tuple[int, int]]:
    """strace -c's table as {syscall: (calls, errors)}."""
    counts = {}
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 5 or not fields[0][0].isdigit() or fields[-1] == "total":
            continue
        # "% time  seconds  usecs/call  calls  [errors]  syscall"
        calls = int(fields[3])
        errors = int(fields[4]) if len(fields) == 6 else 0
        counts[fields[-1]] = (calls, errors)
    return counts


READ_CALLS = ("read", "recvfrom", "recvmsg", "readv")


def syscalls_steady(pid: int, port: int, words: list[str], window_s: float) -> tuple[float, dict]:
    """Syscalls per request in a steady window: redis-benchmark -c 50 -P 1 runs with every
    client connected before strace attaches, and is stopped only after strace detached, so
    neither connection set-up nor teardown is counted. At -P 1 every client has one request in
    flight, so each read that returns bytes carries exactly one request: requests are the read
    calls that did not fail (EAGAIN), counted by strace itself in the same window."""
    bench, control = redis_benchmark_steady(port, words)
    out = tempfile.mktemp(prefix="strace-")
    try:
        tracer = subprocess.Popen(["strace", "-c", "-f", "-o", out, "-p", str(pid)],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # One "attached" line per thread ("Process N attached" or "... with K threads").
        threads = len(os.listdir(f"/proc/{pid}/task"))
        seen = 0
        while seen < threads:
            line = tracer.stderr.readline().decode()
            if not line:
                break
            if "attached" in line:
                found = re.search(r"with (\d+) threads", line)
                seen += int(found.group(1)) if found else 1
        time.sleep(window_s)
        tracer.send_signal(2)
        tracer.wait(timeout=60)
        counts = strace_counts(Path(out).read_text())
    finally:
        stop_benchmark(bench, control)
        if os.path.exists(out):
            os.unlink(out)
    total = sum(calls for calls, _ in counts.values())
    requests = sum(counts[name][0] - counts[name][1] for name in READ_CALLS if name in counts)
    return total / requests, counts


def cpu_steady(pid: int, port: int, words: list[str], window_s: float) -> float:
    """Server CPU µs per request over a steady window (every client connected): utime+stime
    and INFO's total_commands_processed read at both ends."""
    from servers import cpu_seconds
    bench, control = redis_benchmark_steady(port, words)
    try:
        commands = int(info_fields(control, b"stats")["total_commands_processed"])
        cpu = cpu_seconds(pid)
        time.sleep(window_s)
        cpu = cpu_seconds(pid) - cpu
        commands = int(info_fields(control, b"stats")["total_commands_processed"]) - commands
    finally:
        stop_benchmark(bench, control)
    return cpu * 1e6 / commands


def path_system(label: str, argv: list[str], port: int, window_s: float) -> dict:
    """Syscalls and CPU per request at -P 1 under redis-benchmark -c 50, without valgrind, in
    steady windows (all 50 connections established; set-up and teardown not counted)."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port)
        result = {}
        for name, words in BENCH_COMMANDS.items():
            per_request, counts = syscalls_steady(proc.pid, port, words, window_s)
            result[f"{name} syscalls"] = per_request
            top = sorted(counts.items(), key=lambda item: -item[1][0])[:4]
            print(f"  {label} {name}: " + ", ".join(f"{n} {c[0]} ({c[1]} failed)"
                                                    for n, c in top), flush=True)
        for name, words in BENCH_COMMANDS.items():
            result[f"{name} cpu_us"] = cpu_steady(proc.pid, port, words, window_s)
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
    parser.add_argument("--window", type=float, default=3.0,
                        help="with --path: seconds of each steady syscall/CPU window")
    parser.add_argument("--keep-dumps", metavar="DIR",
                        help="with --path: keep each server's callgrind dumps (one per phase, "
                        "e.g. PING-P16) in DIR/<label> for callgrind_annotate")
    parser.add_argument("--drayman-arg", action="append", default=[], metavar="ARG",
                        help="an extra argument for the drayman servers (repeat: "
                        "--drayman-arg=--maxmemory-clients --drayman-arg=1gb)")
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
    print("load average at start: %.2f %.2f %.2f" % os.getloadavg(), flush=True)
    for label, binary in runs:
        def argv(port: int) -> list[str]:
            extra = args.drayman_arg if label != "redis-server" else []
            return [binary, "--bind", "127.0.0.1", "--port", str(port), "--appendonly", "no",
                    "--save", ""] + extra
        port = free_port()
        keep = (os.path.join(args.keep_dumps, re.sub(r"\W+", "-", label).strip("-"))
                if args.keep_dumps else None)
        results[label] = path_instructions(argv(port), port, args.requests, keep)
        if not args.no_system:
            port = free_port()
            results[label].update(path_system(label, argv(port), port, args.window))
        print(label, {k: round(v, 2) for k, v in results[label].items()}, flush=True)
    print("load average at end: %.2f %.2f %.2f" % os.getloadavg())
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
