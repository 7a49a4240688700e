#!/usr/bin/env python3
"""Run a list of commands against Debian's redis-server 7.0 and print what its AOF recorded.

This is how the expected bytes in tests/broker/persistence/propagation_test.cc were obtained:
redis-server is the oracle for the propagation stream (the commands that replay a command's
effects), and its incremental AOF file is that stream as written to disk.

    python3 tools/redis_aof_oracle.py script.txt      # or the script on stdin
    python3 tools/redis_aof_oracle.py -c 'SET k v' -c 'EXPIRE k 100'

Script lines (shlex quoting, so "a b" is one argument):
    SET k v              run on the default client and wait for the reply
    @blocker BRPOP k 0 & run on client "blocker" and do not wait for the reply (blocking)
    !wait blocker        read the pending reply of client "blocker"
    !sleep 0.2           let time pass (expiry)
    # comment            ignored
After every line the bytes the AOF gained are printed next to the command, as a C++ string
literal (`--raw` prints them as written instead). redis-server runs on a free ephemeral port
(never 6379) with appendfsync always and no RDB preamble, in a temporary directory that is
removed afterwards, with DEBUG enabled (DEBUG SET-ACTIVE-EXPIRE 0 isolates lazy expiry).
"""

from __future__ import annotations

import argparse
import glob
import os
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time


def encode(args: list[str]) -> bytes:
    out = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


class Connection:
    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buffer = b""

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis-server closed the connection")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exact(self, size: int) -> bytes:
        while len(self.buffer) < size + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("redis-server closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:size], self.buffer[size + 2 :]
        return data

    def read_reply(self) -> bytes:
        """One RESP2 reply, re-encoded as received (for display)."""
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"$" and int(rest) >= 0:
            return line + b"\r\n" + self._exact(int(rest)) + b"\r\n"
        if kind == b"*" and int(rest) >= 0:
            return line + b"\r\n" + b"".join(self.read_reply() for _ in range(int(rest)))
        return line + b"\r\n"

    def send(self, args: list[str]) -> None:
        self.sock.sendall(encode(args))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cxx_literal(data: bytes) -> str:
    text = "".join(
        {"\r": "\\r", "\n": "\\n", '"': '\\"', "\\": "\\\\"}.get(chr(b), chr(b))
        if 32 <= b < 127 or b in (10, 13)
        else "\\x%02x" % b
        for b in data
    )
    return '"' + text + '"'


class RedisWithAof:
    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="redis-aof-oracle-")
        self.port = free_port()
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
             "--appendonly", "yes", "--aof-use-rdb-preamble", "no", "--appendfsync", "always",
             "--save", "", "--enable-debug-command", "yes", "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                Connection(self.port).sock.close()
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.02)

    def aof_bytes(self) -> bytes:
        files = glob.glob(os.path.join(self.dir, "appendonlydir", "*.incr.aof"))
        if not files:
            return b""
        with open(files[0], "rb") as f:
            return f.read()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        shutil.rmtree(self.dir, ignore_errors=True)


def run(lines: list[str], raw: bool) -> None:
    server = RedisWithAof()
    clients: dict[str, Connection] = {}
    try:
        written = server.aof_bytes()

        def client(name: str) -> Connection:
            if name not in clients:
                clients[name] = Connection(server.port)
            return clients[name]

        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            words = shlex.split(line)
            reply = b""
            if words[0] == "!sleep":
                time.sleep(float(words[1]))
            elif words[0] == "!wait":
                reply = client(words[1]).read_reply()
            else:
                name = "default"
                if words[0].startswith("@"):
                    name, words = words[0][1:], words[1:]
                wait = words[-1] != "&"
                if not wait:
                    words = words[:-1]
                client(name).send(words)
                if wait:
                    reply = client(name).read_reply()
            time.sleep(0.05)  # an unblocked client's effects are written in the same loop turn
            now = server.aof_bytes()
            delta, written = now[len(written):], now
            print(f"> {line}" + (f"   => {reply!r}" if reply else ""))
            if delta:
                if raw:
                    sys.stdout.write(delta.decode(errors="replace"))
                else:
                    print("  " + cxx_literal(delta))
        print("--- whole incremental AOF ---")
        print(written.decode(errors="replace") if raw else cxx_literal(written))
    finally:
        for connection in clients.values():
            connection.sock.close()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("script", nargs="?", help="file of commands (default: stdin)")
    parser.add_argument("-c", "--command", action="append", help="a script line (repeatable)")
    parser.add_argument("--raw", action="store_true", help="print AOF bytes as written")
    options = parser.parse_args()
    if options.command:
        lines = options.command
    elif options.script:
        with open(options.script) as f:
            lines = f.read().splitlines()
    else:
        lines = sys.stdin.read().splitlines()
    run(lines, options.raw)


if __name__ == "__main__":
    main()
