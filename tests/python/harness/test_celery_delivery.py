"""Celery delivery guarantees that need the queues to themselves: priorities and acks_late.

No other worker runs while these tests do (test_celery.py's shared worker lives in its own
module, with its own server).
"""

from __future__ import annotations

import signal

import pytest
import redis

from conftest import ManagedProcess, wait_until  # noqa: F401
from test_celery import app, assert_queues_drained, records, start_worker, wait_for_worker  # noqa: F401

pytestmark = pytest.mark.timeout(300)


def test_priorities_serve_the_highest_first(app, broker, records, tmp_path):
    # Queue everything before any worker consumes, then one worker with prefetch 1.
    for index in range(5):
        app.log_order.apply_async((f"low{index}",), priority=9)
    for index in range(5):
        app.log_order.apply_async((f"high{index}",), priority=0)
    process = start_worker(broker, tmp_path, "prio", pool="solo", concurrency=1)
    try:
        wait_until(lambda: records.llen("order") == 10, timeout=60, message="10 tasks")
    finally:
        process.stop()
    order = [item.decode() for item in records.lrange("order", 0, -1)]
    assert order[:5] == [f"high{i}" for i in range(5)]
    assert sorted(order[5:]) == [f"low{i}" for i in range(5)]


def test_acks_late_task_redelivered_after_worker_is_killed(app, broker, records, tmp_path):
    process = start_worker(broker, tmp_path, "victim", pool="prefork", concurrency=1,
                           HARNESS_VISIBILITY_TIMEOUT=2)
    wait_for_worker(app, "victim", process)
    result = app.slow_once.delay("k1", 120)
    wait_until(lambda: records.get("starts:k1") == b"1", timeout=60, message="task start")
    process.kill(signal.SIGKILL)
    process.stop()
    # The message is still in kombu's unacked structures, not lost.
    client = redis.Redis(port=broker.port, db=0)
    assert client.hlen("unacked") == 1
    successor = start_worker(broker, tmp_path, "successor", pool="prefork", concurrency=1,
                             HARNESS_VISIBILITY_TIMEOUT=2)
    try:
        assert result.get(timeout=90) == 2
    finally:
        successor.stop()
    assert int(records.get("starts:k1")) == 2
    assert_queues_drained(broker)
    client.close()


def redis_cli(broker, *args):
    import subprocess

    completed = subprocess.run(["redis-cli", "-p", str(broker.port), *args], capture_output=True,
                               timeout=30)
    assert completed.returncode == 0, completed.stderr
    assert b"Error" not in completed.stderr
    return completed.stdout.decode()


def test_redis_cli_inspects_a_live_celery_queue(app, broker, tmp_path):
    # Tasks wait in the queue (no worker yet); one worker holds an unacked acks_late task.
    holder = start_worker(broker, tmp_path, "holder", pool="solo", concurrency=1)
    wait_for_worker(app, "holder", holder)
    try:
        app.slow_once.delay("held", 30)
        wait_until(lambda: redis.Redis(port=broker.port, db=2).get("starts:held"), timeout=60,
                   message="the held task to start")
        holder.kill(signal.SIGSTOP)  # frozen mid-task: its message stays unacked
        for index in range(3):
            app.add.apply_async((index, index), priority=0)
        assert redis_cli(broker, "LLEN", "celery").strip() == "3"
        listing = redis_cli(broker, "LRANGE", "celery", "0", "-1")
        assert listing.count('"task": "celery_app.add"') == 3
        scanned = redis_cli(broker, "--scan", "--pattern", "_kombu*").split()
        assert "_kombu.binding.celery" in scanned
        assert redis_cli(broker, "TYPE", "unacked").strip() == "hash"
        assert redis_cli(broker, "HLEN", "unacked").strip() == "1"
        keyspace = redis_cli(broker, "INFO", "keyspace")
        assert keyspace.startswith("# Keyspace")
        assert "db0:keys=" in keyspace and "db1:keys=" in keyspace
    finally:
        holder.kill(signal.SIGCONT)
        holder.stop()
    drain = start_worker(broker, tmp_path, "drain", pool="solo", concurrency=1,
                         HARNESS_VISIBILITY_TIMEOUT=2)
    try:
        wait_until(lambda: redis.Redis(port=broker.port, db=0).llen("celery") == 0, timeout=60,
                   message="the queue to drain")
    finally:
        drain.stop()
