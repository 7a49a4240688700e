"""The Celery application the harness runs in a real worker process.

Broker and result backend both point at the server under test (DRAYMAN_URL, databases 0 and 1).
Tasks record what they did in the broker's database 2 so tests can check order and retries
without relying on timing.
"""

from __future__ import annotations

import os
import time

import redis
from celery import Celery

URL = os.environ.get("DRAYMAN_URL", "redis://127.0.0.1:6379")
# Appended to every URL after the database: TLS options for rediss:// URLs (test_tls.py).
QUERY = os.environ.get("DRAYMAN_URL_QUERY", "")
VISIBILITY_TIMEOUT = float(os.environ.get("HARNESS_VISIBILITY_TIMEOUT", "3600"))
# Every task acknowledged after it ran (test_celery_crash.py runs both modes).
ACKS_LATE = os.environ.get("HARNESS_ACKS_LATE") == "1"
# How long add() sleeps. test_celery_crash.py sets it so that its kills land mid-run even when the
# test process is starved of CPU for seconds (under load the worker otherwise drained the queue
# between the result count the test waits for and its SIGSTOP).
ADD_DELAY_S = float(os.environ.get("HARNESS_ADD_DELAY_MS", "0")) / 1000

app = Celery("harness")
app.conf.update(
    broker_url=f"{URL}/0{QUERY}",
    result_backend=f"{URL}/1{QUERY}",
    broker_transport_options={
        "visibility_timeout": VISIBILITY_TIMEOUT,
        "queue_order_strategy": "priority",
        # Restore unacknowledged messages promptly once they pass the visibility timeout.
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 0,
    },
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    result_expires=3600,
    worker_prefetch_multiplier=1,
    task_acks_late=ACKS_LATE,
    broker_connection_retry_on_startup=True,
    task_default_priority=5,
    worker_hijack_root_logger=False,
    # A result store that meets a connection the broker's restart closed is tried again, as a
    # deployment that rides out broker restarts sets it. Celery's default gives up at once: a pool
    # process frozen between taking a pooled connection and sending its result's GET records the
    # task as FAILURE (ConnectionError) when it resumes, whatever the server (test_celery_crash.py).
    result_backend_always_retry=True,
    # HARNESS_REMOTE_CONTROL=0 runs no remote-control (pidbox) consumer. With one, kombu 5.7 can
    # crash the worker when its pub/sub connection notices a broker restart before the BRPOP
    # connection does ("Unrecoverable error: AttributeError(... 'hostname')"; seen with
    # redis-server too): closing the channel fails in BRPOP's read, and the second close restores
    # unacked messages after the transport was detached. test_celery_crash.py turns it off.
    worker_enable_remote_control=os.environ.get("HARNESS_REMOTE_CONTROL", "1") == "1",
)

_record = None


def record_client() -> redis.Redis:
    global _record
    if _record is None:
        _record = redis.Redis.from_url(f"{URL}/2{QUERY}")
    return _record


@app.task
def add(x, y):
    if ADD_DELAY_S:
        time.sleep(ADD_DELAY_S)
    return x + y


@app.task
def tsum(numbers):
    return sum(numbers)


@app.task
def log_order(tag):
    record_client().rpush("order", tag)
    return tag


@app.task(bind=True, max_retries=3)
def flaky(self, key):
    attempts = record_client().incr(f"attempts:{key}")
    if attempts < 2:
        raise self.retry(countdown=1)
    return attempts


@app.task
def stamp(key):
    record_client().set(key, time.time())
    return key


@app.task(acks_late=True)
def slow_once(key, seconds):
    """Marks its start; runs long the first time so the worker can be killed mid-task."""
    starts = record_client().incr(f"starts:{key}")
    if starts == 1:
        time.sleep(seconds)
    return starts
