"""The dashboard (server/http/dashboard/index.html) in a real browser: Debian's Chromium, headless.

A real Celery app (celery_app.py) queues tasks of two names while no worker runs; the page shows
the queue's exact depth and, once the queue is clicked, the task names of its next messages. Then
a real Celery worker starts and the page, refreshing by itself (never reloaded), shows the queue
drain to zero. Everything is read from the rendered DOM text, polled with a timeout.

DASHBOARD_SCREENSHOT=path also writes the screenshot of the queued state there
(tools/dashboard-screenshot.sh makes docs/dashboard.png that way).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import redis

from celery_app_for import celery_app_for
from conftest import HERE, ManagedProcess, wait_until
from headless_chromium import HeadlessChromium
from servers import DraymanProcess

pytestmark = pytest.mark.timeout(240)

# Slow enough for the sanitizer build's server and a shared two-core machine.
TIMEOUT = 60.0
ADDS, SUMS = 4, 3


@pytest.fixture
def drayman():
    server = DraymanProcess("--http-port", "0")
    try:
        client = redis.Redis(port=server.port)
        http_port = int(client.config_get("http-port")["http-port"])
        client.close()
        yield server, http_port
    finally:
        server.stop()


@pytest.fixture
def celery_app(drayman):
    server, _ = drayman
    with celery_app_for(server.port) as app_module:
        yield app_module


@pytest.fixture
def browser(drayman, tmp_path):
    _, http_port = drayman
    chromium = HeadlessChromium(f"http://127.0.0.1:{http_port}/", tmp_path)
    try:
        yield chromium
    finally:
        chromium.close()


def start_worker(server, tmp_path) -> ManagedProcess:
    env = dict(os.environ)
    env["DRAYMAN_URL"] = f"redis://127.0.0.1:{server.port}"
    env["PYTHONPATH"] = str(HERE) + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-P", "threads",
               "-c", "2", "-n", "dashboard@harness", "--without-gossip", "--without-mingle",
               "--loglevel=INFO"]
    return ManagedProcess(command, env=env, cwd=str(HERE), log_path=str(tmp_path / "worker.log"))


def queued(client: redis.Redis) -> int:
    """LLEN of kombu's lists for the celery queue (one per priority step, \x06\x16 separator)."""
    return sum(client.llen(name) for name in ("celery", *(f"celery\x06\x16{step}"
                                                           for step in (3, 6, 9))))


QUEUE_ROW = "#queues tbody tr[data-queue='celery']"


def queue_cells(browser: HeadlessChromium):
    """The rendered text of the celery queue's row: {column header: cell text}, or None."""
    return browser.evaluate(
        "(() => { const row = document.querySelector(\"" + QUEUE_ROW + "\");"
        " if (!row) return null;"
        " const heads = [...document.querySelectorAll('#queues thead th')].map(h => h.innerText);"
        " return Object.fromEntries([...row.cells].map((c, i) => [heads[i], c.innerText])); })()")


def test_dashboard_shows_celery_queue_depth_task_names_and_drain(drayman, celery_app, browser,
                                                                  tmp_path):
    server, _ = drayman
    # No worker yet: the tasks wait in the queue.
    for number in range(ADDS):
        celery_app.add.delay(number, number)
    for number in range(SUMS):
        celery_app.tsum.delay(list(range(number + 1)))
    depth = ADDS + SUMS
    client = redis.Redis(port=server.port)
    assert queued(client) == depth

    # Marks this document: still there at the end means the page was never reloaded.
    browser.evaluate("window.loadedOnce = 'dashboard-test'")

    def shows_depth():
        cells = queue_cells(browser)
        return cells if cells and cells["ready"] == str(depth) else None

    cells = wait_until(shows_depth, timeout=TIMEOUT, message=f"the page to show {depth} ready")
    assert (cells["queue"], cells["unacked"], cells["consumers"]) == ("celery", "0", "0")

    browser.click(QUEUE_ROW)

    def shows_task_names():
        text = browser.evaluate("document.querySelector('#detail').innerText")
        names = {"celery_app.add", "celery_app.tsum"}
        return text if all(name in text for name in names) else None

    detail = wait_until(shows_task_names, timeout=TIMEOUT, message="the page to show task names")
    assert "Messages of celery" in browser.evaluate("document.body.innerText")
    # The next message is the first task queued.
    first_row = browser.evaluate("document.querySelector('#detail tbody tr').innerText")
    assert first_row.split("\t")[:2] == ["next", "celery_app.add"], detail

    screenshot = tmp_path / "dashboard.png"
    browser.screenshot(screenshot)
    assert screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("DASHBOARD_SCREENSHOT"):
        browser.screenshot(Path(os.environ["DASHBOARD_SCREENSHOT"]))

    worker = start_worker(server, tmp_path)
    try:
        def drained():
            assert worker.alive(), worker.output()
            cells = queue_cells(browser)
            return cells if cells and (cells["ready"], cells["unacked"]) == ("0", "0") else None

        wait_until(drained, timeout=TIMEOUT, message="the page to show the queue drained")
        assert queued(client) == 0
        assert browser.evaluate("window.loadedOnce") == "dashboard-test"
        assert browser.evaluate("document.getElementById('status').innerText") == ""
        assert browser.exceptions == []
    finally:
        worker.stop()
        client.close()
