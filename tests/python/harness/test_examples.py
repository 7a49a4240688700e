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
    env["DRAYMAN_URL"] += "/0"
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


def test_embedded_example_suite_passes():
    pytest.importorskip("drayman", reason="pip install ./python (make test does)")
    completed = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                str(EXAMPLES / "embedded")], capture_output=True, timeout=240)
    assert completed.returncode == 0, completed.stdout.decode()[-3000:]
