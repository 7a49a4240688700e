"""Least-privilege ACL users for Celery and channels_redis (the README's recommended rule sets),
and how the harness's clients connect.

With DRAYMAN_HARNESS_ACL=1 the harness starts its server with these users (config `user` lines)
and every Celery worker, Celery client and channels_redis layer connects as its own user, so the
harness scenarios run under them. With DRAYMAN_HARNESS_TLS=1 the server also has a TLS port
(client certificates required, tls_certs.py's, made in DRAYMAN_HARNESS_CERTS or a temporary
directory) and those clients connect over rediss:// with the CA and a client certificate; the
tests' own inspection connections stay on the plain loopback port as the default user.
tests/python/harness/test_acl_users.py runs the scenarios with both and checks that each
application gets NOPERM on the other's keys, as redis-server does.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from tls_certs import make_ca_server_client

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


def tls_enabled() -> bool:
    return os.environ.get("DRAYMAN_HARNESS_TLS") == "1"


def server_args() -> list[str]:
    """drayman-server / redis-server arguments defining both users."""
    return ["--user", "celery", *CELERY_RULES, *HARNESS_RECORD_KEYS,
            "--user", "channels", *CHANNELS_RULES]


_certificates: Path | None = None


def certificates() -> Path:
    """The CA, server and client certificates: DRAYMAN_HARNESS_CERTS, or made once here."""
    global _certificates
    if _certificates is None:
        given = os.environ.get("DRAYMAN_HARNESS_CERTS")
        if given:
            _certificates = Path(given)
        else:
            made = tempfile.mkdtemp(prefix="harness-certs-")
            atexit.register(shutil.rmtree, made, ignore_errors=True)
            _certificates = make_ca_server_client(Path(made))
    return _certificates


def url_query() -> str:
    """What follows the database in a client URL: the TLS options over rediss://, else ""."""
    if not tls_enabled():
        return ""
    certs = certificates()
    return (f"?ssl_cert_reqs=required&ssl_ca_certs={certs / 'ca.crt'}"
            f"&ssl_certfile={certs / 'client.crt'}&ssl_keyfile={certs / 'client.key'}")


def base_url(broker, user: str) -> str:
    """redis[s]://[user:password@]127.0.0.1:port: the TLS port over TLS, credentials with ACL."""
    scheme, port = ("rediss", broker.tls_port) if tls_enabled() else ("redis", broker.port)
    if not enabled():
        return f"{scheme}://127.0.0.1:{port}"
    password = CELERY_PASSWORD if user == "celery" else CHANNELS_PASSWORD
    return f"{scheme}://{user}:{password}@127.0.0.1:{port}"


def url(broker, user: str, db: int) -> str:
    """The whole URL of database `db` for `user` (Celery's broker_url, channels_redis address)."""
    return f"{base_url(broker, user)}/{db}{url_query()}"
