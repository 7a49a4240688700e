"""Raw RESP over a socket: exact reply bytes, for comparing Drayman with redis-server byte for byte.

RawConnection sends commands (multibulk-encoded, or any bytes) and reads back exactly one whole
reply at a time as the bytes the server wrote, whatever the RESP2/RESP3 type. parse() turns those
bytes into a small tree (type byte, payload) for the few comparisons that must ignore element
order (SMEMBERS, KEYS, HGETALL ...).
"""

from __future__ import annotations

import socket
import time


def encode(*args) -> bytes:
    """A multibulk request; str arguments are UTF-8 encoded, ints and floats written as text."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        if isinstance(arg, str):
            arg = arg.encode()
        elif isinstance(arg, (int, float)):
            arg = repr(arg).encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
    return b"".join(parts)


# Aggregate types: how many child replies each header count stands for.
_AGGREGATES = {b"*": 1, b"~": 1, b">": 1, b"%": 2, b"|": 2}
_BLOBS = {b"$", b"=", b"!"}
_LINES = {b"+", b"-", b":", b",", b"#", b"(", b"_"}


class ConnectionClosed(Exception):
    pass


class RawConnection:
    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""

    def close(self) -> None:
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def command(self, *args) -> bytes:
        self.send(encode(*args))
        return self.read_reply()

    def _fill(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionClosed(self.buffer)
        self.buffer += data

    def _line_end(self, start: int) -> int:
        while True:
            end = self.buffer.find(b"\r\n", start)
            if end >= 0:
                return end
            self._fill()

    def _skip_reply(self, pos: int) -> int:
        """Returns the offset just past the reply starting at `pos`, reading as needed."""
        end = self._line_end(pos)
        kind = self.buffer[pos:pos + 1]
        if kind in _LINES:
            return end + 2
        if kind in _BLOBS:
            length = int(self.buffer[pos + 1:end])
            if length < 0:
                return end + 2
            stop = end + 2 + length + 2
            while len(self.buffer) < stop:
                self._fill()
            return stop
        if kind in _AGGREGATES:
            count = int(self.buffer[pos + 1:end])
            pos = end + 2
            for _ in range(max(count, 0) * _AGGREGATES[kind]):
                pos = self._skip_reply(pos)
            # An attribute annotates the reply that follows it: both belong together.
            return self._skip_reply(pos) if kind == b"|" else pos
        raise ValueError(f"not a RESP reply: {self.buffer[pos:pos + 40]!r}")

    def read_reply(self) -> bytes:
        """One whole reply, as raw bytes; an attribute (`|`) comes with the reply it precedes."""
        pos = self._skip_reply(0)
        reply, self.buffer = self.buffer[:pos], self.buffer[pos:]
        return reply

    def read_all(self, quiet_s: float = 0.3, limit_s: float = 10.0) -> tuple[bytes, bool]:
        """Everything the server sends until it closes (True) or stays quiet for quiet_s (False)."""
        data, self.buffer = self.buffer, b""
        end = time.monotonic() + limit_s
        self.sock.settimeout(quiet_s)
        try:
            while time.monotonic() < end:
                try:
                    chunk = self.sock.recv(65536)
                except socket.timeout:
                    return data, False
                except ConnectionResetError:
                    return data, True
                if not chunk:
                    return data, True
                data += chunk
            return data, False
        finally:
            self.sock.settimeout(10.0)


def parse(data: bytes):
    """A reply's bytes as (type byte, payload): payload is bytes for scalars, a list for aggregates
    (maps and attributes as a flat list of keys and values), None for nulls."""
    value, pos = _parse(data, 0)
    if pos != len(data):
        raise ValueError(f"trailing bytes after reply: {data[pos:pos + 40]!r}")
    return value


def _parse(data: bytes, pos: int):
    end = data.index(b"\r\n", pos)
    kind = data[pos:pos + 1]
    header = data[pos + 1:end]
    if kind in _LINES:
        return (kind, None if kind == b"_" else header), end + 2
    if kind in _BLOBS:
        length = int(header)
        if length < 0:
            return (kind, None), end + 2
        return (kind, data[end + 2:end + 2 + length]), end + 2 + length + 2
    if kind in _AGGREGATES:
        count = int(header)
        if count < 0:
            return (kind, None), end + 2
        items = []
        pos = end + 2
        for _ in range(count * _AGGREGATES[kind]):
            item, pos = _parse(data, pos)
            items.append(item)
        return (kind, items), pos
    raise ValueError(f"not a RESP reply: {data[pos:pos + 40]!r}")
