"""Blocking list commands over real sockets: wake-up order, timeouts, disconnects, pipelining.

Times are measured loosely (a 1 s timeout must come back between 0.9 and 1.5 s): the point is that
timeouts fire on time, not late (redis-py 8 reads with a 5 s socket timeout beside channels_redis's
5 s BZPOPMIN).
"""

from __future__ import annotations

import socket
import time
import uuid

import pytest
import redis


def connect(server, protocol=2, **kwargs) -> redis.Redis:
    return redis.Redis(port=server.port, protocol=protocol, **kwargs)


@pytest.fixture
def key() -> str:
    """A fresh key prefix per test, so tests need no FLUSHALL."""
    return f"t:{uuid.uuid4().hex}:"


class RawClient:
    """A plain socket speaking RESP2, to send pipelines and see exactly when bytes arrive."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.buffer = b""

    def send(self, *commands: list) -> None:
        out = b""
        for args in commands:
            out += b"*%d\r\n" % len(args)
            for arg in args:
                arg = arg if isinstance(arg, bytes) else str(arg).encode()
                out += b"$%d\r\n%s\r\n" % (len(arg), arg)
        self.sock.sendall(out)

    def read_until(self, expected: bytes, timeout: float = 5.0) -> bytes:
        """Reads until the bytes received so far are exactly `expected` (or fails)."""
        deadline = time.monotonic() + timeout
        while len(self.buffer) < len(expected) and time.monotonic() < deadline:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            self.buffer += chunk
        data, self.buffer = self.buffer, b""
        return data

    def nothing_within(self, seconds: float) -> bool:
        self.sock.settimeout(seconds)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return True
        self.buffer += chunk
        return False

    def close(self) -> None:
        self.sock.close()


def wait_until_blocked(conn: redis.Redis, count: int) -> None:
    """Waits until `count` clients are blocked (INFO clients when available, else a pause)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            blocked = conn.info("clients").get("blocked_clients")
        except redis.ResponseError:
            blocked = None
        if blocked is None:
            time.sleep(0.2)
            return
        if blocked >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"{count} clients never blocked")


# --- Timeouts ---


@pytest.mark.parametrize("timeout, low, high", [(1, 0.9, 1.5), (0.5, 0.4, 1.0), ("0.25", 0.2, 0.7)])
def test_brpop_timeout_fires_on_time(drayman, key, timeout, low, high):
    conn = connect(drayman)
    started = time.monotonic()
    assert conn.brpop([key + "a", key + "b"], timeout=timeout) is None
    elapsed = time.monotonic() - started
    assert low <= elapsed <= high, elapsed


def test_timeout_beats_a_socket_timeout_of_the_same_order(drayman, key):
    # channels_redis: BZPOPMIN ... 5 on redis-py 8's 5 s socket timeout; scaled down here.
    conn = connect(drayman, socket_timeout=1.3)
    for _ in range(3):
        assert conn.blpop([key], timeout=1) is None


def test_many_deadlines_fire_in_order(drayman, key):
    clients = [RawClient(drayman.port) for _ in range(3)]
    try:
        started = time.monotonic()
        for raw, timeout in zip(clients, ["0.9", "0.3", "0.6"]):
            raw.send(["BLPOP", key, timeout])
        finished = {}
        for index in (1, 2, 0):  # in deadline order
            assert clients[index].read_until(b"*-1\r\n") == b"*-1\r\n"
            finished[index] = time.monotonic() - started
        assert finished[1] < finished[2] < finished[0]
        assert finished[0] <= 1.4
    finally:
        for raw in clients:
            raw.close()


def test_served_and_later_deadlines_do_not_delay_timeouts(drayman, key):
    # The server's deadline timer stays armed for a waiter that was served (it fires early and
    # re-arms) and re-arms only for an earlier deadline: every timeout must still fire on time.
    pusher = connect(drayman)
    served, later, long_wait, short_wait = (RawClient(drayman.port) for _ in range(4))
    try:
        started = time.monotonic()
        served.send(["BLPOP", key + "a", "0.3"])
        later.send(["BLPOP", key + "b", "0.6"])
        wait_until_blocked(pusher, 2)
        pusher.rpush(key + "a", "v")
        first = b"*2\r\n$%d\r\n%sa\r\n$1\r\nv\r\n" % (len(key) + 1, key.encode())
        assert served.read_until(first) == first
        assert later.read_until(b"*-1\r\n") == b"*-1\r\n"
        assert time.monotonic() - started <= 1.2
        # A consumer re-blocking with a timeout after each message, as kombu does.
        reply = b"*2\r\n$%d\r\n%sq\r\n$1\r\nm\r\n" % (len(key) + 1, key.encode())
        for _ in range(10):
            served.send(["BRPOP", key + "q", "1"])
            wait_until_blocked(pusher, 1)
            pusher.rpush(key + "q", "m")
            assert served.read_until(reply) == reply
        started = time.monotonic()
        long_wait.send(["BLPOP", key + "c", "5"])
        wait_until_blocked(pusher, 1)
        short_wait.send(["BLPOP", key + "d", "0.3"])
        assert short_wait.read_until(b"*-1\r\n") == b"*-1\r\n"
        assert time.monotonic() - started <= 1.2
    finally:
        for raw in (served, later, long_wait, short_wait):
            raw.close()


def test_timeout_errors_match_redis(drayman, oracle, key):
    ours, theirs = connect(drayman), connect(oracle)
    commands = [
        ("BLPOP", key, "-1"),
        ("BLPOP", key, "abc"),
        ("BLPOP", key, "inf"),
        ("BRPOP", key, "nan"),
        ("BLMOVE", key, key + "2", "UP", "LEFT", "0"),
        ("BLMOVE", key, key + "2", "LEFT", "LEFT", "x"),
        ("BRPOPLPUSH", key, key + "2", "-0.5"),
        ("BLMPOP", "0", "0", key, "LEFT"),
        ("BLMPOP", "0", "1", key, "LEFT", "COUNT", "0"),
        ("BLMPOP", "0", "1", key, "LEFT", "COUNT", "1", "COUNT", "1"),
        ("BLMPOP", "x", "1", key, "LEFT"),
        ("BLPOP", key),
    ]
    for command in commands:
        with pytest.raises(redis.ResponseError) as expected:
            theirs.execute_command(*command)
        with pytest.raises(redis.ResponseError) as actual:
            ours.execute_command(*command)
        assert str(actual.value) == str(expected.value), command


def test_python_repr_timeouts(drayman, key):
    conn = connect(drayman)
    started = time.monotonic()
    assert conn.execute_command("BLPOP", key, repr(0.3)) is None
    assert conn.execute_command("BLPOP", key, "3e-1") is None
    assert conn.execute_command("BLPOP", key, "0.0001") is None  # tiny, but not forever
    assert time.monotonic() - started < 2


# --- Pipelining around a blocked command ---


def test_replies_before_a_blocked_command_are_written_at_once(drayman, key):
    raw = RawClient(drayman.port)
    try:
        raw.send(["PING"], ["ECHO", "before"], ["BLPOP", key, "0.5"], ["ECHO", "after"])
        started = time.monotonic()
        assert raw.read_until(b"+PONG\r\n$6\r\nbefore\r\n") == b"+PONG\r\n$6\r\nbefore\r\n"
        assert time.monotonic() - started < 0.3  # not held back until BLPOP ends
        assert raw.read_until(b"*-1\r\n$5\r\nafter\r\n") == b"*-1\r\n$5\r\nafter\r\n"
        # The connection goes on normally once its pipeline was resumed.
        raw.send(["ECHO", "again"], ["PING"])
        assert raw.read_until(b"$5\r\nagain\r\n+PONG\r\n") == b"$5\r\nagain\r\n+PONG\r\n"
    finally:
        raw.close()


def test_commands_after_a_blocked_command_wait_for_it(drayman, key):
    pusher = connect(drayman)
    raw = RawClient(drayman.port)
    try:
        raw.send(["BLPOP", key, "0"], ["ECHO", "after"], ["LLEN", key])
        assert raw.nothing_within(0.2)
        assert pusher.rpush(key, "v") == 1
        expected = b"*2\r\n$%d\r\n%s\r\n$1\r\nv\r\n$5\r\nafter\r\n:0\r\n" % (
            len(key), key.encode())
        assert raw.read_until(expected) == expected
    finally:
        raw.close()


# --- Wake-ups ---


def test_waiters_are_served_in_arrival_order_across_connections(drayman, key):
    pusher = connect(drayman)
    waiters = [connect(drayman) for _ in range(3)]
    for index, conn in enumerate(waiters):
        conn.connection = conn.connection_pool.get_connection()
        conn.connection.send_command("BLPOP", key, 0)
        wait_until_blocked(pusher, index + 1)
    assert pusher.rpush(key, "1", "2", "3") == 3
    replies = [conn.connection.read_response() for conn in waiters]
    assert replies == [[key.encode(), b"1"], [key.encode(), b"2"], [key.encode(), b"3"]]


def test_kombu_brpop_priority_keys(drayman, key):
    conn = connect(drayman)
    queues = [key + "celery", key + "celery\x06\x163", key + "celery\x06\x169"]
    conn.lpush(queues[2], "low")
    conn.lpush(queues[0], "high")
    assert conn.brpop(queues, timeout=1) == (queues[0].encode(), b"high")
    assert conn.brpop(queues, timeout=1) == (queues[2].encode(), b"low")
    assert conn.brpop(queues, timeout=0.2) is None


def test_blocked_brpop_woken_by_lpush(drayman, key):
    pusher = connect(drayman)
    worker = connect(drayman)
    worker.connection = worker.connection_pool.get_connection()
    worker.connection.send_command("BRPOP", key + "a", key + "b", 5)
    wait_until_blocked(pusher, 1)
    started = time.monotonic()
    pusher.lpush(key + "b", "job")
    assert worker.connection.read_response() == [(key + "b").encode(), b"job"]
    assert time.monotonic() - started < 1


def test_blmove_chain_across_connections(drayman, key):
    pusher = connect(drayman)
    a, b, c = key + "a", key + "b", key + "c"
    first, second, reader = connect(drayman), connect(drayman), connect(drayman)
    for conn, command in ((first, ("BLMOVE", a, b, "LEFT", "RIGHT", 0)),
                          (second, ("BRPOPLPUSH", b, c, 0)), (reader, ("BLPOP", c, 0))):
        conn.connection = conn.connection_pool.get_connection()
        conn.connection.send_command(*command)
    wait_until_blocked(pusher, 3)
    pusher.lpush(a, "x")
    assert first.connection.read_response() == b"x"
    assert second.connection.read_response() == b"x"
    assert reader.connection.read_response() == [c.encode(), b"x"]
    assert pusher.exists(a, b, c) == 0


def test_disconnect_while_blocked_leaves_no_trace(drayman, key):
    pusher = connect(drayman)
    raw = RawClient(drayman.port)
    raw.send(["BRPOP", key, "0"])
    wait_until_blocked(pusher, 1)
    raw.close()
    time.sleep(0.1)
    survivor = connect(drayman)
    survivor.connection = survivor.connection_pool.get_connection()
    survivor.connection.send_command("BRPOP", key, 5)
    wait_until_blocked(pusher, 1)
    assert pusher.rpush(key, "only") == 1
    assert survivor.connection.read_response() == [key.encode(), b"only"]
    assert pusher.llen(key) == 0


def test_abrupt_disconnects_do_not_disturb_the_server(drayman, key):
    for _ in range(20):
        raw = RawClient(drayman.port)
        raw.send(["BLPOP", key, "0"], ["PING"])
        raw.close()
    assert connect(drayman).ping() is True


def test_client_unblock(drayman, key):
    admin = connect(drayman)
    waiter = connect(drayman)
    waiter_id = waiter.client_id()
    waiter.connection = waiter.connection_pool.get_connection()
    waiter.connection.send_command("BLPOP", key, 0)
    wait_until_blocked(admin, 1)
    assert admin.client_unblock(waiter_id, error=True) is True
    with pytest.raises(redis.ResponseError, match="^UNBLOCKED client unblocked via CLIENT UNBLOCK$"):
        waiter.connection.read_response()
    waiter.connection.send_command("BLPOP", key, 0)
    wait_until_blocked(admin, 1)
    assert admin.client_unblock(waiter_id) is True
    assert waiter.connection.read_response() is None
    assert admin.client_unblock(waiter_id) is False


# --- RESP3 ---


def test_resp3_timeout_is_a_null(drayman, key):
    conn = connect(drayman, protocol=3)
    assert conn.blpop([key], timeout=0.2) is None
    assert conn.blmove(key, key + "2", 0.2) is None
    assert conn.blmpop(0.2, 1, key, direction="LEFT") is None


def test_resp3_wake_up(drayman, key):
    pusher = connect(drayman, protocol=3)
    waiter = connect(drayman, protocol=3)
    waiter.connection = waiter.connection_pool.get_connection()
    waiter.connection.send_command("BLPOP", key, 5)
    wait_until_blocked(pusher, 1)
    pusher.rpush(key, "v")
    assert waiter.connection.read_response() == [key.encode(), b"v"]


# --- Sorted sets (channels_redis: BZPOPMIN on a 5 s timeout, ZADD to send) ---


def test_bzpopmin_woken_by_zadd(drayman, key):
    sender = connect(drayman)
    receiver = connect(drayman)
    receiver.connection = receiver.connection_pool.get_connection()
    receiver.connection.send_command("BZPOPMIN", key, 5)
    wait_until_blocked(sender, 1)
    sender.zadd(key, {"msg": 1724003600.5678232})
    reply = receiver.connection.read_response()
    assert reply[:2] == [key.encode(), b"msg"]
    assert float(reply[2]) == 1724003600.5678232  # the score round-trips exactly


def test_bzpopmin_timeout_beside_a_socket_timeout(drayman, key):
    conn = connect(drayman, socket_timeout=1.3)
    started = time.monotonic()
    assert conn.bzpopmin([key], timeout=1) is None
    assert 0.9 <= time.monotonic() - started <= 1.5


def test_resp3_bzpopmin_score_is_a_double(drayman, key):
    conn = connect(drayman, protocol=3)
    conn.zadd(key, {"m": 1.5})
    assert conn.bzpopmin([key], timeout=1) == [key.encode(), b"m", 1.5]
    assert conn.bzpopmin([key], timeout=0.1) is None
