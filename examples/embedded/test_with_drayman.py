"""A test suite that needs a real Redis-protocol broker, with none installed: the drayman
package's pytest fixtures start one inside the test process."""

import redis

import drayman


def test_fixture_client_is_a_real_connection(drayman_client):
    drayman_client.rpush("jobs", "a", "b")
    assert drayman_client.lpop("jobs") == b"a"


def test_context_manager_server():
    with drayman.Server() as server:
        client = redis.Redis.from_url(server.url)
        client.set("greeting", "hello")
        assert client.get("greeting") == b"hello"
        client.close()


def test_celery_broker_url_fixture(celery_broker_url):
    assert celery_broker_url.startswith("redis://127.0.0.1:")
