"""Shared fixtures: a real drayman-server and Debian's redis-server, each on an ephemeral port.

DRAYMAN_TEST_TARGET=redis makes the `drayman` fixture (and target_server()) start redis-server
instead, which validates the tests themselves: the whole suite must pass against Redis.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
import redis

sys.path.insert(0, str(Path(__file__).parent))

from servers import DraymanProcess, RedisProcess, target_server  # noqa: E402,F401


@pytest.fixture(scope="session")
def drayman():
    with target_server() as server:
        yield server


@pytest.fixture(scope="session")
def oracle():
    """Debian's redis-server, the reference every reply is compared with."""
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server (Debian package redis-server) is required")
    with RedisProcess() as server:
        yield server


@pytest.fixture(params=[2, 3], ids=["resp2", "resp3"])
def protocol(request) -> int:
    return request.param


@pytest.fixture
def client(drayman, protocol):
    connection = redis.Redis(port=drayman.port, protocol=protocol)
    connection.flushall()
    yield connection
    connection.close()
