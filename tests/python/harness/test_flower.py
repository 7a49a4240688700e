"""Flower (PyPI) with Drayman as Celery's broker: its broker API and page show the queues' lengths.

A real Celery app (celery_app.py) fills two queues, at several priorities (kombu keeps one list
per priority step), while no worker runs. Flower, started the documented way
(`celery --broker redis://127.0.0.1:PORT/0 flower --port=FREE`, plus --config naming the second
queue), reads them with LLEN of every priority list: /api/queues/length and the /broker page must
give the exact numbers.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
import urllib.error
import urllib.request

import pytest
import redis

from celery_app_for import celery_app_for
from conftest import HERE, ManagedProcess, wait_until
from servers import DraymanProcess, free_port

pytestmark = pytest.mark.timeout(180)

TIMEOUT = 60.0
SEPARATOR = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)


@pytest.fixture
def drayman():
    server = DraymanProcess()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def celery_app(drayman):
    with celery_app_for(drayman.port) as app_module:
        yield app_module


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def kombu_lists(client: redis.Redis, queue: str) -> dict[str, int]:
    """LLEN of each non-empty priority list of a kombu queue."""
    lengths = {}
    for step in PRIORITY_STEPS:
        name = f"{queue}{SEPARATOR}{step}" if step else queue
        if client.llen(name):
            lengths[name] = client.llen(name)
    return lengths


def test_flower_shows_drayman_queue_lengths(drayman, celery_app, tmp_path):
    expected = {"celery": 0, "reports": 0}
    for priority in (0, 5, 9):  # three priorities: more than one of kombu's lists
        for number in range(priority + 1):
            celery_app.add.apply_async((number, 1), priority=priority)
            expected["celery"] += 1
    for number in range(4):
        celery_app.tsum.apply_async(([number],), queue="reports", priority=3 * (number % 2))
        expected["reports"] += 1
    client = redis.Redis(port=drayman.port)
    celery_lists = kombu_lists(client, "celery")
    assert len(celery_lists) > 1, celery_lists
    assert sum(celery_lists.values()) == expected["celery"]
    assert sum(kombu_lists(client, "reports").values()) == expected["reports"]

    port = free_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE) + os.pathsep + env.get("PYTHONPATH", "")
    env["FLOWER_UNAUTHENTICATED_API"] = "true"  # Flower 2 serves /api only with it (or auth)
    command = [sys.executable, "-m", "celery", "--broker", f"redis://127.0.0.1:{drayman.port}/0",
               "--config", "flower_config", "flower", f"--port={port}", "--address=127.0.0.1"]
    flower = ManagedProcess(command, env=env, cwd=str(tmp_path),
                            log_path=str(tmp_path / "flower.log"))
    try:
        def queue_lengths():
            assert flower.alive(), flower.output()
            try:
                status, body = get(f"http://127.0.0.1:{port}/api/queues/length")
            except OSError:
                return None  # not listening yet
            assert status == 200, body
            return json.loads(body)

        lengths = wait_until(queue_lengths, timeout=TIMEOUT, message="Flower's queue API")
        assert {q["name"]: q["messages"] for q in lengths["active_queues"]} == expected

        status, page = get(f"http://127.0.0.1:{port}/broker")
        assert status == 200
        rows = re.findall(r'<tr id="([^"]+)">\s*<td>([^<]*)</td>\s*<td[^>]*>\s*(\d+)\s*</td>', page)
        assert {html.unescape(name): int(count) for _, name, count in rows} == expected, page

        # Flower only reads: the queues are untouched.
        assert sum(kombu_lists(client, "celery").values()) == expected["celery"]
    finally:
        flower.stop()
        client.close()
