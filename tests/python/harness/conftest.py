"""Fixtures for the real-world harness: a server under test and real client processes.

DRAYMAN_TEST_TARGET=redis runs the harness against Debian's redis-server instead, to validate
the tests themselves.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))  # acl_users.py, when this file is loaded by path (test_tls.py)

import acl_users  # noqa: E402
from servers import DraymanProcess, RedisProcess, free_port  # noqa: E402
from tls_certs import server_tls_args  # noqa: E402


def start_target():
    # DRAYMAN_HARNESS_ACL=1: the least-privilege users of acl_users.py (test_acl_users.py);
    # DRAYMAN_HARNESS_TLS=1: a TLS port too (.tls_port), where those clients connect.
    args = acl_users.server_args() if acl_users.enabled() else []
    tls_port = None
    if acl_users.tls_enabled():
        tls_port = free_port()
        args += server_tls_args(acl_users.certificates(), tls_port)
    if os.environ.get("DRAYMAN_TEST_TARGET") == "redis":
        server = RedisProcess(*args)
    elif tls_port:
        # An explicit plain port: Drayman's `port 0` with a tls-port means TLS only.
        server = DraymanProcess("--port", str(free_port()), *args)
    else:
        server = DraymanProcess(*args)
    server.tls_port = tls_port
    return server


@pytest.fixture(scope="session")
def broker():
    with start_target() as server:
        yield server


class ManagedProcess:
    """A child process in its own process group, killed with everything it started."""

    def __init__(self, command, env=None, cwd=None, log_path=None):
        self.log_path = log_path
        self.log = open(log_path, "wb") if log_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def pid(self):
        return self.proc.pid

    def alive(self):
        return self.proc.poll() is None

    def kill(self, sig=signal.SIGKILL):
        if self.alive():
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass

    def stop(self, timeout=15):
        if self.alive():
            self.kill(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
                self.proc.wait()
        # Children (prefork pool processes) share the group: make sure none survive.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if self.log_path:
            self.log.close()

    def output(self):
        return Path(self.log_path).read_text(errors="replace") if self.log_path else ""


def wait_until(predicate, timeout=30.0, interval=0.05, message="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")
