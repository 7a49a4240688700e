"""A real Celery worker with the server under test as broker and result backend.

Each test drives real `celery worker` processes (prefork and threads pools) through kombu's Redis
transport and Celery's Redis result backend, then checks that nothing is left behind in the
queues or in kombu's unacked structures.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
import redis
from celery import chord, group

import acl_users
from conftest import HERE, ManagedProcess, wait_until

pytestmark = pytest.mark.timeout(300)


def worker_env(broker, **extra):
    env = dict(os.environ)
    env["DRAYMAN_URL"] = acl_users.base_url(broker, "celery")
    env["DRAYMAN_URL_QUERY"] = acl_users.url_query()
    env["PYTHONPATH"] = str(HERE) + os.pathsep + env.get("PYTHONPATH", "")
    env.update({key: str(value) for key, value in extra.items()})
    return env


@pytest.fixture(scope="session")
def app(broker):
    os.environ["DRAYMAN_URL"] = acl_users.base_url(broker, "celery")
    os.environ["DRAYMAN_URL_QUERY"] = acl_users.url_query()
    sys.path.insert(0, str(HERE))
    import celery_app

    celery_app.app.conf.broker_url = acl_users.url(broker, "celery", 0)
    celery_app.app.conf.result_backend = acl_users.url(broker, "celery", 1)
    celery_app._record = None
    yield celery_app
    celery_app.app.close()


def start_worker(broker, tmp_path, name, pool="prefork", concurrency=2, **env):
    log = tmp_path / f"{name}.log"
    command = [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P", pool,
               "-c", str(concurrency), "-n", f"{name}@harness", "--without-gossip",
               "--without-mingle", "--loglevel=INFO"]
    worker = ManagedProcess(command, env=worker_env(broker, **env), cwd=str(HERE),
                            log_path=str(log))
    return worker


def wait_for_worker(app, name, worker):
    def answered():
        assert worker.alive(), worker.output()
        replies = app.app.control.inspect(timeout=0.5, destination=[f"{name}@harness"]).ping()
        return replies
    return wait_until(answered, timeout=60, message=f"worker {name} to answer ping")


@pytest.fixture
def records(broker):
    client = redis.Redis(port=broker.port, db=2)
    client.flushdb()
    yield client
    client.close()


def assert_queues_drained(broker):
    client = redis.Redis(port=broker.port, db=0)
    leftovers = {}
    for key in client.scan_iter(match="celery*"):
        if client.type(key) == b"list" and client.llen(key):
            leftovers[key] = client.llen(key)
    assert leftovers == {}
    assert client.hlen("unacked") == 0
    assert client.zcard("unacked_index") == 0
    client.close()


@pytest.mark.parametrize("pool", ["prefork", "threads"])
def test_two_thousand_tasks_every_result_checked(app, broker, tmp_path, pool):
    name = f"bulk-{pool}"
    worker = start_worker(broker, tmp_path, name, pool=pool, concurrency=4)
    try:
        wait_for_worker(app, name, worker)
        results = [app.add.delay(i, i) for i in range(2000)]
        values = [result.get(timeout=120) for result in results]
        assert values == [2 * i for i in range(2000)]
    finally:
        worker.stop()
    assert_queues_drained(broker)


@pytest.fixture(scope="module")
def worker(app, broker, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("worker")
    process = start_worker(broker, tmp_path, "main", pool="prefork", concurrency=2)
    wait_for_worker(app, "main", process)
    yield process
    process.stop()


def test_group_and_chord(app, worker, broker):
    assert group(app.add.s(i, 1) for i in range(10))().get(timeout=60) == list(range(1, 11))
    assert chord(app.add.s(i, i) for i in range(10))(app.tsum.s()).get(timeout=60) == 90


def test_retry_with_countdown(app, worker, records):
    assert app.flaky.delay("r1").get(timeout=60) == 2
    assert int(records.get("attempts:r1")) == 2


def test_eta_task_runs_after_its_eta(app, worker, records):
    eta = datetime.now(timezone.utc) + timedelta(seconds=2)
    assert app.stamp.apply_async(("eta",), eta=eta).get(timeout=60) == "eta"
    # The worker held the task until its ETA (checked against the worker's own clock reading).
    assert float(records.get("eta")) >= eta.timestamp() - 0.05


def test_inspect_ping_and_control_broadcast(app, worker):
    replies = app.app.control.inspect(timeout=2).ping()
    assert replies == {"main@harness": {"ok": "pong"}}
    answer = app.app.control.broadcast("rate_limit", arguments={"task_name": "celery_app.add",
                                                                "rate_limit": "1000/s"},
                                       reply=True, timeout=2)
    assert answer and "main@harness" in answer[0]


def test_revoked_task_never_runs(app, worker, records):
    result = app.stamp.apply_async(("revoked",), countdown=3)
    result.revoke()
    late = app.stamp.apply_async(("after",), countdown=4)
    assert late.get(timeout=60) == "after"
    assert records.get("revoked") is None
    assert result.state == "REVOKED"
