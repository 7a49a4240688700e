"""The queue dashboard page (server/http/dashboard/index.html, compiled into the binary) and the
/api JSON it reads, with a kombu-style queue filled by raw commands. The page itself is checked
for what it renders from; harness/test_dashboard_browser.py renders it in headless Chromium with a
real Celery app."""

from __future__ import annotations

import base64
import json
import socket
import time

import redis

from test_metrics import drayman_http, http_get


def kombu_message(task: str, task_id: str) -> str:
    body = base64.b64encode(json.dumps([[1, 2], {}, {}]).encode()).decode()
    return json.dumps({"body": body, "content-encoding": "utf-8",
                       "content-type": "application/json",
                       "headers": {"task": task, "id": task_id, "retries": 0, "eta": None},
                       "properties": {"delivery_tag": task_id, "body_encoding": "base64"}})


def test_dashboard_page_is_served_and_reads_the_api():
    server, http_port = drayman_http()
    try:
        status, page = http_get(f"http://127.0.0.1:{http_port}/")
        assert status == 200
        assert "<table id=\"queues\">" in page
        for path in ("/api/server", "/api/queues", "/api/history", "/api/clients", "/api/queue?"):
            assert path in page, path
        client = redis.Redis(port=server.port)
        client.sadd("_kombu.binding.celery", "celery\x06\x16\x06\x16celery")
        for number in range(3):
            client.lpush("celery", kombu_message("tasks.add", f"id-{number}"))
        # The chart ends at the server's time, on the clock of /api/history's samples (the first
        # is taken by the first cron pass after start).
        deadline = time.monotonic() + 30
        while not json.loads(http_get(f"http://127.0.0.1:{http_port}/api/history")[1])["server"]:
            assert time.monotonic() < deadline, "no history sample"
            time.sleep(0.05)
        history = json.loads(http_get(f"http://127.0.0.1:{http_port}/api/history")[1])
        server_time = json.loads(http_get(f"http://127.0.0.1:{http_port}/api/server")[1])["time_ms"]
        assert 0 < history["server"][-1][0] <= server_time
        status, body = http_get(f"http://127.0.0.1:{http_port}/api/queues")
        assert status == 200
        queues = json.loads(body)["queues"]
        assert [(q["name"], q["ready"], q["published"]) for q in queues] == [("celery", 3, 3)]
        status, body = http_get(f"http://127.0.0.1:{http_port}/api/queue?db=0&name=celery")
        detail = json.loads(body)
        assert detail["head"][0]["task"] == "tasks.add"
        assert detail["head"][0]["id"] == "id-0"  # LPUSH: the oldest is consumed first (RPOP)
        client.rpop("celery")
        queues = json.loads(http_get(f"http://127.0.0.1:{http_port}/api/queues")[1])["queues"]
        assert (queues[0]["ready"], queues[0]["delivered"]) == (2, 1)
        client.close()
    finally:
        server.stop()


def test_api_server_reads_info_figures():
    """/api/server takes its figures from INFO's own collection: blocked_clients counts a client
    waiting in BLPOP and, as INFO's does, a client whose command CLIENT PAUSE holds."""
    server, http_port = drayman_http()
    control = redis.Redis(port=server.port, decode_responses=True)
    waiting = socket.create_connection(("127.0.0.1", server.port))
    held = socket.create_connection(("127.0.0.1", server.port))

    def api() -> dict:
        status, body = http_get(f"http://127.0.0.1:{http_port}/api/server")
        assert status == 200
        return json.loads(body)

    def reply(sock: socket.socket, expected: bytes) -> bytes:
        got = b""
        while len(got) < len(expected):
            chunk = sock.recv(len(expected) - len(got))
            assert chunk, "connection closed"
            got += chunk
        return got

    def wait_blocked(count: int) -> None:
        deadline = time.monotonic() + 30
        while control.info("clients")["blocked_clients"] != count:
            assert time.monotonic() < deadline, f"blocked_clients never reached {count}"
            time.sleep(0.01)

    try:
        control.set("plain", "v")
        control.set("expiring", "v", ex=1000)
        waiting.sendall(b"*3\r\n$5\r\nBLPOP\r\n$5\r\nqueue\r\n$1\r\n0\r\n")
        wait_blocked(1)
        assert api()["blocked_clients"] == 1
        control.client_pause(100000, all=False)  # WRITE: the SET below is held
        held.sendall(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n")
        wait_blocked(2)
        document = api()
        info = control.info()  # every default section
        assert document["blocked_clients"] == info["blocked_clients"] == 2
        assert document["connected_clients"] == info["connected_clients"] == 3
        assert document["keyspace"] == [{"db": 0, "keys": 2, "expires": 1}]
        assert document["redis_version"] == info["redis_version"]
        assert document["maxmemory"] == info["maxmemory"]
        assert document["persistence"]["changes_since_last_save"] == \
            info["rdb_changes_since_last_save"]
        assert document["persistence"]["last_bgsave_ok"] is True
        assert document["persistence"]["aof_enabled"] is False
        assert document["persistence"]["bgsave_in_progress"] is False
        control.client_unpause()
        assert reply(held, b"+OK\r\n") == b"+OK\r\n"
        wait_blocked(1)
        control.lpush("queue", "job")
        popped = b"*2\r\n$5\r\nqueue\r\n$3\r\njob\r\n"
        assert reply(waiting, popped) == popped
        wait_blocked(0)
        assert api()["blocked_clients"] == 0
    finally:
        waiting.close()
        held.close()
        control.close()
        server.stop()
