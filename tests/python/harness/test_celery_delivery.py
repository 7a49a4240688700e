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
