"""Key-table growth and shrink stalls: Drayman against redis-server 7.0.15, in one run.

For each server in turn: load N distinct keys (`SET key:<i> v`, pipelined in batches of 1,000
over one raw socket) while a probe process sends PING every millisecond and records each round
trip; then delete all but N/50 of them (pipelined DEL, same batches) with the probe still running.
The hash table of keys doubles at every power of two (1,048,576, 2,097,152, 4,194,304 keys) and
shrinks as the deletes thin it out; a table that rehashes all at once freezes the loop there.
Reported per server: the longest PING round trip during the load, the longest within +-5% of each
doubling, the longest during the deletes, and the load/delete wall time. The baseline round trip
includes waiting behind the batch in flight (about 1,000 commands), for both servers alike.

Run from the repository root:

    DRAYMAN_SERVER=$PWD/build/server/drayman-server .venv/bin/python bench/rehash_stall.py \\
        [--keys 5000000] [--rounds 1] [--baseline /path/to/older/drayman-server]

`--baseline` adds an older drayman-server binary as a third column (e.g. one built from main
before incremental rehashing). A benchmark: nothing here asserts a figure.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))
from servers import DraymanProcess, RedisProcess  # noqa: E402

BATCH = 1000
DOUBLINGS = [1 << 20, 1 << 21, 1 << 22]


def probe_main(port: int, stop, out) -> None:
    """PING every millisecond until `stop`; sends back [(monotonic send time, round trip s)]."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    samples = []
    next_at = time.monotonic()
    while not stop.is_set():
        now = time.monotonic()
        if now < next_at:
            time.sleep(next_at - now)
        start = time.monotonic()
        sock.sendall(b"*1\r\n$4\r\nPING\r\n")
        got = b""
        while not got.endswith(b"\r\n"):
            got += sock.recv(64)
        samples.append((start, time.monotonic() - start))
        next_at = start + 0.001
    sock.close()
    out.send(samples)


def run_batches(sock: socket.socket, command, first: int, last: int, reply_len: int,
                progress: list) -> None:
    """Sends command(i) for i in [first, last) in pipelined batches, each reply `reply_len` bytes;
    logs (time, i) after each batch."""
    for start in range(first, last, BATCH):
        end = min(start + BATCH, last)
        sock.sendall(b"".join(command(i) for i in range(start, end)))
        expected = reply_len * (end - start)
        got = 0
        while got < expected:
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("server closed the connection")
            got += len(chunk)
        progress.append((time.monotonic(), end))


def keys_at(progress: list, t: float) -> int:
    """Keys loaded (or left) at time t, from the batch log."""
    lo, hi = 0, len(progress)
    while lo < hi:
        mid = (lo + hi) // 2
        if progress[mid][0] < t:
            lo = mid + 1
        else:
            hi = mid
    return progress[lo][1] if lo < len(progress) else progress[-1][1]


def measure(server, keys: int) -> dict:
    stop = multiprocessing.Event()
    receiver, sender = multiprocessing.Pipe(duplex=False)
    probe = multiprocessing.Process(target=probe_main, args=(server.port, stop, sender))
    probe.start()
    sock = socket.create_connection(("127.0.0.1", server.port))
    time.sleep(0.5)
    load_log: list = []

    def set_command(i: int) -> bytes:
        key = b"key:%d" % i
        return b"*3\r\n$3\r\nSET\r\n$%d\r\n%b\r\n$1\r\nv\r\n" % (len(key), key)

    def del_command(i: int) -> bytes:
        key = b"key:%d" % i
        return b"*2\r\n$3\r\nDEL\r\n$%d\r\n%b\r\n" % (len(key), key)

    t0 = time.monotonic()
    run_batches(sock, set_command, 0, keys, 5, load_log)  # "+OK\r\n" each
    load_end = time.monotonic()
    load_s = load_end - t0
    time.sleep(0.5)
    delete_log: list = []
    left = keys // 50
    delete_start = time.monotonic()
    run_batches(sock, del_command, left, keys, 4, delete_log)  # ":1\r\n" each
    delete_end = time.monotonic()
    time.sleep(0.5)  # a shrink still going on after the last DEL
    stop.set()
    samples = receiver.recv()
    probe.join()
    sock.close()

    def longest(in_window) -> tuple[float, int]:
        worst, where = 0.0, 0
        for sent, rtt in samples:
            if in_window(sent) and rtt > worst:
                worst, where = rtt, sent
        return worst, where

    result = {"load_s": load_s, "delete_s": delete_end - delete_start, "pings": len(samples)}
    worst, at = longest(lambda s: t0 <= s <= load_end)
    result["load_max_ms"] = worst * 1000
    result["load_max_at_keys"] = keys_at(load_log, at) if at else 0
    for mark in DOUBLINGS:
        if mark > keys:
            continue
        worst, _ = longest(lambda s: abs(keys_at(load_log, s) - mark) <= mark * 0.05
                           and t0 <= s <= load_end)
        result[f"at_{mark}_ms"] = worst * 1000
    worst, at = longest(lambda s: delete_start <= s <= delete_end + 0.5)
    result["delete_max_ms"] = worst * 1000
    # Keys left when the longest delete-phase PING was sent (-1: after the last DEL).
    result["delete_max_at_keys"] = (keys - keys_at(delete_log, at) + left
                                    if at and at <= delete_end else -1)
    rtts = sorted(rtt for sent, rtt in samples if t0 <= sent <= load_end)
    result["load_p50_ms"] = rtts[len(rtts) // 2] * 1000 if rtts else 0.0
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=5_000_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--baseline", help="an older drayman-server binary to run as well")
    args = parser.parse_args()
    current = os.environ.get("DRAYMAN_SERVER") or str(ROOT / "build" / "server" / "drayman-server")
    servers = [("redis-server", lambda: RedisProcess()),
               ("drayman", lambda: DraymanProcess())]
    if args.baseline:
        def baseline():
            os.environ["DRAYMAN_SERVER"] = args.baseline
            try:
                return DraymanProcess()
            finally:
                os.environ["DRAYMAN_SERVER"] = current
        servers.append(("drayman (baseline)", baseline))
    results: dict[str, list[dict]] = {name: [] for name, _ in servers}
    for round_index in range(args.rounds):
        for name, start in servers:
            server = start()
            try:
                result = measure(server, args.keys)
            finally:
                server.stop()
            results[name].append(result)
            print(f"round {round_index + 1} {name}: " +
                  ", ".join(f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}"
                            for k, v in result.items()), flush=True)
    print()
    marks = [m for m in DOUBLINGS if m <= args.keys]
    header = (["server", "load max (ms)", "at keys"] + [f"at {m:,} (ms)" for m in marks] +
              ["deletes max (ms)", "load p50 (ms)", "load (s)", "deletes (s)"])
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, _ in servers:
        for r in results[name]:
            row = [name, f"{r['load_max_ms']:.1f}", f"{r['load_max_at_keys']:,}"]
            row += [f"{r[f'at_{m}_ms']:.1f}" for m in marks]
            row += [f"{r['delete_max_ms']:.1f}", f"{r['load_p50_ms']:.2f}", f"{r['load_s']:.1f}",
                    f"{r['delete_s']:.1f}"]
            print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
