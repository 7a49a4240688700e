"""Real-world throughput: Drayman and Debian's redis-server side by side, under real clients.

Both servers run for the whole script (tests/python/servers.py starts them); every measure runs
against each in turn, the order alternating from one run to the next, and the table reports the
median of the runs and the ratio Drayman/Redis. Measures:

  celery      a real `celery worker` (the harness app, prefork pool, concurrency 2) with the server
              as broker and result backend: N `add` tasks sent one by one, every result waited
              for; tasks/s from the first send to the last result.
  layer       channels_redis's RedisChannelLayer in this process (asyncio): send-then-receive
              round trips on one channel, and group fan-out (group_send to a group of G
              channels, then a receive on each); deliveries/s.
  websocket   the example chat (examples/channels_chat) under one daphne process: C websocket
              clients in one room, K broadcasts (in bursts of W, each burst received by every
              client before the next); deliveries/s = messages received by all clients per s.
  startup     drayman.Server() to the first PING answered (the in-process package), and
              spawn-to-first-PING for the drayman-server binary and for redis-server.

Every run also records each server's CPU seconds (utime+stime from /proc/<pid>/stat), which is
steadier than wall time on a shared machine. Everything a run receives is checked (task results,
message contents, exactly-once fan-out); failures, timeouts and leftovers are listed at the end
as anomalies instead of stopping the script.

Run from the repository root with the project venv:

    DRAYMAN_SERVER=$PWD/build/server/drayman-server .venv/bin/python bench/realworld.py

`--quick` shrinks every measure for a smoke run; `--only celery,layer` picks sections.
This is a benchmark: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HARNESS = ROOT / "tests" / "python" / "harness"
CHAT = ROOT / "examples" / "channels_chat"
sys.path.insert(0, str(ROOT / "tests" / "python"))

from servers import (  # noqa: E402
    DraymanProcess,
    RedisProcess,
    drayman_binary,
    free_port,
    wait_for_port,
)

SERVERS = ("drayman", "redis")
CLK_TCK = os.sysconf("SC_CLK_TCK")
STALL_S = 1.0  # one operation slower than this is reported, whichever server it was


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


# ---------------------------------------------------------------------------------------------
# Bookkeeping


class Results:
    """Samples per (section, metric) and server, plus the anomalies seen on the way."""

    def __init__(self) -> None:
        self.samples: dict[tuple[str, str], dict[str, list[float]]] = {}
        self.order: list[tuple[str, str]] = []
        self.units: dict[tuple[str, str], str] = {}
        self.anomalies: list[str] = []
        self.notes: list[str] = []
        self.startup: dict[str, list[float]] = {}
        self.commands: dict[str, list] = {}

    def add(self, section: str, metric: str, unit: str, server: str, value: float) -> None:
        key = (section, metric)
        if key not in self.samples:
            self.samples[key] = {name: [] for name in SERVERS}
            self.order.append(key)
            self.units[key] = unit
        self.samples[key][server].append(value)

    def anomaly(self, text: str) -> None:
        self.anomalies.append(text)
        print(f"  !! {text}", flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", flush=True)

    def stalls(self, what: str, server: str, run: int, latencies: list[float]) -> None:
        """Single operations slower than STALL_S: a lost wake-up or a timeout shows up here."""
        slow = [x for x in latencies if x > STALL_S]
        if slow:
            self.anomaly(f"{what}/{server} run {run}: {len(slow)} operations over {STALL_S} s "
                         f"(slowest {max(slow):.2f} s)")


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def memory_kb(pid: int) -> dict[str, int]:
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
    return values


def orders(runs: int):
    """Alternate which server goes first: run 0 Drayman first, run 1 Redis first, ..."""
    for run in range(runs):
        yield run, (SERVERS if run % 2 == 0 else SERVERS[::-1])


def ping(port: int, timeout: float = 5.0) -> None:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(b"*1\r\n$4\r\nPING\r\n")
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = sock.recv(64)
            if not chunk:
                raise ConnectionError(f"connection closed after {reply!r}")
            reply += chunk
    if reply != b"+PONG\r\n":
        raise RuntimeError(f"PING answered {reply!r}")


class Child:
    """A client process (celery worker, daphne) in its own process group, logged to a file."""

    def __init__(self, command, env, cwd, log_path) -> None:
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.log.close()

    def output(self) -> str:
        return Path(self.log_path).read_text(errors="replace")


def log_problems(text: str) -> list[str]:
    """Lines of a client log that report a problem (tracebacks, errors, warnings)."""
    keys = ("Traceback", "Error", "ERROR", "CRITICAL", "WARNING", "over capacity")
    return [line for line in text.splitlines() if any(key in line for key in keys)]


def reset_stats(servers) -> None:
    import redis

    for server in servers.values():
        with redis.Redis(port=server.port) as client:
            client.config_resetstat()


def command_stats(server) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """INFO commandstats (calls, failed and rejected per command) and INFO errorstats."""
    import redis

    with redis.Redis(port=server.port) as client:
        commands = {name.removeprefix("cmdstat_"): {key: int(stat.get(key, 0)) for key in
                                                    ("calls", "failed_calls", "rejected_calls")}
                    for name, stat in client.info("commandstats").items()}
        errors = {name.removeprefix("errorstat_"): int(stat.get("count", 0))
                  for name, stat in client.info("errorstats").items()}
    for own in ("info", "config|resetstat"):  # the bench's own bookkeeping
        commands.pop(own, None)
    return commands, errors


def compare_stats(section: str, servers, results: Results) -> None:
    """Which commands the clients sent each server, and which failed: differences are anomalies
    when one server saw errors or a command the other never saw."""
    stats = {name: command_stats(server) for name, server in servers.items()
             if server.alive()}
    if len(stats) != 2:
        return
    (d_cmds, d_errs), (r_cmds, r_errs) = stats["drayman"], stats["redis"]
    rows = []
    for command in sorted(set(d_cmds) | set(r_cmds)):
        d = d_cmds.get(command, {"calls": 0, "failed_calls": 0, "rejected_calls": 0})
        r = r_cmds.get(command, {"calls": 0, "failed_calls": 0, "rejected_calls": 0})
        rows.append((command, d, r))
        only = None
        if d["calls"] and not r["calls"]:
            only = "drayman"
        elif r["calls"] and not d["calls"]:
            only = "redis"
        if only:
            results.note(f"{section}: {command} answered by {only} only "
                         f"(drayman {d['calls']}, redis {r['calls']} calls)")
        for key in ("failed_calls", "rejected_calls"):
            if d[key] == r[key]:
                continue
            text = f"{section}: {command} {key} drayman {d[key]}, redis {r[key]}"
            # A command both servers ran but only one failed is a difference clients see.
            if d["calls"] and r["calls"]:
                results.anomaly(text)
            else:
                results.note(text)
    if d_errs != r_errs:
        results.note(f"{section}: INFO errorstats differ: drayman {d_errs}, redis {r_errs}")
    results.commands[section] = rows


# ---------------------------------------------------------------------------------------------
# Celery


def celery_client(port: int):
    """A client app configured like the harness app (tests/python/harness/celery_app.py)."""
    from celery import Celery

    sys.path.insert(0, str(HARNESS))
    import celery_app  # the harness app: its configuration, without its connections

    app = Celery(f"bench-client-{port}", set_as_current=False)
    app.conf.update(dict(celery_app.app.conf.changes))
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    app.conf.result_backend = f"redis://127.0.0.1:{port}/1"
    return app


def send_and_wait(app, first: int, count: int, timeout: float):
    from celery.result import ResultSet

    start = time.perf_counter()
    results = [app.send_task("celery_app.add", args=(i, i)) for i in range(first, first + count)]
    sent = time.perf_counter()
    values = ResultSet(results, app=app).get(timeout=timeout)
    done = time.perf_counter()
    expected = [2 * i for i in range(first, first + count)]
    return start, sent, done, values == expected, values


def bench_celery(args, servers, results: Results, workdir: Path) -> None:
    import redis

    workers, apps = {}, {}
    try:
        for name, server in servers.items():
            env = dict(os.environ)
            env["DRAYMAN_URL"] = f"redis://127.0.0.1:{server.port}"
            env["PYTHONPATH"] = str(HARNESS) + os.pathsep + env.get("PYTHONPATH", "")
            command = [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P",
                       "prefork", "-c", "2", "-n", f"bench-{name}@realworld", "--without-gossip",
                       "--without-mingle", "--loglevel=WARNING"]
            workers[name] = Child(command, env, str(HARNESS), workdir / f"celery-{name}.log")
            apps[name] = celery_client(server.port)
        for name, app in apps.items():
            # Warm-up: the worker is up and every connection is open before timing.
            try:
                _, _, _, ok, _ = send_and_wait(app, 0, 50, timeout=120)
                if not ok:
                    results.anomaly(f"celery/{name}: wrong results in warm-up")
            except Exception as error:  # noqa: BLE001
                results.anomaly(f"celery/{name}: warm-up failed: {error!r}\n"
                                f"{workers[name].output()[-2000:]}")
                return
        for run, order in orders(args.runs):
            for name in order:
                server, app = servers[name], apps[name]
                cpu0 = cpu_seconds(server.pid)
                try:
                    start, sent, done, ok, values = send_and_wait(app, 1000 * (run + 1),
                                                                  args.tasks, timeout=300)
                except Exception as error:  # noqa: BLE001
                    results.anomaly(f"celery/{name} run {run}: {error!r}")
                    continue
                cpu = cpu_seconds(server.pid) - cpu0
                if not ok:
                    wrong = sum(1 for i, v in enumerate(values) if v != 2 * (1000 * (run + 1) + i))
                    results.anomaly(f"celery/{name} run {run}: {wrong} wrong results")
                rate = args.tasks / (done - start)
                results.add("celery", "tasks/s (send all, wait all)", "/s", name, rate)
                results.add("celery", "publish/s (send phase only)", "/s", name,
                            args.tasks / (sent - start))
                results.add("celery", "server CPU s per run", "s", name, cpu)
                print(f"  celery {name:8} run {run}: {rate:8.0f} tasks/s, "
                      f"send {sent - start:5.2f} s, total {done - start:5.2f} s, "
                      f"server CPU {cpu:5.2f} s", flush=True)
                # Leftovers: nothing queued, nothing unacked once the results are all in.
                client = redis.Redis(port=server.port, db=0)
                deadline = time.monotonic() + 10
                while True:
                    left = {"celery": client.llen("celery"), "unacked": client.hlen("unacked"),
                            "unacked_index": client.zcard("unacked_index")}
                    if not any(left.values()) or time.monotonic() > deadline:
                        break
                    time.sleep(0.1)
                if any(left.values()):
                    results.anomaly(f"celery/{name} run {run}: leftovers after the run {left}")
                redis.Redis(port=server.port, db=1).flushdb()
                client.close()
    finally:
        for app in apps.values():
            app.close()
        for name, worker in workers.items():
            alive = worker.alive()
            worker.stop()
            problems = log_problems(worker.output())
            if not alive:
                results.anomaly(f"celery/{name}: the worker died during the runs")
            if problems:
                results.anomaly(f"celery/{name}: worker log reports problems:\n    "
                                + "\n    ".join(problems[:10]))


# ---------------------------------------------------------------------------------------------
# channels_redis's RedisChannelLayer


async def layer_round_trips(port: int, count: int) -> tuple[float, list[float]]:
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[{"address": f"redis://127.0.0.1:{port}/3",
                                      "socket_timeout": None}])
    try:
        channel = await layer.new_channel()
        for n in range(50):  # warm-up: the pool's connection and the script cache
            await layer.send(channel, {"type": "bench.message", "n": n})
            await layer.receive(channel)
        latencies = []
        start = time.perf_counter()
        for n in range(count):
            began = time.perf_counter()
            await layer.send(channel, {"type": "bench.message", "n": n})
            message = await asyncio.wait_for(layer.receive(channel), 10)
            latencies.append(time.perf_counter() - began)
            if message["n"] != n:
                raise RuntimeError(f"round trip {n} received {message!r}")
        return time.perf_counter() - start, latencies
    finally:
        await layer.flush()
        await layer.close_pools()


async def layer_fan_out(port: int, size: int, sends: int) -> tuple[float, list[float]]:
    from channels_redis.core import RedisChannelLayer

    layer = RedisChannelLayer(hosts=[{"address": f"redis://127.0.0.1:{port}/3",
                                      "socket_timeout": None}])
    try:
        channels = [await layer.new_channel() for _ in range(size)]
        for channel in channels:
            await layer.group_add("bench-group", channel)

        async def one(k):
            await layer.group_send("bench-group", {"type": "bench.message", "k": k})
            for channel in channels:
                message = await asyncio.wait_for(layer.receive(channel), 10)
                if message["k"] != k:
                    raise RuntimeError(f"group send {k}: {channel} received {message!r}")

        for k in range(5):
            await one(-1 - k)  # warm-up
        latencies = []
        start = time.perf_counter()
        for k in range(sends):
            began = time.perf_counter()
            await one(k)
            latencies.append(time.perf_counter() - began)
        return time.perf_counter() - start, latencies
    finally:
        await layer.flush()
        await layer.close_pools()


def bench_layer(args, servers, results: Results, workdir: Path) -> None:
    for run, order in orders(args.runs):
        for name in order:
            server = servers[name]
            cpu0 = cpu_seconds(server.pid)
            try:
                elapsed, latencies = asyncio.run(layer_round_trips(server.port,
                                                                   args.round_trips))
            except Exception as error:  # noqa: BLE001
                results.anomaly(f"layer round trips/{name} run {run}: {error!r}")
            else:
                cpu = cpu_seconds(server.pid) - cpu0
                rate = args.round_trips / elapsed
                results.add("layer", "round trips/s (send, receive)", "/s", name, rate)
                results.add("layer", "round trip p99 ms", "ms", name,
                            percentile(latencies, 0.99) * 1000)
                results.add("layer", "round trips: server CPU s", "s", name, cpu)
                results.stalls("layer round trips", name, run, latencies)
                print(f"  layer  {name:8} run {run}: {rate:8.0f} round trips/s, "
                      f"server CPU {cpu:5.2f} s", flush=True)
            cpu0 = cpu_seconds(server.pid)
            try:
                elapsed, latencies = asyncio.run(layer_fan_out(server.port, args.group,
                                                               args.group_sends))
            except Exception as error:  # noqa: BLE001
                results.anomaly(f"layer fan-out/{name} run {run}: {error!r}")
            else:
                cpu = cpu_seconds(server.pid) - cpu0
                rate = args.group * args.group_sends / elapsed
                results.add("layer", f"group of {args.group}: deliveries/s", "/s", name, rate)
                results.add("layer", "group_send + all receives p99 ms", "ms", name,
                            percentile(latencies, 0.99) * 1000)
                results.add("layer", "group fan-out: server CPU s", "s", name, cpu)
                results.stalls("layer fan-out", name, run, latencies)
                print(f"  layer  {name:8} run {run}: {rate:8.0f} group deliveries/s, "
                      f"server CPU {cpu:5.2f} s", flush=True)


# ---------------------------------------------------------------------------------------------
# Websockets: the example chat under daphne


async def chat_run(port: int, room: str, clients: int, broadcasts: int, burst: int,
                   settle: float = 0.0):
    import websockets

    sockets = []
    try:
        for _ in range(clients):
            ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/chat/{room}/",
                                          max_queue=None)
            joined = json.loads(await asyncio.wait_for(ws.recv(), 30))
            if joined.get("type") != "joined":
                raise RuntimeError(f"first frame was {joined!r}")
            sockets.append(ws)
        if settle:
            await asyncio.sleep(settle)

        async def collect(ws, texts):
            got = []
            while len(got) < len(texts):
                event = json.loads(await asyncio.wait_for(ws.recv(), 30))
                got.append(event["text"])
            if sorted(got) != sorted(texts):
                raise RuntimeError(f"expected {sorted(texts)}, received {sorted(got)}")

        latencies = []
        start = time.perf_counter()
        for first in range(0, broadcasts, burst):
            began = time.perf_counter()
            texts = [f"{room}-{n}" for n in range(first, min(first + burst, broadcasts))]
            for i, text in enumerate(texts):
                await sockets[(first + i) % clients].send(text)
            await asyncio.gather(*(collect(ws, texts) for ws in sockets))
            latencies.append(time.perf_counter() - began)
        elapsed = time.perf_counter() - start

        # Exactly once: nothing more arrives on any socket.
        async def extra(ws):
            try:
                return await asyncio.wait_for(ws.recv(), 0.3)
            except asyncio.TimeoutError:
                return None

        extras = [frame for frame in await asyncio.gather(*(extra(ws) for ws in sockets))
                  if frame is not None]
        return elapsed, latencies, extras
    finally:
        for ws in sockets:
            await ws.close()


def bench_websocket(args, servers, results: Results, workdir: Path) -> None:
    for layer in [name.strip() for name in args.chat_layers.split(",") if name.strip()]:
        bench_chat(args, servers, results, workdir, layer)


def bench_chat(args, servers, results: Results, workdir: Path, layer: str) -> None:
    """The chat under one daphne per server, with channels_redis's `core` or `pubsub` layer."""
    section = "websocket" if layer == "core" else f"websocket ({layer} layer)"
    # The pubsub layer subscribes in the background: let the last joins settle before sending.
    settle = 0.5 if layer == "pubsub" else 0.0
    daphnes = {}
    try:
        for name, server in servers.items():
            port = free_port()
            env = dict(os.environ)
            env.update({"DRAYMAN_URL": f"redis://127.0.0.1:{server.port}/5", "CHAT_LAYER": layer,
                        "PYTHONPATH": str(CHAT)})
            command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                       "chatsite.asgi:application"]
            log = workdir / f"daphne-{layer}-{name}.log"
            daphnes[name] = (Child(command, env, str(CHAT), log), port)
        for name, (daphne, port) in daphnes.items():
            wait_for_port(port, 60)
            try:  # warm-up: Django loaded, the layer's connections open
                asyncio.run(chat_run(port, "warm", 5, 5, 5, settle))
            except Exception as error:  # noqa: BLE001
                results.anomaly(f"{section}/{name}: warm-up failed: {error!r}")
        for run, order in orders(args.runs):
            for name in order:
                server = servers[name]
                daphne, port = daphnes[name]
                cpu0, dcpu0 = cpu_seconds(server.pid), cpu_seconds(daphne.proc.pid)
                try:
                    elapsed, latencies, extras = asyncio.run(chat_run(
                        port, f"room{run}", args.clients, args.broadcasts, args.burst, settle))
                except Exception as error:  # noqa: BLE001
                    results.anomaly(f"{section}/{name} run {run}: {error!r}")
                    continue
                cpu = cpu_seconds(server.pid) - cpu0
                dcpu = cpu_seconds(daphne.proc.pid) - dcpu0
                if extras:
                    results.anomaly(f"{section}/{name} run {run}: {len(extras)} extra frames, "
                                    f"e.g. {extras[0]!r}")
                rate = args.clients * args.broadcasts / elapsed
                results.add(section, f"{args.clients} clients: deliveries/s", "/s", name, rate)
                results.add(section, f"burst of {args.burst} to all clients p99 ms", "ms", name,
                            percentile(latencies, 0.99) * 1000)
                results.add(section, "server CPU s per run", "s", name, cpu)
                results.add(section, "daphne CPU s per run", "s", name, dcpu)
                results.stalls(f"{section} burst", name, run, latencies)
                print(f"  ws {layer:6} {name:8} run {run}: {rate:8.0f} deliveries/s, "
                      f"server CPU {cpu:5.2f} s, daphne CPU {dcpu:5.2f} s", flush=True)
    finally:
        for name, (daphne, _) in daphnes.items():
            alive = daphne.alive()
            daphne.stop()
            problems = log_problems(daphne.output())
            if not alive:
                results.anomaly(f"{section}/{name}: daphne died during the runs")
            if problems:
                results.anomaly(f"{section}/{name}: daphne log reports problems:\n    "
                                + "\n    ".join(problems[:10]))


# ---------------------------------------------------------------------------------------------
# Start-up: to the first PING answered


def wait_for_pong(port: int, proc: subprocess.Popen | None, deadline_s: float = 10.0) -> None:
    end = time.monotonic() + deadline_s
    while True:
        try:
            ping(port)
            return
        except (ConnectionRefusedError, ConnectionResetError):
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"exited with {proc.returncode} before answering PING")
            if time.monotonic() > end:
                raise TimeoutError(f"no PONG on port {port}")
            time.sleep(0.0005)


def spawn_to_pong(command_for_port) -> float:
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="bench-startup-")
    try:
        start = time.perf_counter()
        proc = subprocess.Popen(command_for_port(port, workdir), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            wait_for_pong(port, proc)
            return time.perf_counter() - start
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def bench_startup(args, servers, results: Results, workdir: Path) -> None:
    binary = drayman_binary()
    redis_binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    try:
        import drayman
    except ImportError as error:
        drayman = None
        results.anomaly(f"startup: cannot import drayman ({error}); the embedded row is empty")

    def embedded() -> float:
        start = time.perf_counter()
        server = drayman.Server()
        try:
            ping(server.port)
            return time.perf_counter() - start
        finally:
            server.stop()

    kinds = {
        "drayman.Server() in-process": embedded if drayman else None,
        "drayman-server binary": lambda: spawn_to_pong(lambda port, d: [
            binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", d]),
        "redis-server binary": lambda: spawn_to_pong(lambda port, d: [
            redis_binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
            "--appendonly", "no", "--dir", d]),
    }
    samples: dict[str, list[float]] = {kind: [] for kind in kinds}
    for start in range(args.starts):
        names = list(kinds)
        names = names[start % len(names):] + names[:start % len(names)]
        for kind in names:
            if kinds[kind] is None:
                continue
            try:
                samples[kind].append(kinds[kind]())
            except Exception as error:  # noqa: BLE001
                results.anomaly(f"startup/{kind} start {start}: {error!r}")
    for kind, values in samples.items():
        if values:
            print(f"  start  {kind:28}: median {statistics.median(values) * 1000:7.2f} ms "
                  f"(min {min(values) * 1000:.2f}, max {max(values) * 1000:.2f}, "
                  f"n={len(values)})", flush=True)
    results.startup = samples


# ---------------------------------------------------------------------------------------------
# Report


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f}"
    if unit == "ms":
        return f"{value:.1f}"
    return f"{value:,.0f}"


def cell(values: list[float], unit: str) -> str:
    if not values:
        return "n/a"
    median = fmt(statistics.median(values), unit)
    if len(values) == 1:
        return median
    return f"{median} ({fmt(min(values), unit)}–{fmt(max(values), unit)})"


def report(args, results: Results, environment: list[str], memory: dict) -> str:
    lines = ["## Results", ""]
    lines += environment + [""]
    lines += ["Median of the runs (min–max in brackets). Throughput (/s): a ratio above 1 means "
              "Drayman is faster. Latency (ms) and CPU seconds: a ratio below 1 means Drayman "
              "took less time or less CPU for the same work.", ""]
    lines += ["| Section | Measure | Drayman | redis-server | Drayman/Redis |",
              "|---|---|---:|---:|---:|"]
    for key in results.order:
        section, metric = key
        unit = results.units[key]
        values = results.samples[key]
        ratio = "n/a"
        floor = 0.05 if unit == "s" else 0.0  # CPU ticks are 10 ms: tiny totals give no ratio
        if (values["drayman"] and values["redis"]
                and min(statistics.median(values["drayman"]),
                        statistics.median(values["redis"])) > floor):
            ratio = statistics.median(values["drayman"]) / statistics.median(values["redis"])
            ratio = f"{ratio:.2f}"
        lines.append(f"| {section} | {metric} | {cell(values['drayman'], unit)} | "
                     f"{cell(values['redis'], unit)} | {ratio} |")
    startup = results.startup
    if startup:
        lines += ["", "Start-up, to the first PING answered (milliseconds, median of "
                  f"{args.starts} starts; min–max in brackets):", "",
                  "| Start | median ms | min–max ms |", "|---|---:|---:|"]
        for kind, values in startup.items():
            if values:
                lines.append(f"| {kind} | {statistics.median(values) * 1000:.2f} | "
                             f"{min(values) * 1000:.2f}–{max(values) * 1000:.2f} |")
        embedded = startup.get("drayman.Server() in-process")
        binary_redis = startup.get("redis-server binary")
        binary_drayman = startup.get("drayman-server binary")
        if binary_redis:
            lines.append("")
            redis_ms = statistics.median(binary_redis)
            for label, values in (("drayman-server", binary_drayman),
                                  ("drayman.Server()", embedded)):
                if values:
                    lines.append(f"{label}/redis-server spawn-to-PING ratio: "
                                 f"{statistics.median(values) / redis_ms:.2f}")
    if memory:
        lines += ["", "Server memory at the end of the run (kB): "
                  + "; ".join(f"{name} RSS {m.get('VmRSS', 0):,}, peak {m.get('VmHWM', 0):,}"
                              for name, m in memory.items())]
    if results.commands:
        lines += ["", "Commands the clients sent, per section (INFO commandstats, all runs and "
                  "warm-ups; calls drayman / redis, failed calls in brackets when any):", "",
                  "| Section | Command | Drayman calls | Redis calls |", "|---|---|---:|---:|"]
        for section, rows in results.commands.items():
            for command, d, r in rows:
                def calls(stat):
                    failed = stat["failed_calls"] + stat["rejected_calls"]
                    return f"{stat['calls']:,}" + (f" ({failed:,} failed)" if failed else "")
                escaped = command.replace("|", "\\|")  # client|setinfo inside a table cell
                lines.append(f"| {section} | {escaped} | {calls(d)} | {calls(r)} |")
    lines += ["", "Differences in INFO statistics (not errors clients saw): "
              + ("none" if not results.notes else "")]
    lines += [f"- {text}" for text in results.notes]
    lines += ["", "Anomalies: " + ("none" if not results.anomalies else "")]
    for text in results.anomalies:
        lines.append(f"- {text}")
    return "\n".join(lines)


def environment_lines(servers) -> list[str]:
    redis_version = subprocess.run(["redis-server", "--version"], capture_output=True,
                                   text=True).stdout.strip()
    revision = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
    import celery
    import channels_redis
    import daphne
    import redis

    return [f"- {time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, {os.cpu_count()} CPUs, "
            f"Python {platform.python_version()}, load average at start "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}",
            f"- Drayman {drayman_binary()} (checkout {revision}); {redis_version}",
            f"- celery {celery.__version__}, redis-py {redis.__version__}, channels_redis "
            f"{channels_redis.__version__}, daphne {daphne.__version__}"]


SECTIONS = {"startup": bench_startup, "layer": bench_layer, "websocket": bench_websocket,
            "celery": bench_celery}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per server and measure")
    parser.add_argument("--tasks", type=int, default=5000, help="celery tasks per run")
    parser.add_argument("--round-trips", type=int, default=5000, help="layer round trips per run")
    parser.add_argument("--group", type=int, default=50, help="channels in the layer's group")
    parser.add_argument("--group-sends", type=int, default=1000, help="group_send calls per run")
    parser.add_argument("--clients", type=int, default=50, help="websocket clients in the room")
    parser.add_argument("--broadcasts", type=int, default=600, help="chat messages per run")
    parser.add_argument("--burst", type=int, default=10, help="chat messages in flight at once")
    parser.add_argument("--chat-layers", default="core,pubsub",
                        help="channels_redis layers the chat runs on (core, pubsub)")
    parser.add_argument("--starts", type=int, default=20, help="start-ups per kind")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run: a smoke test")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.tasks, args.round_trips, args.group_sends = 1, 300, 300, 20
        args.broadcasts, args.starts = 20, 3
    wanted = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; known: {', '.join(SECTIONS)}")

    results = Results()
    workdir = Path(tempfile.mkdtemp(prefix="bench-realworld-"))
    began = time.monotonic()
    with DraymanProcess() as drayman_server, RedisProcess() as redis_server:
        servers = {"drayman": drayman_server, "redis": redis_server}
        environment = environment_lines(servers)
        print("\n".join(environment), flush=True)
        for name in SECTIONS:
            if name not in wanted:
                continue
            print(f"# {name}", flush=True)
            section_began = time.monotonic()
            try:
                reset_stats(servers)
                SECTIONS[name](args, servers, results, workdir)
                if name != "startup":  # start-up runs servers of its own
                    compare_stats(name, servers, results)
            except Exception:  # noqa: BLE001
                results.anomaly(f"{name}: the section failed:\n{traceback.format_exc()}")
            print(f"  ({time.monotonic() - section_began:.0f} s)", flush=True)
            for server_name, server in servers.items():
                if not server.alive():
                    results.anomaly(f"{server_name} exited during the {name} section")
        memory = {name: memory_kb(server.pid) for name, server in servers.items()
                  if server.alive()}
    environment.append(f"- load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
                       f"; whole script {time.monotonic() - began:.0f} s")
    if results.anomalies:
        print(f"client logs kept in {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    print()
    print(report(args, results, environment, memory))
    return 1 if results.anomalies else 0


if __name__ == "__main__":
    sys.exit(main())
