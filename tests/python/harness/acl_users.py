"""Least-privilege ACL users for Celery and channels_redis (the README's recommended rule sets).

With DRAYMAN_HARNESS_ACL=1 the harness starts its server with these users (config `user` lines)
and every Celery worker, Celery client and channels_redis layer connects as its own user, so the
harness scenarios run under them; tests/python/harness/test_acl_users.py runs them that way and
checks that each application gets NOPERM on the other's keys.
"""

from __future__ import annotations

import os

CELERY_PASSWORD = "celery-secret"
CHANNELS_PASSWORD = "channels-secret"

# Commands both applications need: data types, keyspace, scripts (kombu and channels_redis
# register Lua scripts), MULTI/EXEC, pub/sub and connection handshakes; nothing @dangerous
# (FLUSHALL, CONFIG, KEYS, DEBUG, CLIENT KILL, ...). TIME: kombu's binding script reads the clock.
COMMANDS = ["-@all", "+@read", "+@write", "+@keyspace", "+@connection", "+@transaction",
            "+@scripting", "+@pubsub", "-@dangerous", "+time"]

# kombu's Redis transport: queues (the default `celery`, and its priority lists `celery\x06\x16N`),
# `_kombu.binding.*` exchange tables (and this kombu's `_kombu.binding_deadlines` /
# `_kombu.binding_permanent.*`), the `unacked` hash, `unacked_index` and `unacked_mutex`, pidbox
# queues of workers (`<node>.celery.pidbox`) and of replies (`<uuid>.reply.celery.pidbox`), with
# their priority lists; Celery's result backend: `celery-task-meta-*`,
# `celery-taskset-meta-*` (groups, chord counters). Channels: fanout exchanges are published on
# `/<db>.<exchange>` (any db: `&/*`) and kombu PSUBSCRIBEs to them by pattern, which an ACL
# matches literally: `&/0.celery.pidbox` is the pidbox of a broker on database 0 (use your
# broker's database number); results are published on `celery-task-meta-<id>`.
CELERY_RULES = ["on", ">" + CELERY_PASSWORD, "resetkeys", "~celery*", "~_kombu.*", "~unacked",
                "~unacked_index", "~unacked_mutex", "~*.celery.pidbox*", "resetchannels",
                "&/*", "&/0.celery.pidbox", "&celery-task-meta-*"] + COMMANDS

# channels_redis (prefix `asgi`, the default): core layer keys and the pub/sub layer's channels
# all start with the prefix. flush() runs KEYS inside a script, so the layer's user also needs
# +keys (it lists key names, not values, of the whole database: leave it out if flush() is not
# used).
CHANNELS_RULES = ["on", ">" + CHANNELS_PASSWORD, "resetkeys", "~asgi*", "resetchannels", "&asgi*"
                  ] + COMMANDS + ["+keys"]

# The harness's own Celery tasks record what they did in plain keys (celery_app.record_client).
HARNESS_RECORD_KEYS = ["~order", "~attempts:*", "~starts:*", "~eta", "~revoked", "~after",
                       "~held"]


def enabled() -> bool:
    return os.environ.get("DRAYMAN_HARNESS_ACL") == "1"


def server_args() -> list[str]:
    """drayman-server / redis-server arguments defining both users."""
    return ["--user", "celery", *CELERY_RULES, *HARNESS_RECORD_KEYS,
            "--user", "channels", *CHANNELS_RULES]


def base_url(port: int, user: str) -> str:
    """redis://[user:password@]127.0.0.1:port, with credentials only in ACL mode."""
    if not enabled():
        return f"redis://127.0.0.1:{port}"
    password = CELERY_PASSWORD if user == "celery" else CHANNELS_PASSWORD
    return f"redis://{user}:{password}@127.0.0.1:{port}"
