"""maxmemory with the real binaries: Drayman and redis-server side by side, same assertions.

noeviction: LPUSH into one queue (a Celery queue whose consumers died) until the server refuses;
the refusal is Redis's exact OOM error, used_memory stops within a few percent of the limit and
the resident set stops growing. allkeys-lru: keys touched recently survive while idle ones are
evicted. Measured numbers are printed (pytest -s) for the record.
"""

from __future__ import annotations

import os
import socket
import time

import pytest
import redis

# Sanitizer builds replace malloc, so the counting allocator behind used_memory is absent there
# (used_memory falls back to RSS, which ASan's shadow memory inflates): the plain pass measures.
needs_counting_allocator = pytest.mark.skipif(
    bool(os.environ.get("DRAYMAN_SANITIZE")), reason="used_memory is only exact without sanitizers")

from servers import DraymanProcess, RedisProcess, rss_bytes

MB = 1024 * 1024
OOM_LINE = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"

SERVERS = {"drayman": DraymanProcess, "redis": RedisProcess}


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def raw_command(port: int, *args: bytes) -> bytes:
    """One command over a raw socket; returns the reply's first line, byte for byte."""
    payload = b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        reply = b""
        while not reply.endswith(b"\r\n"):
            chunk = sock.recv(4096)
            assert chunk, "connection closed"
            reply += chunk
        return reply


@needs_counting_allocator
@pytest.mark.parametrize("name", ["drayman", "redis"])
def test_noeviction_refuses_writes_and_memory_stops_growing(name):
    limit = 100 * MB
    with SERVERS[name]("--maxmemory", "100mb", "--maxmemory-policy", "noeviction") as server:
        client = redis.Redis(port=server.port)
        assert client.config_get("maxmemory") == {"maxmemory": str(limit)}
        element = b"x" * 100
        batch = [element] * 100  # about 10 KB per LPUSH
        pushes = refused = 0
        while not refused:
            pipe = client.pipeline(transaction=False)
            for _ in range(100):
                pipe.lpush("celery", *batch)
            for result in pipe.execute(raise_on_error=False):
                if isinstance(result, redis.exceptions.OutOfMemoryError):
                    refused += 1
                else:
                    pushes += 1
            assert pushes * len(batch) * len(element) < 2 * limit, "never refused"
        assert raw_command(server.port, b"LPUSH", b"celery", b"x") == OOM_LINE
        used_at_refusal = used_memory(client)
        rss_at_refusal = rss_bytes(server.pid)
        # Keep pushing: writes are refused and nothing grows. As in Redis, the check is made
        # before each command, so when a pipeline's reply buffers are freed and memory dips just
        # under the limit one write may get in (then the next is refused again): at most one per
        # pipeline, which the growth bounds below keep honest.
        accepted = 0
        for _ in range(20):
            pipe = client.pipeline(transaction=False)
            for _ in range(100):
                pipe.lpush("celery", *batch)
            results = pipe.execute(raise_on_error=False)
            accepted += sum(not isinstance(r, redis.exceptions.OutOfMemoryError) for r in results)
        assert accepted <= 20
        used_after = used_memory(client)
        rss_after = rss_bytes(server.pid)
        length = client.llen("celery")
        print(f"\n{name}: {length} elements accepted, used_memory {used_at_refusal} "
              f"({used_at_refusal / limit:.4f} of the limit) then {used_after}, "
              f"RSS {rss_at_refusal} then {rss_after} ({rss_after / limit:.3f} of the limit)")
        # Refused because it was over the limit; read after the pipeline's buffers were freed.
        assert abs(used_at_refusal - limit) < limit * 0.03
        assert abs(used_after - used_at_refusal) < limit * 0.01
        assert rss_after - rss_at_refusal < 2 * MB
        # Reads and deletes still work, and free memory for writes again.
        assert client.lrange("celery", 0, 0) == [element]
        client.delete("celery")
        assert client.lpush("celery", b"task") == 1


@needs_counting_allocator
@pytest.mark.parametrize("name", ["drayman", "redis"])
def test_allkeys_lru_keeps_hot_keys_and_evicts_cold_ones(name):
    limit = 32 * MB
    # No eviction time budget: with the default (tenacity 10, 500 us per command) writes on a
    # loaded machine run ahead of eviction in both servers, and this test is about the policy.
    with SERVERS[name]("--maxmemory", "32mb", "--maxmemory-policy", "allkeys-lru",
                       "--maxmemory-eviction-tenacity", "100") as server:
        client = redis.Redis(port=server.port)
        value = b"v" * 1000
        hot = [f"hot:{i}" for i in range(100)]
        client.mset({key: value for key in hot})
        # Cold keys up to about 80% of the limit.
        cold = []
        while used_memory(client) < limit * 0.8:
            keys = [f"cold:{len(cold) + i}" for i in range(500)]
            client.mset({key: value for key in keys})
            cold += keys
        assert int(client.info("stats")["evicted_keys"]) == 0
        # The LRU clock counts whole seconds: let the cold keys age, then touch the hot ones.
        time.sleep(2.1)
        client.mget(hot)
        # New writes worth 40% of the limit: about half the cold keys must go.
        fresh = []
        while len(fresh) < len(cold) // 2:
            keys = [f"new:{len(fresh) + i}" for i in range(500)]
            client.mset({key: value for key in keys})
            fresh += keys
            client.mget(hot)
        evicted = int(client.info("stats")["evicted_keys"])
        used = used_memory(client)
        hot_left = sum(1 for v in client.mget(hot) if v is not None)
        cold_left = sum(1 for v in client.mget(cold) if v is not None)
        fresh_left = sum(1 for v in client.mget(fresh) if v is not None)
        print(f"\n{name}: {len(cold)} cold, {len(fresh)} new, evicted {evicted}: hot left "
              f"{hot_left}/{len(hot)}, cold left {cold_left}, new left {fresh_left}, "
              f"used_memory {used} ({used / limit:.4f} of the limit)")
        assert evicted > len(cold) // 10
        assert hot_left == len(hot)
        # Evictions fell on the idle keys: almost all of them were cold ones.
        assert len(cold) - cold_left >= 0.9 * evicted
        assert used <= limit * 1.03
