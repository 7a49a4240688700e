"""Each example's README commands work as written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ManagedProcess, wait_until
from servers import DraymanProcess, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
pytestmark = pytest.mark.timeout(300)


def example_env(broker):
    env = dict(os.environ)
    env["DRAYMAN_URL"] = f"redis://127.0.0.1:{broker.port}"
    return env


def test_celery_app_example(broker, tmp_path):
    env = example_env(broker)
    worker = ManagedProcess([sys.executable, "-m", "celery", "-A", "tasks", "worker", "-P", "solo",
                             "--without-gossip", "--without-mingle", "-n", "example@harness"],
                            env=env, cwd=str(EXAMPLES / "celery_app"),
                            log_path=str(tmp_path / "worker.log"))
    try:
        sent = subprocess.run([sys.executable, "send.py"], env=env, cwd=EXAMPLES / "celery_app",
                              capture_output=True, timeout=120)
        assert sent.returncode == 0, sent.stderr.decode() + worker.output()
        assert sent.stdout.decode().strip() == "[0, 2, 4, 6, 8]"
    finally:
        worker.stop()


def test_channels_chat_example_serves_its_page(broker, tmp_path):
    port = free_port()
    env = example_env(broker)
    daphne = ManagedProcess([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                             "chatsite.asgi:application"], env=env,
                            cwd=str(EXAMPLES / "channels_chat"),
                            log_path=str(tmp_path / "daphne.log"))
    try:
        wait_for_port(port, 30)
        import urllib.request

        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode()
        assert "/ws/chat/lobby/" in page
    finally:
        daphne.stop()


@pytest.mark.parametrize("suffix", ["", "/0", "/4"])
def test_both_examples_read_one_drayman_url(suffix):
    """One exported DRAYMAN_URL, with or without a database number, suits both examples."""
    import runpy

    url = f"redis://127.0.0.1:6390{suffix}"
    database = int(suffix.strip("/") or 0)
    code = ("import json, sys; sys.path.insert(0, '.'); import tasks; "
            "print(json.dumps([tasks.app.conf.broker_url, tasks.app.conf.result_backend]))")
    celery = subprocess.run([sys.executable, "-c", code], cwd=EXAMPLES / "celery_app",
                            env={**os.environ, "DRAYMAN_URL": url}, capture_output=True,
                            timeout=60)
    assert celery.returncode == 0, celery.stderr.decode()
    import json

    broker_url, backend_url = json.loads(celery.stdout)
    assert broker_url == f"redis://127.0.0.1:6390/{database}"
    assert backend_url == f"redis://127.0.0.1:6390/{database + 1}"
    os.environ["DRAYMAN_URL"] = url
    try:
        settings = runpy.run_path(str(EXAMPLES / "channels_chat" / "chatsite" / "settings.py"))
    finally:
        del os.environ["DRAYMAN_URL"]
    address = settings["CHANNEL_LAYERS"]["default"]["CONFIG"]["hosts"][0]["address"]
    import redis

    pool = redis.ConnectionPool.from_url(address)
    assert (pool.connection_kwargs["port"], pool.connection_kwargs.get("db", 0)) == (6390, database)


def test_embedded_example_suite_passes():
    pytest.importorskip("drayman", reason="pip install ./python (make test does)")
    completed = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                str(EXAMPLES / "embedded")], capture_output=True, timeout=240)
    assert completed.returncode == 0, completed.stdout.decode()[-3000:]
