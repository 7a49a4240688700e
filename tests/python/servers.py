"""Start and stop the servers the Python tests and benchmarks talk to.

DraymanProcess runs the real drayman-server binary on 127.0.0.1 port 0 and reads the bound port
from its start-up line. RedisProcess runs Debian's redis-server (the oracle) on a free ephemeral
port; redis-server cannot listen on port 0, so a port is reserved by binding and released just
before start. Both are context managers that kill what they started; preexec_fn (optional) runs
in the child before exec, e.g. to lower its resource limits.

target_server() is what tests that exercise "the server under test" call: it starts a
DraymanProcess, or a RedisProcess when DRAYMAN_TEST_TARGET=redis, so every such test can be
validated against redis-server itself (it must pass 100% there).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READY_LINE = re.compile(rb"ready to accept connections on .*?:(\d+)")
TARGET_ENV = "DRAYMAN_TEST_TARGET"


def drayman_binary() -> str:
    path = os.environ.get("DRAYMAN_SERVER") or str(ROOT / "build" / "server" / "drayman-server")
    if not os.path.exists(path):
        raise FileNotFoundError(f"drayman-server not found at {path}; run `make build`")
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, deadline_s: float = 10.0) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port}")


class _Process:
    name = "server"

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.workdir = tempfile.mkdtemp(prefix=f"{self.name}-")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class DraymanProcess(_Process):
    name = "drayman"

    def __init__(self, *args: str, preexec_fn=None, port: int = 0) -> None:
        super().__init__()
        # Memory-only like the RedisProcess oracle (drayman-server logs by default); tests of the
        # append-only log pass --appendonly yes, which comes later and wins. `port` (0: any) lets
        # a restarted server come back where its clients reconnect.
        command = [drayman_binary(), "--bind", "127.0.0.1", "--port", str(port), "--dir",
                   self.workdir, "--appendonly", "no"]
        command += list(args)
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     preexec_fn=preexec_fn)
        assert self.proc.stdout is not None
        lines = []
        for _ in range(50):
            line = self.proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            match = READY_LINE.search(line)
            if match:
                self.port = int(match.group(1))
                break
        if not self.port:
            self.stop()
            raise RuntimeError(b"drayman-server did not start:\n" + b"".join(lines))
        # Keep draining output so the server never blocks on a full pipe.
        self._drain = subprocess.Popen(["cat"], stdin=self.proc.stdout, stdout=subprocess.DEVNULL)

    def stop(self) -> None:
        super().stop()
        drain = getattr(self, "_drain", None)
        if drain is not None:
            drain.wait(timeout=5)
            self._drain = None


class RedisProcess(_Process):
    name = "redis"

    def __init__(self, *args: str, preexec_fn=None, port: int = 0) -> None:
        super().__init__()
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = port or free_port()
        command = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                   "--appendonly", "no", "--dir", self.workdir, "--daemonize", "no"]
        command += list(args)
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     preexec_fn=preexec_fn)
        wait_for_port(self.port)


def target_name() -> str:
    """'drayman' (default) or 'redis': which server target_server() starts."""
    target = os.environ.get(TARGET_ENV, "drayman").strip().lower() or "drayman"
    if target not in ("drayman", "redis"):
        raise ValueError(f"{TARGET_ENV} must be 'drayman' or 'redis', not {target!r}")
    return target


def target_server(*args: str) -> _Process:
    """The server under test, started with redis.conf-style `args` (both servers share them)."""
    if target_name() == "redis":
        return RedisProcess(*args)
    return DraymanProcess(*args)


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name (field 2) may hold spaces; fields after it are space-separated.
        fields = stat.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def rss_bytes(pid: int) -> int:
    """Resident set size of a process, from /proc/<pid>/status (VmRSS)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")
