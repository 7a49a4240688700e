"""Reading a server's whole dataset into a comparable value, for tests that move data between
servers (RDB, AOF, DUMP/RESTORE interop) or across a restart of one server.

dataset(r) maps (db, key) to (type, value, absolute expiry in ms or -1), with every collection in
a canonical order and sorted-set scores as exact float hex. encodings=True adds OBJECT ENCODING;
ttl_resolution_ms coarsens expiries (a relative TTL set on two servers at different moments).
"""

from __future__ import annotations

import redis


def key_value(r: redis.Redis, key: bytes) -> tuple[str, object]:
    """(type, value) of one key of the selected database."""
    kind = r.type(key).decode()
    if kind == "string":
        value = r.get(key)
    elif kind == "list":
        value = r.lrange(key, 0, -1)
    elif kind == "set":
        value = sorted(r.smembers(key))
    elif kind == "hash":
        value = sorted(r.hgetall(key).items())
    elif kind == "zset":
        value = [(member, score.hex()) for member, score in r.zrange(key, 0, -1, withscores=True)]
    else:
        raise AssertionError(f"unexpected type {kind} of {key!r}")
    return kind, value


def dataset(r: redis.Redis, *, dbs: int = 16, encodings: bool = False,
            ttl_resolution_ms: int = 1) -> dict:
    """Every key of databases 0..dbs-1. Leaves the connection on database 0."""
    out = {}
    for db in range(dbs):
        r.select(db)
        for key in r.scan_iter(count=1000):
            kind, value = key_value(r, key)
            expire = r.pexpiretime(key)
            if expire > 0:
                expire //= ttl_resolution_ms
            entry = (kind, value, expire)
            if encodings:
                entry += (r.object("encoding", key),)
            out[(db, key)] = entry
    r.select(0)
    return out
