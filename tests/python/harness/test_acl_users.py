"""The harness's Celery and channels_redis scenarios under least-privilege ACL users, over TLS.

Runs test_celery.py and test_channels.py in a child pytest with DRAYMAN_HARNESS_ACL=1 and
DRAYMAN_HARNESS_TLS=1 (see acl_users.py): the server defines the `celery` and `channels` users
and has a TLS port requiring client certificates, and every Celery worker, Celery client, daphne
process and channels_redis layer (core and pub/sub) connects as its application's user over
rediss://. DRAYMAN_TEST_TARGET=redis runs the same against redis-server. Then, on both servers
with the same rules, each user's attempts on the other application's keys and channels must get
the same NOPERM errors and ACL LOG entries.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

import acl_users
from conftest import HERE
from servers import DraymanProcess, RedisProcess, free_port
from tls_certs import server_tls_args

pytestmark = pytest.mark.timeout(900)

NOPERM_KEY = "this user has no permissions to access one of the keys used as arguments"
NOPERM_CHANNEL = "this user has no permissions to access one of the channels used as arguments"


@pytest.mark.parametrize("scenario", ["test_celery.py", "test_channels.py"])
def test_harness_scenarios_pass_under_acl_users_over_tls(scenario, tmp_path):
    env = dict(os.environ, DRAYMAN_HARNESS_ACL="1", DRAYMAN_HARNESS_TLS="1",
               DRAYMAN_HARNESS_CERTS=str(acl_users.certificates()))
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE / scenario)],
        env=env, cwd=str(HERE), capture_output=True, text=True, timeout=850)
    assert completed.returncode == 0, completed.stdout[-6000:] + completed.stderr[-3000:]


def tls_user(server, user: str, password: str) -> redis.Redis:
    certs = acl_users.certificates()
    return redis.Redis(host="127.0.0.1", port=server.tls_port, username=user, password=password,
                       ssl=True, ssl_cert_reqs="required", ssl_ca_certs=str(certs / "ca.crt"),
                       ssl_certfile=str(certs / "client.crt"),
                       ssl_keyfile=str(certs / "client.key"), retry=Retry(NoBackoff(), 0))


def outcome(action):
    try:
        return ("ok", action())
    except redis.ResponseError as error:
        return (type(error).__name__, str(error))


def cross_application_attempts(server) -> list:
    admin = redis.Redis(port=server.port)
    admin.set("asgi:secret", "channels data")
    admin.rpush("celery", "task")
    admin.set("celery-task-meta-1", '{"status": "SUCCESS"}')
    celery_user = tls_user(server, "celery", acl_users.CELERY_PASSWORD)
    channels_user = tls_user(server, "channels", acl_users.CHANNELS_PASSWORD)
    results = [
        outcome(lambda: celery_user.llen("celery")),
        outcome(lambda: channels_user.get("asgi:secret")),
        # Each application on the other's keys, reading and writing.
        outcome(lambda: celery_user.get("asgi:secret")),
        outcome(lambda: celery_user.zrange("asgi:group:room", 0, -1)),
        outcome(lambda: channels_user.lrange("celery", 0, -1)),
        outcome(lambda: channels_user.get("celery-task-meta-1")),
        outcome(lambda: channels_user.hgetall("unacked")),
        outcome(lambda: channels_user.set("celery-task-meta-1", "forged")),
        # ... and channels: a forged result, eavesdropping on a layer's channel.
        outcome(lambda: channels_user.publish("celery-task-meta-x", "forged result")),
        outcome(lambda: celery_user.publish("asgi__group__room", "forged")),
        # ... and what neither may do.
        outcome(lambda: celery_user.flushall()),
        outcome(lambda: channels_user.config_get("requirepass")),
        outcome(lambda: celery_user.keys("*")),
        outcome(lambda: admin.get("asgi:secret")),
    ]
    log = [(entry["username"], entry["reason"], entry["object"], entry["context"])
           for entry in admin.acl_log()]
    for client in (admin, celery_user, channels_user):
        client.close()
    return results + [sorted(log)]


def test_each_application_is_refused_the_others_keys_as_by_redis():
    certs = acl_users.certificates()
    observed = []
    for kind in (DraymanProcess, RedisProcess):
        tls_port = free_port()
        args = [*acl_users.server_args(), *server_tls_args(certs, tls_port)]
        if kind is DraymanProcess:
            args = ["--port", str(free_port()), *args]  # plain port too, for the admin
        with kind(*args) as server:
            server.tls_port = tls_port
            observed.append(cross_application_attempts(server))
    drayman, oracle = observed
    assert drayman == oracle
    assert drayman[:2] == [("ok", 1), ("ok", b"channels data")]
    for refused in drayman[2:8]:
        assert refused[0] == "NoPermissionError" and refused[1] == NOPERM_KEY, refused
    for refused in drayman[8:10]:
        assert refused[0] == "NoPermissionError" and refused[1] == NOPERM_CHANNEL
    assert all(refused[0] == "NoPermissionError" for refused in drayman[10:13])
    assert {entry[0] for entry in drayman[-1]} == {"celery", "channels"}


def test_readme_recommends_exactly_the_tested_rule_sets():
    readme = (HERE.parents[2] / "README.md").read_text()
    lines = {line.split()[1]: line.split()[2:] for line in readme.splitlines()
             if line.startswith("user celery ") or line.startswith("user channels ")}
    password = ">CHANGE-ME"
    assert lines["celery"] == [password if rule.startswith(">") else rule
                               for rule in acl_users.CELERY_RULES]
    assert lines["channels"] == [password if rule.startswith(">") else rule
                                 for rule in acl_users.CHANNELS_RULES]
