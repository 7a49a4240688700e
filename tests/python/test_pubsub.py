"""Pub/sub and MONITOR through real clients (redis-py 8, raw sockets), against Drayman and, where
Redis is the oracle, against Debian's redis-server with the same script.
"""

from __future__ import annotations

import asyncio
import os
import socket
import threading
import time

import pytest
import redis
import redis.asyncio

from servers import DraymanProcess


# --- helpers -----------------------------------------------------------------------------------


def encode(*args) -> bytes:
    out = b"*%d\r\n" % len(args)
    for arg in args:
        if isinstance(arg, str):
            arg = arg.encode()
        out += b"$%d\r\n%s\r\n" % (len(arg), arg)
    return out


class Raw:
    """A bare socket: sends commands and reads exactly what the server wrote."""

    def __init__(self, port: int, rcvbuf: int | None = None) -> None:
        self.sock = socket.socket()
        if rcvbuf is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect(("127.0.0.1", port))

    def send(self, *args) -> None:
        self.sock.sendall(encode(*args))

    def read_exactly(self, size: int, timeout: float = 5.0) -> bytes:
        self.sock.settimeout(timeout)
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                break
            data += chunk
        return data

    def read_available(self, quiet: float = 0.2) -> bytes:
        """Everything that arrives until the connection stays quiet for `quiet` seconds."""
        self.sock.settimeout(quiet)
        data = b""
        try:
            while True:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    break
                data += chunk
        except socket.timeout:
            pass
        return data

    def call(self, *args, quiet: float = 0.2) -> bytes:
        self.send(*args)
        return self.read_available(quiet)

    def close(self) -> None:
        self.sock.close()


def drain(pubsub, first_timeout: float = 2.0, quiet: float = 0.2) -> list:
    """Messages until none arrives for `quiet` seconds (waiting up to first_timeout for one)."""
    messages = []
    timeout = first_timeout
    while True:
        message = pubsub.get_message(timeout=timeout)
        if message is None:
            return messages
        messages.append(message)
        timeout = quiet


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


# --- the wire, byte for byte ---------------------------------------------------------------------


WIRE_SCRIPT = [
    ("UNSUBSCRIBE",),  # outside subscribed mode: one reply with a null name
    ("PUNSUBSCRIBE",),
    ("SUNSUBSCRIBE",),
    ("UNSUBSCRIBE", "x", "y"),
    ("SUBSCRIBE", "c1", "c1"),
    ("PSUBSCRIBE", "c*", "/0.celery.pidbox"),
    ("SSUBSCRIBE", "s1"),
    ("ECHO", "refused"),
    ("PUBSUB", "NUMPAT"),
    ("NOSUCHCOMMAND", "x"),
    ("ECHO",),
    ("PING",),
    ("PING", "redis-py-health-check"),
    ("UNSUBSCRIBE", "/0.celery.pidbox"),  # kombu: UNSUBSCRIBE of a pattern name
    ("PUNSUBSCRIBE", "c1"),
    ("UNSUBSCRIBE",),
    ("PUNSUBSCRIBE", "c*"),
    ("PUNSUBSCRIBE",),
    ("ECHO", "still-subscribed-by-shard"),
    ("SUNSUBSCRIBE",),
    ("ECHO", "free"),
    ("PING",),
]


def run_wire_script(port: int) -> list[bytes]:
    raw = Raw(port)
    try:
        return [raw.call(*command) for command in WIRE_SCRIPT]
    finally:
        raw.close()


def test_resp2_wire_matches_redis(drayman, oracle):
    assert run_wire_script(drayman.port) == run_wire_script(oracle.port)


def test_publish_wire_matches_redis(drayman, oracle):
    def script(port):
        subscriber, publisher = Raw(port), Raw(port)
        try:
            transcript = [subscriber.call("SUBSCRIBE", "news"), subscriber.call("PSUBSCRIBE", "n*")]
            transcript.append(publisher.call("SELECT", "3"))  # pub/sub ignores databases
            transcript.append(publisher.call("PUBLISH", "news", b"\x00bin\r\nary\xff"))
            transcript.append(subscriber.read_available())
            transcript.append(publisher.call("PUBLISH", "nothing-here", "x"))
            transcript.append(publisher.call("PUBSUB", "NUMSUB", "news", "zz"))
            transcript.append(publisher.call("PUBSUB", "NUMPAT"))
            transcript.append(publisher.call("PUBSUB", "CHANNELS", "n*"))
            transcript.append(publisher.call("SPUBLISH", "news", "x"))
            return transcript
        finally:
            subscriber.close()
            publisher.close()

    assert script(drayman.port) == script(oracle.port)


# --- redis-py ----------------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_redis_py_pubsub_matches_redis(drayman, oracle, protocol):

    def script(port):
        client = redis.Redis(port=port, protocol=protocol)
        publisher = redis.Redis(port=port, protocol=protocol)
        pubsub = client.pubsub()
        transcript = []
        pubsub.subscribe("celery-task-meta-1", "celery-task-meta-2")
        pubsub.psubscribe("/0.celery.pidbox*")
        transcript += drain(pubsub)
        transcript.append(publisher.publish("celery-task-meta-1", "SUCCESS"))
        transcript.append(publisher.publish("/0.celery.pidbox", b'{"m": "ping"}'))
        transcript += drain(pubsub)
        pubsub.ping()
        pubsub.ping("hello")
        transcript += drain(pubsub)
        pubsub.unsubscribe("/0.celery.pidbox*")  # kombu unsubscribes its patterns this way
        pubsub.unsubscribe("celery-task-meta-1", "celery-task-meta-2")
        pubsub.punsubscribe()
        transcript += drain(pubsub)
        transcript.append(pubsub.subscribed)
        pubsub.close()
        client.close()
        publisher.close()
        return transcript

    ours, theirs = script(drayman.port), script(oracle.port)
    assert ours == theirs
    assert {"type": "pmessage", "pattern": b"/0.celery.pidbox*", "channel": b"/0.celery.pidbox",
            "data": b'{"m": "ping"}'} in ours


def wait_for(pubsub, predicate, timeout: float = 3.0) -> list:
    """Calls get_message until predicate() holds; returns the messages seen on the way."""
    seen = []
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out; saw {seen}"
        message = pubsub.get_message(timeout=0.1)
        if message is not None:
            seen.append(message)
    return seen


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_health_check_while_subscribed(drayman, oracle, protocol):
    """redis-py's PubSub health check: PING redis-py-health-check must be swallowed, not seen."""

    def script(port):
        client = redis.Redis(port=port, protocol=protocol, health_check_interval=1)
        pubsub = client.pubsub()
        pubsub.subscribe("results")
        seen = drain(pubsub)
        pubsub.connection.next_health_check = 0  # due now
        pubsub.check_health()
        assert pubsub.health_check_response_counter == 1
        seen += wait_for(pubsub, lambda: pubsub.health_check_response_counter == 0)
        client.publish("results", "done")
        seen += drain(pubsub)
        # get_message runs the health check by itself once it is due.
        pubsub.connection.next_health_check = 0
        seen += wait_for(pubsub, lambda: pubsub.health_check_response_counter == 0)
        seen += drain(pubsub, first_timeout=0.3)
        pubsub.close()
        client.close()
        return seen

    ours = script(drayman.port)
    assert ours == [
        {"type": "subscribe", "pattern": None, "channel": b"results", "data": 1},
        {"type": "message", "pattern": None, "channel": b"results", "data": b"done"},
    ]
    assert ours == script(oracle.port)


def test_celery_style_result_consumer(drayman):
    """ResultConsumer: ignore_subscribe_messages, subscribe per task, unsubscribe when ready."""
    client = redis.Redis(port=drayman.port, protocol=2)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    tasks = [f"result-consumer-{i}" for i in range(50)]
    pubsub.subscribe(*tasks)
    for task in tasks[::7]:
        assert client.publish(task, f"result of {task}") == 1
    received = []
    deadline = time.monotonic() + 5
    while len(received) < len(tasks[::7]) and time.monotonic() < deadline:
        message = pubsub.get_message(timeout=0.1)  # None for the ignored confirmations
        if message is not None:
            received.append((message["channel"].decode(), message["data"].decode()))
    assert received == [(task, f"result of {task}") for task in tasks[::7]]
    pubsub.unsubscribe(*tasks[::7])
    assert drain(pubsub, first_timeout=0.5) == []
    assert client.pubsub_numsub(tasks[0], tasks[1]) == [(tasks[0].encode(), 0),
                                                         (tasks[1].encode(), 1)]
    pubsub.unsubscribe()
    drain(pubsub, first_timeout=0.5)
    assert client.pubsub_numsub(tasks[1]) == [(tasks[1].encode(), 0)]
    pubsub.close()
    client.close()


@pytest.mark.parametrize("protocol", [2, 3], ids=["resp2", "resp3"])
def test_asyncio_client(drayman, protocol):

    async def scenario():
        client = redis.asyncio.Redis(port=drayman.port, protocol=protocol)
        pubsub = client.pubsub()
        await pubsub.subscribe("asgispecific.abc")
        await pubsub.psubscribe("asgi__group__*")
        confirmations = [await pubsub.get_message(timeout=1) for _ in range(2)]
        assert [m["type"] for m in confirmations] == ["subscribe", "psubscribe"]
        assert await client.publish("asgispecific.abc", b"\x81\xa4type\xa4test") == 1
        assert await client.publish("asgi__group__room", b"hello") == 1
        first = await pubsub.get_message(timeout=2)
        second = await pubsub.get_message(timeout=2)
        assert first == {"type": "message", "pattern": None, "channel": b"asgispecific.abc",
                         "data": b"\x81\xa4type\xa4test"}
        assert second == {"type": "pmessage", "pattern": b"asgi__group__*",
                          "channel": b"asgi__group__room", "data": b"hello"}
        await pubsub.unsubscribe()
        await pubsub.punsubscribe()
        await pubsub.aclose()
        await client.aclose()

    asyncio.run(scenario())


def test_large_subscription_set_on_one_connection(drayman):
    """A Celery result consumer can hold hundreds of thousands of channels on one connection."""
    count = 100_000
    names = [f"large-set-{i:08d}-0a1b2c3d4e5f-celery-task-meta" for i in range(count)]
    client = redis.Redis(port=drayman.port, protocol=2)
    pubsub = client.pubsub()
    before_kb = rss_kb(drayman.pid)
    started = time.monotonic()
    pubsub.subscribe(*names)  # one SUBSCRIBE with every name, as Celery re-subscribes
    last = None
    for _ in range(count):
        last = pubsub.get_message(timeout=5)
        assert last is not None and last["type"] == "subscribe"
    subscribe_s = time.monotonic() - started
    assert last == {"type": "subscribe", "pattern": None, "channel": names[-1].encode(),
                    "data": count}
    after_kb = rss_kb(drayman.pid)
    assert client.pubsub_numsub(names[0], names[-1]) == [(names[0].encode(), 1),
                                                         (names[-1].encode(), 1)]
    started = time.monotonic()
    for index in (0, 4242, count - 1):
        assert client.publish(names[index], "ok") == 1
    publish_ms = (time.monotonic() - started) * 1000 / 3
    for index in (0, 4242, count - 1):
        message = pubsub.get_message(timeout=2)
        assert message == {"type": "message", "pattern": None, "channel": names[index].encode(),
                           "data": b"ok"}
    pubsub.unsubscribe()
    last = None
    for _ in range(count):
        last = pubsub.get_message(timeout=5)
        assert last is not None and last["type"] == "unsubscribe"
    assert last["data"] == 0
    assert client.pubsub_channels("large-set-*") == []
    print(f"\n100k channels: SUBSCRIBE + confirmations {subscribe_s:.2f}s, "
          f"RSS +{(after_kb - before_kb) / 1024:.1f} MiB, PUBLISH {publish_ms:.2f} ms")
    pubsub.close()
    client.close()


def test_monitor_lines_parse_with_redis_py(drayman):
    client = redis.Redis(port=drayman.port, protocol=2)
    with client.monitor() as monitor:
        client.publish("q\x06\x16", 'say "hi"')
        command = monitor.next_command()
        # The publishing connection's redis-py handshake comes first (Redis 7.2 monitors CLIENT
        # SETINFO too).
        while command["command"].startswith("CLIENT SETINFO"):
            command = monitor.next_command()
    assert command["db"] == 0
    assert command["client_type"] == "tcp"
    assert command["client_address"] == "127.0.0.1"
    assert command["command"] == 'PUBLISH q\\x06\\x16 say "hi"'
    assert abs(command["time"] - time.time()) < 5
    client.close()


def test_monitor_wire_matches_redis_format(drayman, oracle):
    def lines(port):
        monitor, other = Raw(port), Raw(port)
        try:
            head = monitor.call("MONITOR")
            other.call("SELECT", "2")
            other.call("PUBLISH", "ch", b"a\"b\\c\n\x01\xff")
            other.call("NOSUCHCOMMAND")  # never executed: not fed
            other.call("SUBSCRIBE", "x")
            other.call("ECHO", "refused")  # refused in the subscribed context: not fed
            body = monitor.read_available()
            port_of_other = other.sock.getsockname()[1]
            # Drop the timestamps and the client's port, which differ between runs.
            return head, [line.split(b" ", 1)[1].replace(b":%d]" % port_of_other, b":P]")
                          for line in body.split(b"\r\n") if line]
        finally:
            monitor.close()
            other.close()

    assert lines(drayman.port) == lines(oracle.port)


# --- slow subscribers --------------------------------------------------------------------------


def test_slow_subscriber_is_disconnected_and_memory_stays_bounded(monkeypatch):
    limit = "pubsub 1mb 512kb 5"
    # Under AddressSanitizer freed memory is quarantined (256 MB by default) and would count as
    # resident; a small quarantine keeps the RSS bound meaningful there too. No effect otherwise.
    asan_options = os.environ.get("ASAN_OPTIONS", "")
    monkeypatch.setenv("ASAN_OPTIONS", (asan_options + ":" if asan_options else "")
                       + "quarantine_size_mb=4")
    server = DraymanProcess()
    try:
        admin = redis.Redis(port=server.port, protocol=2)
        assert admin.config_set("client-output-buffer-limit", limit)
        assert admin.config_get("client-output-buffer-limit")[
            "client-output-buffer-limit"].endswith("pubsub 1048576 524288 5")

        channel = "broadcast"
        # The slow subscriber: a raw socket with a small receive buffer that never reads again.
        slow = Raw(server.port, rcvbuf=32 * 1024)
        assert slow.call("SUBSCRIBE", channel) == b"*3\r\n$9\r\nsubscribe\r\n$9\r\nbroadcast\r\n:1\r\n"

        # The healthy subscriber reads every message on a thread.
        healthy_client = redis.Redis(port=server.port, protocol=2)
        healthy = healthy_client.pubsub(ignore_subscribe_messages=True)
        healthy.subscribe(channel)
        assert healthy.get_message(timeout=2) is None
        received: list[int] = []
        stop = threading.Event()

        def reader():
            while not stop.is_set():
                message = healthy.get_message(timeout=0.1)
                if message is not None:
                    received.append(int(message["data"][:10]))

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()

        baseline_kb = rss_kb(server.pid)
        payload = b"x" * (64 * 1024 - 10)
        total = 1600  # 100 MiB in all, 100 times the hard limit
        started = time.monotonic()
        for sequence in range(total):
            # Keep the healthy reader within a few messages so only the slow one falls behind.
            while sequence - len(received) > 8:
                time.sleep(0.0005)
            receivers = admin.publish(channel, b"%010d" % sequence + payload)
            assert receivers in (1, 2)
        elapsed = time.monotonic() - started
        deadline = time.monotonic() + 10
        while len(received) < total and time.monotonic() < deadline:
            time.sleep(0.01)
        stop.set()
        thread.join(timeout=5)

        # The healthy subscriber got every message, in order.
        assert received == list(range(total))
        # The slow one was dropped: only the healthy subscriber remains...
        assert admin.pubsub_numsub(channel) == [(channel.encode(), 1)]
        # ...and its connection was closed after far less than was published.
        slow.sock.settimeout(10)
        got = 0
        try:
            while True:
                chunk = slow.sock.recv(1 << 16)
                if not chunk:
                    break
                got += len(chunk)
        except ConnectionResetError:
            pass
        assert got < total * len(payload) // 4
        peak_kb = rss_kb(server.pid, "VmHWM")
        now_kb = rss_kb(server.pid)
        print(f"\nslow subscriber: published {total * 64 // 1024} MiB in {elapsed:.2f}s; "
              f"slow socket got {got / 2**20:.1f} MiB; RSS baseline {baseline_kb} kB, "
              f"peak {peak_kb} kB, now {now_kb} kB")
        # Memory stays bounded: far below what the slow subscriber would have buffered.
        assert peak_kb - baseline_kb < 40 * 1024
        assert server.alive()
        slow.close()
        healthy.close()
        healthy_client.close()
        admin.close()
    finally:
        server.stop()
