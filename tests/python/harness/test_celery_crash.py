"""A real Celery worker keeps every task while its broker is SIGKILLed and restarted.

A prefork worker (concurrency 2) works through 2,000 small tasks while the server under test
(the real binary, appendonly yes, appendfsync always) is killed with SIGKILL twice mid-run and
started again on the same port and data directory. Every task's result must arrive: the queued
messages come back from the log, and what the worker had taken but not acknowledged (kombu's
`unacked` hash, restored once it passes the visibility timeout) runs again. With acks_late a task
may run more than once, so the test checks results, not exactly-once execution.

The worker is frozen (SIGSTOP) for the kill, and the kill waits until the server has answered
every command the worker sent. Without that, a kill can land while a BRPOP that took a message
is logged but not yet answered: kombu's Redis transport pops the message first and records it in
`unacked` with a second command, so a pop whose reply never arrives loses that message on any
server (redis-server 7.0 writes and fsyncs its log before replying too, with the same window).
Such a loss is kombu's at-most-once gap, not the broker's; the frozen worker still holds messages
it took, tasks half run and results not yet stored, which meet a dead connection when it resumes.

Waiting for the server's answers does not close that gap: the worker can be frozen after a BRPOP's
answer reached it and before its HSET. So a missing result is accepted only with the gap's exact
signature in the server's own log: the task's message was the last one popped before a kill's
settle marker, and no `HSET unacked` for its delivery tag ever followed. Anything else fails.

Two client behaviours are configured away rather than accepted (celery_app.py says more):
- A frozen pool process can hold a connection it took from its pool (checked alive then) without
  having sent its result's GET yet. Resumed, the GET meets the closed socket, and Celery's default
  records the task as FAILURE (ConnectionError): CI saw it once, and nine kills a run show it at
  once. The harness app sets result_backend_always_retry, so the store is tried again.
- kombu 5.7 can crash the worker when its remote-control (pidbox) connection notices the restart
  first; this worker runs without remote control.

A failure names what the server's log and the worker's log say of each missing task. For a
harder run, HARNESS_CRASH_KILLS=9 kills nine times, every 200 results.

Each task sleeps 20 ms (ADD_DELAY_MS), so the kills land mid-run even on a loaded machine.
Run time: about 25-30 s per case on the shared 2-core machine, under load too.
"""

from __future__ import annotations

import json
import os
import signal
import sys

import pytest

from broker_restarts import RestartableBroker
from conftest import HERE, ManagedProcess, wait_until

pytestmark = pytest.mark.timeout(240)

TASKS = 2000
# Kill when this many results are stored: mid-run, twice (or HARNESS_CRASH_KILLS times).
KILL_AT_RESULTS = tuple(range(100, 100 + 200 * int(os.environ["HARNESS_CRASH_KILLS"]), 200)) \
    if os.environ.get("HARNESS_CRASH_KILLS") else (500, 1200)
VISIBILITY_TIMEOUT_S = 3  # how long an orphaned unacked message waits before it is restored
# Each task sleeps this long, so 2,000 take at least 20 s on two pool processes and hundreds are
# still queued at each kill even when the test process is starved of CPU for seconds. With tasks
# that took no time, a machine under load (two fuzzers and a build beside the test) let the worker
# finish every task between the result count the test waited for and its SIGSTOP.
ADD_DELAY_MS = 20


def start_worker(port: int, log_path: str, acks_late: bool) -> ManagedProcess:
    env = dict(os.environ)
    env.update({"DRAYMAN_URL": f"redis://127.0.0.1:{port}",
                "PYTHONPATH": str(HERE) + os.pathsep + env.get("PYTHONPATH", ""),
                "HARNESS_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT_S),
                "HARNESS_REMOTE_CONTROL": "0",  # see celery_app.py
                "HARNESS_ADD_DELAY_MS": str(ADD_DELAY_MS),
                "HARNESS_ACKS_LATE": "1" if acks_late else "0"})
    command = [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P", "prefork",
               "-c", "2", "-n", "crash@harness", "--without-gossip", "--without-mingle",
               "--without-heartbeat", "--loglevel=INFO"]
    return ManagedProcess(command, env=env, cwd=str(HERE), log_path=log_path)


def publish(port: int, count: int) -> list[str]:
    """Queues `count` add(i, i) tasks through Celery's own producer; returns their ids."""
    from celery import Celery

    app = Celery("publisher", broker=f"redis://127.0.0.1:{port}/0",
                 backend=f"redis://127.0.0.1:{port}/1")
    app.conf.broker_transport_options = {"queue_order_strategy": "priority"}
    app.conf.task_default_priority = 5
    try:
        with app.producer_or_acquire() as producer:
            return [app.send_task("celery_app.add", (i, i), producer=producer).id
                    for i in range(count)]
    finally:
        app.close()


def settle(broker) -> None:
    """Until the server has answered everything other clients sent (and logged what it did):
    nothing waits in any client's query buffer or output (replies held for the log's fsync)."""
    probe = broker.client()

    def quiet():
        probe.incr("harness:settle")  # answered only once the log is durable up to here
        others = [line for line in probe.client_list() if line["name"] != "settle"]
        return all(int(c["qbuf"]) == 0 and int(c["omem"]) == 0 for c in others)

    try:
        probe.client_setname("settle")
        wait_until(quiet, timeout=30, interval=0.01, message="the server to answer every client")
    finally:
        probe.close()


def queued(conn) -> int:
    """Messages waiting in Celery's queue (kombu keeps one list per priority step)."""
    return sum(conn.llen(key) for key in conn.scan_iter(match="celery*")
               if conn.type(key) == b"list")


def read_log_commands(data_dir: str) -> list[list[bytes]]:
    """Every command in the append-only log's incremental files, in the manifest's order."""
    log_dir = os.path.join(data_dir, "appendonlydir")
    names = []
    with open(os.path.join(log_dir, "appendonly.aof.manifest"), "rb") as manifest:
        for line in manifest.read().decode().splitlines():
            fields = line.split()
            entry = dict(zip(fields[0::2], fields[1::2]))
            if entry.get("type") == "i":
                names.append((int(entry["seq"]), entry["file"]))
            elif entry.get("type") == "b":
                # This test never rewrites the log: the base is the empty snapshot written at start.
                assert os.path.getsize(os.path.join(log_dir, entry["file"])) < 200, entry
    commands = []
    for _, name in sorted(names):
        with open(os.path.join(log_dir, name), "rb") as log:
            data = log.read()
        at = 0
        while at < len(data):
            end = data.index(b"\r\n", at)
            count, at, args = int(data[at + 1:end]), end + 2, []
            for _ in range(count):
                end = data.index(b"\r\n", at)
                length, at = int(data[at + 1:end]), end + 2
                args.append(data[at:at + length])
                at += length + 2
            commands.append(args)
    return commands


def popped_messages(commands: list[list[bytes]]) -> list[tuple[int, bytes]]:
    """(log position, message) for every message the log's RPOPs took, replaying its pushes."""
    pops = []
    replay_lists(commands, pops)
    return pops


def log_lists(commands: list[list[bytes]]) -> dict[bytes, list[bytes]]:
    """The lists as the log leaves them, replaying its pushes and pops."""
    return replay_lists(commands, [])


def replay_lists(commands: list[list[bytes]], pops: list) -> dict[bytes, list[bytes]]:
    """Replays the log's list commands; appends (position, message) to `pops` for each RPOP."""
    lists: dict[bytes, list[bytes]] = {}
    for position, args in enumerate(commands):
        name = args[0].upper()
        if name == b"LPUSH":
            for value in args[2:]:
                lists.setdefault(args[1], []).insert(0, value)
        elif name == b"RPUSH":
            lists.setdefault(args[1], []).extend(args[2:])
        elif name == b"RPOP":
            assert len(args) == 2, args  # the worker pops one message at a time (BRPOP)
            pops.append((position, lists[args[1]].pop()))
        elif name == b"DEL":
            for key in args[1:]:
                lists.pop(key, None)
    return {key: messages for key, messages in lists.items() if messages}


def kombu_gap_losses(data_dir: str) -> set[str]:
    """Task ids lost in kombu's pop-then-record gap, proven from the server's log: the message was
    the last one popped before a settle marker (a kill follows each) and never reached `unacked`."""
    commands = read_log_commands(data_dir)
    pops = popped_messages(commands)
    recorded = {}  # delivery tag -> positions of HSET unacked
    for position, args in enumerate(commands):
        if args[0].upper() == b"HSET" and args[1] == b"unacked":
            recorded.setdefault(args[2], []).append(position)
    markers = [position for position, args in enumerate(commands)
               if len(args) > 1 and args[1] == b"harness:settle"]
    pop_positions = [position for position, _ in pops]
    lost = set()
    for position, message in pops:
        body = json.loads(message)
        tag = body["properties"]["delivery_tag"].encode()
        if any(at > position for at in recorded.get(tag, [])):
            continue
        next_marker = min((m for m in markers if m > position), default=None)
        last_pop_before_kill = next_marker is not None and not any(
            position < other < next_marker for other in pop_positions)
        assert last_pop_before_kill, (
            f"message {body['headers']['id']} popped at log position {position} was never "
            f"recorded in unacked and is not kombu's pop-then-record gap before a kill")
        lost.add(body["headers"]["id"])
    return lost


def task_history(data_dir: str, worker_log: str, task_id: str) -> str:
    """What the server's log and the worker's log say about one task: every logged command that
    names its id or one of its delivery tags (position, database, command shortened), the settle
    markers (one before each kill) and the worker's lines naming it. For a failure's message."""
    commands = read_log_commands(data_dir)
    needle = task_id.encode()
    tags = set()
    for args in commands:
        for arg in args:
            if needle in arg and arg[:1] in (b"{", b"["):
                body = json.loads(arg)
                body = body[0] if isinstance(body, list) else body
                if "properties" in body:  # a message (results name the id too)
                    tags.add(body["properties"]["delivery_tag"].encode())
    lines, db = [f"delivery tags {sorted(tags)}"], 0
    popped_at = {position for position, message in popped_messages(commands) if needle in message}
    for position, args in enumerate(commands):
        if args[0].upper() == b"SELECT":
            db = int(args[1])
            continue
        if position in popped_at:
            lines.append(f"log {position} db {db}: {[arg[:40] for arg in args]} took its message")
        elif (len(args) > 1 and args[1] == b"harness:settle") or any(
                needle in arg or arg in tags for arg in args):
            lines.append(f"log {position} db {db}: {[arg[:40] for arg in args]}")
    # A message the log's own pushes and pops leave queued at the end: the live list lost it.
    for key, messages in log_lists(commands).items():
        if any(needle in message for message in messages):
            lines.append(f"the log leaves it queued in {key!r} ({len(messages)} messages there)")
    lines += [f"worker: {line}" for line in worker_log.splitlines() if task_id in line]
    return "\n".join(lines)


def stored_results(results_db, ids: list[str]) -> dict[str, object]:
    """task id -> result, for every task whose SUCCESS is in the result backend."""
    found = {}
    for start in range(0, len(ids), 500):
        batch = ids[start:start + 500]
        values = results_db.mget([f"celery-task-meta-{task_id}" for task_id in batch])
        for task_id, raw in zip(batch, values):
            if raw is not None:
                meta = json.loads(raw)
                if meta["status"] == "SUCCESS":
                    found[task_id] = meta["result"]
    return found


@pytest.mark.parametrize("acks_late", [False, True], ids=["acks-early", "acks-late"])
def test_every_result_arrives_across_two_sigkills(tmp_path, acks_late):
    broker = RestartableBroker(str(tmp_path / "data"), "--appendonly", "yes",
                               "--appendfsync", "always", "--save", "")
    (tmp_path / "data").mkdir()
    worker = None
    try:
        broker.start()
        worker = start_worker(broker.port, str(tmp_path / "worker.log"), acks_late)
        ids = publish(broker.port, TASKS)
        results_db = broker.client(db=1)
        queued_at_kill = []
        for threshold in KILL_AT_RESULTS:
            wait_until(lambda: worker.alive() and results_db.dbsize() >= threshold, timeout=90,
                       interval=0.01, message=f"{threshold} results ({worker.output()[-2000:]})")
            worker.kill(signal.SIGSTOP)
            settle(broker)
            broker.kill()
            results_db.close()
            broker.start()
            worker.kill(signal.SIGCONT)
            results_db = broker.client(db=1)
            queued_at_kill.append(queued(broker.client(db=0)))
        # Both kills happened mid-run: tasks were still queued after each restart. (Zero means
        # the test stopped the worker too late, not that the server lost anything.)
        assert all(queued > 0 for queued in queued_at_kill), queued_at_kill

        expected = {task_id: 2 * i for i, task_id in enumerate(ids)}
        queues = broker.client(db=0)
        try:
            wait_until(lambda: len(stored_results(results_db, ids)) == TASKS, timeout=120,
                       interval=0.2, message="every result")
        except AssertionError:
            # The only results allowed to be missing are messages lost in kombu's gap (above),
            # read once the worker has nothing left to pop.
            missing = [i for i, task_id in enumerate(ids)
                       if task_id not in stored_results(results_db, ids)]
            gap_losses = kombu_gap_losses(str(tmp_path / "data"))
            if not ({ids[i] for i in missing} <= gap_losses
                    and len(missing) <= len(KILL_AT_RESULTS)):
                raise AssertionError(
                    f"{len(missing)} results missing (tasks {missing[:20]}; kombu's gap explains "
                    f"{sorted(gap_losses)}); queued {queued(queues)}, unacked "
                    f"{queues.hlen('unacked')}; what the logs say of each:\n"
                    + "\n".join(task_history(str(tmp_path / "data"), worker.output(), ids[i])
                                for i in missing[:3])
                    + f"\nworker log tail:\n{worker.output()[-1500:]}")
            for i in missing:
                print(f"task {i}: lost in kombu's pop-then-record gap at a kill (from the log)")
                del expected[ids[i]]
        assert stored_results(results_db, ids) == expected

        # Nothing is left behind: the queue is empty and every delivery was acknowledged.
        wait_until(lambda: queued(queues) == 0 and queues.hlen("unacked") == 0
                   and queues.zcard("unacked_index") == 0, timeout=60,
                   message="the queue and kombu's unacked hash to drain")
        assert worker.alive(), worker.output()[-2000:]
    finally:
        if worker is not None:
            worker.kill(signal.SIGCONT)  # a frozen worker would not hear SIGTERM
            worker.stop()
        broker.close()
