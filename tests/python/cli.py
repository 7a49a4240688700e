"""Drive Debian's real redis-cli (package redis-tools): one-shot runs and its interactive prompt.

run_cli() runs `redis-cli -p <port> ...` with stdout a pipe (redis-cli then prints raw replies
unless --no-raw). InteractiveCli runs redis-cli on a pseudo-terminal, so it behaves exactly as
for a person typing: it sends COMMAND DOCS at start-up (stdin is a TTY), shows hints through
linenoise, and formats replies for humans. type() sends one line and returns the text redis-cli
printed in reply, with terminal escape sequences and carriage returns removed.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import signal
import struct
import subprocess
import termios
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
PROMPT = re.compile(rb"(?:127\.0\.0\.1:\d+|not connected)(?:\[\d+\])?(?:\(TX\))?> $")


def redis_cli_binary() -> str:
    path = shutil.which("redis-cli")
    if path is None:
        raise FileNotFoundError("redis-cli (Debian package redis-tools) is required")
    return path


def run_cli(port: int, *args, timeout: float = 30.0, stdin: bytes | None = None):
    """`redis-cli -p port args...`; returns the CompletedProcess (stdout/stderr as bytes)."""
    command = [redis_cli_binary(), "-h", "127.0.0.1", "-p", str(port)] + [
        a if isinstance(a, (str, bytes)) else str(a) for a in args]
    env = dict(os.environ, REDISCLI_HISTFILE="/dev/null")
    env.pop("REDISCLI_AUTH", None)
    return subprocess.run(command, input=stdin if stdin is not None else b"",
                          capture_output=True, timeout=timeout, env=env)


def strip_terminal(data: bytes) -> bytes:
    return ANSI.sub(b"", data).replace(b"\r", b"")


class InteractiveCli:
    def __init__(self, port: int, *args: str, columns: int = 250, start_timeout: float = 15.0):
        master, slave = pty.openpty()
        # linenoise asks the terminal for its width; a zero-size pty would make it query the
        # cursor position and wait for an answer nobody sends.
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
        # No history file in the user's home.
        env = dict(os.environ, TERM="xterm", REDISCLI_HISTFILE="/dev/null")
        env.pop("REDISCLI_AUTH", None)
        self.master = master
        self.proc = subprocess.Popen(
            [redis_cli_binary(), "-h", "127.0.0.1", "-p", str(port), *args],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.transcript = b""
        self.startup = self._read_until_prompt(start_timeout, need_newline=False)

    def _read_chunk(self, wait: float) -> bytes:
        ready, _, _ = select.select([self.master], [], [], wait)
        if not ready:
            return b""
        try:
            data = os.read(self.master, 65536)
        except OSError:  # EIO: the other side closed (redis-cli exited)
            return b""
        self.transcript += data
        return data

    def _read_until_prompt(self, timeout: float, need_newline: bool = True) -> bytes:
        data = b""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            chunk = self._read_chunk(0.05)
            if chunk:
                data += chunk
                clean = strip_terminal(data)
                if (b"\n" in clean or not need_newline) and PROMPT.search(clean):
                    return clean
            elif self.proc.poll() is not None:
                raise RuntimeError(
                    f"redis-cli exited with {self.proc.returncode}: "
                    f"{strip_terminal(self.transcript).decode(errors='replace')}")
        raise TimeoutError(f"no prompt from redis-cli; output so far: {strip_terminal(data)!r}")

    def type(self, line: str, timeout: float = 15.0) -> str:
        """Types `line` and Enter; returns what redis-cli printed before the next prompt."""
        os.write(self.master, line.encode() + b"\r")
        clean = self._read_until_prompt(timeout)
        # Everything before the first newline is linenoise redrawing the line being typed.
        reply = clean.split(b"\n", 1)[1]
        reply = PROMPT.sub(b"", reply)
        return reply.decode(errors="replace")

    def quit(self, line: str = "quit", timeout: float = 10.0) -> int:
        """Types quit/exit (handled inside redis-cli) and returns its exit status."""
        os.write(self.master, line.encode() + b"\r")
        end = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < end:
            self._read_chunk(0.05)
        return self.proc.wait(timeout=1)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        os.close(self.master)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def run_on_pty(port: int, *args: str, seconds: float, stop_signal=signal.SIGINT):
    """Runs `redis-cli -p port args...` with stdout on a pseudo-terminal for `seconds`, then sends
    `stop_signal` (as Ctrl-C would). Modes such as --stat only flush their output to a terminal.
    Returns (exit status, stdout text without carriage returns, stderr bytes)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 250, 0, 0))
    env = dict(os.environ, TERM="xterm", REDISCLI_HISTFILE="/dev/null")
    env.pop("REDISCLI_AUTH", None)
    proc = subprocess.Popen(
        [redis_cli_binary(), "-h", "127.0.0.1", "-p", str(port), *args],
        stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.PIPE, env=env,
        start_new_session=True,
        # Ctrl-C's default action, as on a terminal: a test run started in the background
        # (`cmd &`) inherits SIGINT ignored, and --stat would never end.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    os.close(slave)
    output = b""

    def drain(until: float) -> None:
        nonlocal output
        while time.monotonic() < until:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if proc.poll() is not None:
                    return
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                return
            if not chunk:
                return
            output += chunk

    try:
        drain(time.monotonic() + seconds)
        if proc.poll() is None:
            proc.send_signal(stop_signal)
        status = proc.wait(timeout=10)
        drain(time.monotonic() + 0.2)
        stderr = proc.stderr.read()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()
        os.close(master)
    return status, strip_terminal(output).decode(errors="replace"), stderr
