"""Celery and channels_redis keep their state across a stop and restart with snapshots only.

The server runs with the log off (`--appendonly no`) and Redis's save points, so what survives is
what SHUTDOWN (or SIGTERM) writes to dump.rdb. Before the stop the broker holds: Celery results,
tasks queued with no worker running, a task taken by an acks_late worker that is frozen mid-task
(kombu's `unacked` hash and index), and channels_redis core-layer group memberships and queued
channel messages. After the restart on the same port and directory the whole dataset compares
equal (types, values, expiries), and the same clients carry on: a new worker runs the queued tasks
and the restored unacked one, the old results read back, the core layer delivers its queued
messages and a group_send reaches every member added before the stop. RedisPubSubChannelLayer
keeps its groups in the process (nothing in the dataset): its member is subscribed again after the
restart and receives a group_send.

Run time: about 15-25 s per case on the shared 2-core machine.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

import pytest
import redis
from celery import Celery
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer

from broker_restarts import RestartableBroker
from conftest import HERE, ManagedProcess, wait_until
from datasets import dataset

pytestmark = pytest.mark.timeout(180)

SAVE_POINTS = "3600 1 300 100 60 10000"  # Redis 7.0's defaults, stated so the test says why


def client_app(port: int) -> Celery:
    app = Celery("client", broker=f"redis://127.0.0.1:{port}/0",
                 backend=f"redis://127.0.0.1:{port}/1")
    app.conf.broker_transport_options = {"queue_order_strategy": "priority"}
    app.conf.task_default_priority = 5
    app.conf.result_expires = 3600
    return app


def start_worker(port: int, tmp_path, name: str, visibility_timeout_s: int) -> ManagedProcess:
    env = dict(os.environ)
    env.update({"DRAYMAN_URL": f"redis://127.0.0.1:{port}",
                "PYTHONPATH": str(HERE) + os.pathsep + env.get("PYTHONPATH", ""),
                "HARNESS_VISIBILITY_TIMEOUT": str(visibility_timeout_s)})
    command = [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P", "solo",
               "-n", f"{name}@harness", "--without-gossip", "--without-mingle",
               "--without-heartbeat", "--loglevel=INFO"]
    return ManagedProcess(command, env=env, cwd=str(HERE), log_path=str(tmp_path / f"{name}.log"))


def result_of(results_db: redis.Redis, task_id: str):
    import json

    raw = results_db.get(f"celery-task-meta-{task_id}")
    return json.loads(raw)["result"] if raw else None


def core_hosts(port: int):
    return [{"address": f"redis://127.0.0.1:{port}/3", "socket_timeout": None}]


async def pubsub_subscribed(port: int, channel_name: str) -> bool:
    conn = redis.Redis(port=port, db=4)
    try:
        return dict(conn.pubsub_numsub(channel_name)).get(channel_name.encode(), 0) == 1
    finally:
        conn.close()


async def receive(layer, channel: str) -> dict:
    """layer.receive, retried when the layer's pooled connection was the one the stop closed:
    channels_redis reports that to the first caller (against redis-server too) and reconnects."""
    for _ in range(3):
        try:
            return await asyncio.wait_for(layer.receive(channel), 30)
        except redis.exceptions.ConnectionError:
            continue
    raise AssertionError(f"no message on {channel}")


async def wait_async(predicate, timeout_s: float, message: str):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not await predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        await asyncio.sleep(0.02)


@pytest.mark.parametrize("stop", ["shutdown", "sigterm"])
def test_celery_and_channels_state_survive_a_snapshot_restart(tmp_path, stop):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    broker = RestartableBroker(str(data_dir), "--appendonly", "no", "--save", SAVE_POINTS)
    workers = []
    try:
        broker.start()
        asyncio.run(scenario(broker, tmp_path, stop, workers))
    finally:
        for worker in workers:
            worker.kill(signal.SIGCONT)  # a frozen worker would not hear SIGTERM
            worker.stop()
        broker.close()


async def scenario(broker: RestartableBroker, tmp_path, stop: str, workers: list) -> None:
    port = broker.port
    app = client_app(port)
    results_db = broker.client(db=1)
    records = broker.client(db=2)

    # Results: five tasks run by a worker that then exits.
    first = start_worker(port, tmp_path, "first", visibility_timeout_s=3600)
    workers.append(first)
    done = [app.send_task("celery_app.add", (i, 100)).id for i in range(5)]
    wait_until(lambda: all(result_of(results_db, t) is not None for t in done), timeout=60,
               message=f"the first results ({first.output()[-2000:]})")
    first.stop()

    # Unacked: an acks_late task taken by a worker frozen mid-task.
    holder = start_worker(port, tmp_path, "holder", visibility_timeout_s=3600)
    workers.append(holder)
    held = app.send_task("celery_app.slow_once", ("held", 60)).id
    wait_until(lambda: records.get("starts:held") == b"1", timeout=60,
               message=f"the held task to start ({holder.output()[-2000:]})")
    holder.kill(signal.SIGSTOP)
    queues = broker.client(db=0)
    assert queues.hlen("unacked") == 1 and queues.zcard("unacked_index") == 1

    # Queued: tasks waiting with no worker to take them.
    waiting = [app.send_task("celery_app.add", (i, 1000)).id for i in range(10)]

    # channels_redis core layer: two members of a group, two messages queued for one of them.
    core = RedisChannelLayer(hosts=core_hosts(port))
    member_a = await core.new_channel()
    member_b = await core.new_channel()
    await core.group_add("room", member_a)
    await core.group_add("room", member_b)
    await core.send(member_a, {"type": "chat.message", "text": "queued-1"})
    await core.send(member_a, {"type": "chat.message", "text": "queued-2"})

    # channels_redis pub/sub layer: a group member whose subscription is live.
    pubsub = RedisPubSubChannelLayer(hosts=[{"address": f"redis://127.0.0.1:{port}/4"}])
    listener = await pubsub.new_channel()
    await pubsub.group_add("lobby", listener)
    lobby = pubsub._get_group_channel_name("lobby")
    await wait_async(lambda: pubsub_subscribed(port, lobby), 30, "the lobby subscription")

    before = dataset(queues)
    assert (0, b"unacked") in before and (3, b"asgi:group:room") in before
    assert before[(3, b"asgi:group:room")][2] > 0  # memberships expire (group_expiry)

    if stop == "shutdown":
        broker.shutdown()
    else:
        broker.terminate()
    assert (tmp_path / "data" / "dump.rdb").exists()
    for conn in (queues, results_db, records):
        conn.close()
    broker.start()

    queues = broker.client(db=0)
    results_db = broker.client(db=1)
    records = broker.client(db=2)
    assert dataset(queues) == before

    # The same clients carry on. Core layer: queued messages in order, then the group.
    assert (await receive(core, member_a))["text"] == "queued-1"
    assert (await receive(core, member_a))["text"] == "queued-2"
    await core.group_send("room", {"type": "chat.message", "text": "after restart"})
    assert (await receive(core, member_a))["text"] == "after restart"
    assert (await receive(core, member_b))["text"] == "after restart"
    await core.flush()
    await core.close_pools()

    # Pub/sub layer: the member subscribes again by itself once the server is back.
    await wait_async(lambda: pubsub_subscribed(port, lobby), 30, "the lobby re-subscription")
    await pubsub.group_send("lobby", {"type": "chat.message", "text": "lobby after restart"})
    received = await receive(pubsub, listener)
    assert received["text"] == "lobby after restart"
    await pubsub.flush()

    # Celery: the old results read back; a new worker runs the queued tasks and, once the frozen
    # holder is gone and the visibility timeout passed, the task it held (its second start).
    assert [app.AsyncResult(t).get(timeout=30) for t in done] == [i + 100 for i in range(5)]
    holder.kill(signal.SIGKILL)
    holder.stop()
    successor = start_worker(port, tmp_path, "successor", visibility_timeout_s=2)
    workers.append(successor)
    assert [app.AsyncResult(t).get(timeout=60) for t in waiting] == [i + 1000 for i in
                                                                     range(10)]
    assert app.AsyncResult(held).get(timeout=60) == 2
    assert int(records.get("starts:held")) == 2
    wait_until(lambda: queues.hlen("unacked") == 0 and queues.zcard("unacked_index") == 0,
               timeout=30, message="kombu's unacked hash to drain")
    app.close()
    for conn in (queues, results_db, records):
        conn.close()
