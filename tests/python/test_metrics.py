"""The HTTP admin listener's /metrics, read by real consumers.

- Debian's `prometheus` scrapes Drayman (with Basic auth against requirepass) and its query API
  returns a key count this test set.
- Debian's `prometheus-redis-exporter` scrapes redis-server 7.0.15: Drayman's own /metrics must
  export every metric name the exporter exports there, except the names listed in
  NOT_EXPORTED with the reason; and the exporter itself works against Drayman.
- /metrics agrees with INFO, parses with the Prometheus client library's parser, and counts
  disconnections by cause and pub/sub messages nobody received.
Every process is started on ephemeral loopback ports and stopped at the end.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis
from prometheus_client.parser import text_string_to_metric_families

from servers import DraymanProcess, RedisProcess, free_port, wait_for_port

# Names the exporter gives redis-server 7.0.15 that Drayman's /metrics does not have, and why.
NOT_EXPORTED = {
    # The exporter's own bookkeeping, not figures of the server.
    "redis_exporter_last_scrape_connect_time_seconds": "exporter's own",
    "redis_exporter_last_scrape_duration_seconds": "exporter's own",
    "redis_exporter_last_scrape_error": "exporter's own",
    "redis_exporter_scrape_duration_seconds_count": "exporter's own",
    "redis_exporter_scrape_duration_seconds_sum": "exporter's own",
    "redis_exporter_scrapes_total": "exporter's own",
    "redis_target_scrape_request_errors_total": "exporter's own",
    "redis_last_key_groups_scrape_duration_milliseconds": "exporter's own (--check-key-groups)",
    # INFO fields Drayman's INFO does not have (so /metrics, read from the same source, neither).
    "redis_defrag_hits": "no active defragmentation (jemalloc only)",
    "redis_defrag_key_hits": "no active defragmentation (jemalloc only)",
    "redis_defrag_key_misses": "no active defragmentation (jemalloc only)",
    "redis_defrag_misses": "no active defragmentation (jemalloc only)",
    "redis_io_threaded_reads_processed": "no I/O threads",
    "redis_io_threaded_writes_processed": "no I/O threads",
    "redis_total_reads_processed": "in INFO, not exported to /metrics yet",
    "redis_total_writes_processed": "in INFO, not exported to /metrics yet",
    "redis_latest_fork_seconds": "never forks (BGSAVE is fork-less): latest_fork_usec is 0",
    "redis_migrate_cached_sockets_total": "no MIGRATE",
    "redis_replica_partial_resync_accepted": "no replication",
    "redis_replica_partial_resync_denied": "no replication",
    "redis_replica_resyncs_full": "no replication",
    "redis_slave_expires_tracked_keys": "no replication",
    "redis_expired_stale_percentage": "in INFO, not exported to /metrics yet",
    "redis_expired_time_cap_reached_total": "in INFO, not exported to /metrics yet",
    "redis_dump_payload_sanitizations": "in INFO, not exported to /metrics yet",
    "redis_unexpected_error_replies": "in INFO, not exported to /metrics yet",
    "redis_latency_percentiles_usec": "INFO latencystats is not exported to /metrics yet",
    "redis_latency_percentiles_usec_count": "INFO latencystats is not exported to /metrics yet",
    "redis_latency_percentiles_usec_sum": "INFO latencystats is not exported to /metrics yet",
}

EXPORTER = shutil.which("prometheus-redis-exporter")
PROMETHEUS = shutil.which("prometheus")


def http_get(url: str, password: str | None = None, timeout: float = 5.0) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if password is not None:
        token = base64.b64encode(f"anyone:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def sample_names(text: str) -> set[str]:
    names = set()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            names.add(line.split("{")[0].split(" ")[0])
    return names


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """(name, sorted labels) -> value, parsed by the Prometheus client library."""
    result = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            result[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return result


def drayman_http(*args: str) -> tuple[DraymanProcess, int]:
    server = DraymanProcess("--http-port", "0", *args)
    client = redis.Redis(port=server.port, password=_password(args))
    http_port = int(client.config_get("http-port")["http-port"])
    client.close()
    return server, http_port


def _password(args: tuple[str, ...]) -> str | None:
    return args[args.index("--requirepass") + 1] if "--requirepass" in args else None


class Exporter:
    """prometheus-redis-exporter pointed at `redis_port`, on a free loopback port."""

    def __init__(self, redis_port: int) -> None:
        self.port = free_port()
        self.proc = subprocess.Popen(
            [EXPORTER, "-redis.addr", f"redis://127.0.0.1:{redis_port}", "-redis-only-metrics",
             "-web.listen-address", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def scrape(self) -> str:
        status, text = http_get(f"http://127.0.0.1:{self.port}/metrics", timeout=20)
        assert status == 200
        return text

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def fill(client: redis.Redis) -> None:
    """The same small dataset and command mix on either server."""
    client.rpush("celery", *[f"task{i}" for i in range(5)])
    client.set("expiring", "v", ex=1000)
    client.get("expiring")
    client.get("missing")
    client.publish("nobody-listens", "lost")
    with pytest.raises(redis.ResponseError):
        client.execute_command("NOSUCHCOMMAND")


@pytest.fixture
def http_server():
    server, http_port = drayman_http()
    yield server, http_port
    server.stop()


def test_metrics_parse_and_agree_with_info(http_server):
    server, http_port = http_server
    client = redis.Redis(port=server.port)
    fill(client)
    client.select(3)
    client.mset({f"k{i}": i for i in range(7)})
    client.expire("k0", 100)
    status, text = http_get(f"http://127.0.0.1:{http_port}/metrics")
    assert status == 200
    values = samples(text)
    keyspace = client.info("keyspace")
    assert values[("redis_db_keys", (("db", "db3"),))] == keyspace["db3"]["keys"] == 7
    assert values[("redis_db_keys_expiring", (("db", "db3"),))] == 1
    assert values[("redis_db_keys", (("db", "db0"),))] == keyspace["db0"]["keys"] == 2
    assert values[("redis_db_keys", (("db", "db15"),))] == 0  # every database, as the exporter
    assert values[("redis_up", ())] == 1
    assert values[("redis_connected_clients", ())] == client.info("clients")["connected_clients"]
    stats = client.info("commandstats")
    assert values[("redis_commands_total", (("cmd", "rpush"),))] == stats["cmdstat_rpush"]["calls"]
    assert values[("redis_commands_total", (("cmd", "config|get"),))] == 1
    assert values[("redis_errors_total", (("err", "ERR"),))] >= 1
    assert values[("redis_memory_max_bytes", ())] == 0
    assert values[("drayman_pubsub_messages_unreceived_total", ())] == 1
    assert values[("drayman_pubsub_messages_published_total", ())] == 1
    info_everything = client.info("everything")
    assert values[("redis_process_id", ())] == info_everything["process_id"]
    assert values[("redis_keyspace_misses_total", ())] == info_everything["keyspace_misses"]
    client.close()


def test_disconnections_are_counted_by_cause(http_server):
    server, http_port = http_server
    admin = redis.Redis(port=server.port)
    admin.config_set("client-output-buffer-limit", "pubsub 1 0 0")
    quitter = socket.create_connection(("127.0.0.1", server.port))
    quitter.sendall(b"QUIT\r\n")
    assert quitter.recv(100) == b"+OK\r\n"
    quitter.close()
    garbled = socket.create_connection(("127.0.0.1", server.port))
    garbled.sendall(b"*1\r\n$abc\r\n")
    garbled.recv(100)
    garbled.close()
    victim = redis.Redis(port=server.port)
    assert admin.execute_command("CLIENT", "KILL", "ID", victim.client_id()) == 1
    subscriber = socket.create_connection(("127.0.0.1", server.port))
    subscriber.sendall(b"SUBSCRIBE news\r\n")
    subscriber.recv(100)
    admin.publish("news", "x" * 100)  # over the 1-byte pubsub hard limit
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        values = samples(http_get(f"http://127.0.0.1:{http_port}/metrics")[1])
        by_cause = {labels[0][1]: value for (name, labels), value in values.items()
                    if name == "drayman_disconnections_total"}
        if by_cause["output_buffer_limit"] >= 1 and by_cause["client_kill"] >= 1:
            break
        time.sleep(0.05)
    subscriber.close()
    assert by_cause["quit"] == 1
    assert by_cause["protocol_error"] == 1
    assert by_cause["client_kill"] == 1
    assert by_cause["output_buffer_limit"] == 1
    admin.close()


def test_requirepass_protects_the_http_listener():
    server, http_port = drayman_http("--requirepass", "s3cr@t/pw")
    try:
        status, body = http_get(f"http://127.0.0.1:{http_port}/metrics")
        assert status == 401 and "redis_up" not in body
        assert http_get(f"http://127.0.0.1:{http_port}/metrics", password="wrong")[0] == 401
        status, body = http_get(f"http://127.0.0.1:{http_port}/metrics", password="s3cr@t/pw")
        assert status == 200 and "\nredis_up 1\n" in body
    finally:
        server.stop()


def test_prometheus_scrapes_drayman_and_answers_queries():
    assert PROMETHEUS, "Debian's prometheus is required (tools/install-deps.sh installs it)"
    server, http_port = drayman_http("--requirepass", "pw")
    workdir = Path(tempfile.mkdtemp(prefix="prometheus-"))
    prometheus = None
    try:
        client = redis.Redis(port=server.port, password="pw", db=5)
        client.mset({f"queue:{i}": "x" for i in range(11)})
        config = workdir / "prometheus.yml"
        config.write_text(json.dumps({
            "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
            "scrape_configs": [{
                "job_name": "drayman",
                "basic_auth": {"username": "prometheus", "password": "pw"},
                "static_configs": [{"targets": [f"127.0.0.1:{http_port}"]}],
            }],
        }))
        web_port = free_port()
        prometheus = subprocess.Popen(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={workdir / 'data'}",
             f"--web.listen-address=127.0.0.1:{web_port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(web_port, deadline_s=30)
        query = urllib.request.quote('redis_db_keys{db="db5",job="drayman"}')
        result = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, body = http_get(f"http://127.0.0.1:{web_port}/api/v1/query?query={query}")
            if status == 200:
                result = json.loads(body)["data"]["result"]
                if result:
                    break
            time.sleep(0.2)
        assert result, "Prometheus never stored a scrape of Drayman"
        assert float(result[0]["value"][1]) == 11
        # The scrape itself succeeded (up is Prometheus's own view of the target).
        status, body = http_get(
            f"http://127.0.0.1:{web_port}/api/v1/query?query=" + urllib.request.quote(
                'up{job="drayman"}'))
        assert float(json.loads(body)["data"]["result"][0]["value"][1]) == 1
        client.close()
    finally:
        if prometheus is not None:
            prometheus.terminate()
            prometheus.wait(timeout=20)
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def test_drayman_exports_every_name_the_exporter_gives_redis():
    assert EXPORTER, "Debian's prometheus-redis-exporter is required (tools/install-deps.sh)"
    with RedisProcess() as oracle:
        server, http_port = drayman_http()
        exporter_redis = Exporter(oracle.port)
        exporter_drayman = Exporter(server.port)
        try:
            for port in (oracle.port, server.port):
                fill(redis.Redis(port=port))
            redis_names = sample_names(exporter_redis.scrape())
            status, own = http_get(f"http://127.0.0.1:{http_port}/metrics")
            assert status == 200
            own_names = sample_names(own)
            missing = redis_names - own_names
            assert missing == set(NOT_EXPORTED), (
                f"missing without a reason: {sorted(missing - set(NOT_EXPORTED))}; "
                f"listed but exported now: {sorted(set(NOT_EXPORTED) - missing)}")
            # The exporter itself works against Drayman: up, and the figures it reads are right.
            via_exporter = exporter_drayman.scrape()
            values = samples(via_exporter)
            assert values[("redis_up", ())] == 1
            assert values[("redis_db_keys", (("db", "db0"),))] == 2
            assert values[("redis_commands_total", (("cmd", "rpush"),))] == 1
            # What the exporter makes of Drayman is what it makes of redis-server, minus the
            # fields Drayman's INFO lacks (the same list as above).
            # redis_config_io_threads: the exporter reads CONFIG GET io-threads, a parameter
            # Drayman does not list yet (its own /metrics exports it as 1).
            exporter_missing = redis_names - sample_names(via_exporter)
            assert exporter_missing <= set(NOT_EXPORTED) | {"redis_config_io_threads"}, sorted(
                exporter_missing - set(NOT_EXPORTED))
        finally:
            exporter_redis.stop()
            exporter_drayman.stop()
            server.stop()
