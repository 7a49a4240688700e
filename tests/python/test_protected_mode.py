"""Protected mode (server/protected_mode.h) compared with Debian's redis-server 7.0.15.

A non-loopback client needs a non-loopback address. The test makes one that touches no real
network: protected_mode_probe.py runs in a new network namespace (`unshare -n`, as root), adds
10.77.0.1 to that namespace's own loopback device, and connects from it (and from 127.0.0.2, which
Redis also refuses: only 127.0.0.1, ::1 and Unix sockets are "local") to both servers started with
the same options. The namespace and everything in it disappear with the probe.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from servers import drayman_binary

pytestmark = pytest.mark.timeout(120)

PROBE = Path(__file__).resolve().parent / "protected_mode_probe.py"
DENIED = ("-DENIED Redis is running in protected mode because protected mode is enabled and no "
          "password is set for the default user.")


@pytest.fixture(scope="module")
def report():
    env = dict(os.environ, DRAYMAN_SERVER=drayman_binary())
    done = subprocess.run(["unshare", "-n", sys.executable, str(PROBE)], env=env,
                          capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_scenario_matches_redis(report):
    assert report["drayman"] == report["redis"]


def test_outside_clients_are_denied_and_closed(report):
    for scenario in ("bind-any", "bind-explicit"):  # Redis 7.0 ignores an explicit bind here
        for source in ("outside", "127.0.0.2"):
            result = report["drayman"][scenario][source]
            assert result["reply"].startswith(DENIED) and result["closed"], (scenario, source)
        assert report["drayman"][scenario]["loopback"] == {"reply": "+PONG\r\n", "closed": False}
        assert report["drayman"][scenario]["rejected"] == "rejected_connections:2"
    assert report["drayman"]["requirepass"]["outside"]["reply"].startswith("-NOAUTH")
    assert report["drayman"]["protected-mode-no"]["outside"]["reply"] == "+PONG\r\n"
    assert report["drayman"]["config-set"]["after"]["reply"] == "+PONG\r\n"


def test_tls_clients_are_denied_after_the_handshake(report):
    assert report["drayman_tls"] == report["redis_tls"]
    assert report["drayman_tls"]["outside"]["reply"].startswith(DENIED)


def test_startup_warning_for_public_bind_without_password(report):
    # Drayman's own warning (Redis 7.0 prints none): only for a public bind without a password.
    warnings = {name: [line for line in lines if "WARNING: listening on" in line]
                for name, lines in report["warnings"].items()}
    assert "protected mode is on" in warnings["protected"][0]
    assert "protected-mode no" in warnings["unprotected"][0]
    assert warnings["password"] == [] and warnings["loopback"] == []
