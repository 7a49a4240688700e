"""The harness's Celery and channels_redis scenarios under least-privilege ACL users.

Runs test_celery.py and test_channels.py in a child pytest with DRAYMAN_HARNESS_ACL=1 (see
acl_users.py): the server defines the `celery` and `channels` users, and every worker, client and
layer connects as its application's user. Then checks that each user gets NOPERM on the other
application's keys and channels.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import redis

import acl_users
from conftest import HERE
from servers import DraymanProcess

pytestmark = pytest.mark.timeout(900)

NOPERM_KEY = "this user has no permissions to access one of the keys used as arguments"


@pytest.mark.parametrize("scenario", ["test_celery.py", "test_channels.py"])
def test_harness_scenarios_pass_under_acl_users(scenario):
    env = dict(os.environ, DRAYMAN_HARNESS_ACL="1")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE / scenario)],
        env=env, cwd=str(HERE), capture_output=True, text=True, timeout=850)
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-3000:]


def test_each_application_is_refused_the_others_keys():
    with DraymanProcess(*acl_users.server_args()) as server:
        admin = redis.Redis(port=server.port)
        admin.set("asgi:secret", "channels data")
        admin.rpush("celery", "task")
        celery_user = redis.Redis(port=server.port, username="celery",
                                  password=acl_users.CELERY_PASSWORD)
        channels_user = redis.Redis(port=server.port, username="channels",
                                    password=acl_users.CHANNELS_PASSWORD)
        assert celery_user.llen("celery") == 1
        with pytest.raises(redis.exceptions.NoPermissionError, match=NOPERM_KEY):
            celery_user.get("asgi:secret")
        with pytest.raises(redis.exceptions.NoPermissionError, match=NOPERM_KEY):
            channels_user.lrange("celery", 0, -1)
        with pytest.raises(redis.exceptions.NoPermissionError):
            channels_user.publish("celery-task-meta-x", "forged result")
        with pytest.raises(redis.exceptions.NoPermissionError):
            celery_user.flushall()
        assert channels_user.get("asgi:secret") == b"channels data"
        log = admin.acl_log()
        assert {entry["username"] for entry in log} == {"celery", "channels"}
