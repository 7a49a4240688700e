"""Crash cycles against the append-only log: write, SIGKILL, restart, check.

Several client threads each own a few keys (a list grown with RPUSH and LPUSH, a hash, a sorted
set) and send one write at a time, recording every write the server acknowledged and the one
it had not answered yet when the server died. After SIGKILL and a restart on the same directory
the dataset must hold, per client, exactly its acknowledged writes in order, plus possibly the
unanswered one, and nothing else. With appendfsync always nothing acknowledged may be missing;
with everysec a lost suffix of acknowledged writes is allowed and counted.

Used by tests/python/test_aof.py (a few cycles) and bench/aof_crash.py (hundreds).
"""

from __future__ import annotations

import random
from collections import deque
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass, field

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from servers import DraymanProcess


@dataclass
class ClientModel:
    index: int
    acked: list = field(default_factory=list)  # ops the server acknowledged, in order
    inflight: tuple | None = None  # the op sent and not answered when the server died
    seq: int = 0

    def keys(self):
        i = self.index
        return f"list:{i}", f"hash:{i}", f"zset:{i}"

    def next_op(self, rng: random.Random) -> tuple:
        self.seq += 1
        kind = rng.choice(("rpush", "lpush", "hset", "zadd"))
        return (kind, self.seq)

    def send(self, conn: redis.Redis, op: tuple) -> None:
        kind, seq = op
        lst, hsh, zst = self.keys()
        value = f"{self.index}:{seq}"
        if kind == "rpush":
            conn.rpush(lst, value)
        elif kind == "lpush":
            conn.lpush(lst, value)
        elif kind == "hset":
            conn.hset(hsh, f"f{seq}", value)
        else:
            conn.zadd(zst, {value: seq})

    @staticmethod
    def state_of(ops: list) -> tuple:
        lst: deque = deque()
        hsh: dict = {}
        zst: dict = {}
        for kind, seq in ops:
            if kind == "rpush":
                lst.append(seq)
            elif kind == "lpush":
                lst.appendleft(seq)
            elif kind == "hset":
                hsh[f"f{seq}"] = seq
            else:
                zst[seq] = seq
        return list(lst), hsh, zst

    def read_state(self, conn: redis.Redis) -> tuple:
        lst, hsh, zst = self.keys()
        seq_of = lambda v: int(v.decode().split(":")[1])  # noqa: E731
        got_list = [seq_of(v) for v in conn.lrange(lst, 0, -1)]
        got_hash = {k.decode(): seq_of(v) for k, v in conn.hgetall(hsh).items()}
        got_zset = {seq_of(m): int(s) for m, s in conn.zrange(zst, 0, -1, withscores=True)}
        return got_list, got_hash, got_zset


class CrashHarness:
    def __init__(self, fsync: str, clients: int = 4, seed: int | None = None,
                 extra_args: tuple = ()) -> None:
        self.fsync = fsync
        self.dir = tempfile.mkdtemp(prefix="drayman-aof-crash-")
        self.models = [ClientModel(i) for i in range(clients)]
        self.rng = random.Random(seed)
        self.extra_args = extra_args
        self.server: DraymanProcess | None = None
        self.lost_per_crash: list[int] = []
        self.acked_total = 0

    def close(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self) -> redis.Redis:
        self.server = DraymanProcess("--appendonly", "yes", "--appendfsync", self.fsync,
                                     "--dir", self.dir, *self.extra_args)
        conn = redis.Redis(port=self.server.port)
        deadline = time.monotonic() + 60
        while True:  # the log loads in the loop: LOADING until it is done
            try:
                conn.ping()
                return conn
            except redis.exceptions.BusyLoadingError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def kill(self) -> None:
        assert self.server is not None
        self.server.proc.send_signal(signal.SIGKILL)
        self.server.proc.wait()
        self.server.stop()
        self.server = None

    def write_until_killed(self, duration_s: float) -> None:
        port = self.server.port
        stop = threading.Event()

        def run(model: ClientModel, rng: random.Random) -> None:
            # No retries: a write re-sent after a reconnect would muddle what was acknowledged.
            conn = redis.Redis(port=port, socket_timeout=10, retry=Retry(NoBackoff(), 0))
            while not stop.is_set() or model.inflight is not None:
                op = model.inflight or model.next_op(rng)
                model.inflight = op
                try:
                    model.send(conn, op)
                except (redis.exceptions.ConnectionError, OSError):
                    return  # the server died with `op` unanswered
                model.acked.append(op)
                model.inflight = None
                if stop.is_set():
                    return

        threads = [threading.Thread(target=run, args=(m, random.Random(self.rng.random())))
                   for m in self.models]
        for thread in threads:
            thread.start()
        time.sleep(duration_s)
        self.kill()  # SIGKILL while the clients are writing
        stop.set()
        for thread in threads:
            thread.join()

    def check(self, conn: redis.Redis, allow_loss: bool) -> None:
        """Compares the restarted dataset with each client's history; raises on a violation."""
        lost = 0
        for model in self.models:
            got = model.read_state(conn)
            candidates = [model.acked, model.acked + ([model.inflight] if model.inflight else [])]
            matched = None
            for ops in candidates[::-1]:
                if ModelState(ops) == got:
                    matched = ops
                    break
            if matched is None and allow_loss:
                # everysec: the log may have lost a suffix of acknowledged writes.
                # Every write adds one element, so the dataset's size says which prefix it is.
                cut = sum(len(part) for part in got)
                if cut <= len(model.acked) and ModelState(model.acked[:cut]) == got:
                    matched = model.acked[:cut]
                    lost += len(model.acked) - cut
            if matched is None:
                raise AssertionError(
                    f"client {model.index}: dataset after restart matches neither its "
                    f"{len(model.acked)} acknowledged writes (+ in-flight {model.inflight}) "
                    f"nor a prefix of them; got list={got[0][-5:]}...")
            model.acked = list(matched)
            model.inflight = None
        self.lost_per_crash.append(lost)

    def cycle(self, duration_s: float, allow_loss: bool) -> None:
        if self.server is None:
            self.start()
        self.write_until_killed(duration_s)
        conn = self.start()
        self.check(conn, allow_loss)
        conn.close()


def ModelState(ops: list) -> tuple:  # noqa: N802 (reads as a value)
    return ClientModel.state_of(ops)
