"""pytest fixtures for a real, in-process Drayman broker.

Registered through the ``pytest11`` entry point, so installing the package is enough:

- ``drayman_server`` (session): one running :class:`drayman.Server`.
- ``drayman_client``: a redis-py client on that server, with every database flushed first.
- ``celery_broker_url``: the server's URL for Celery's ``broker_url``.
"""

from __future__ import annotations

import pytest

from drayman.server import Server


@pytest.fixture(scope="session")
def drayman_server():
    with Server() as server:
        yield server


@pytest.fixture
def drayman_client(drayman_server):
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(drayman_server.url)
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def celery_broker_url(drayman_server):
    return drayman_server.url
