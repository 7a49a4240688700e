"""MULTI/EXEC/WATCH through redis-py's pipeline(transaction=True) and client.transaction().

Replies and errors are compared with Debian's redis-server where Redis is the oracle.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest
import redis

from test_blocking import connect, wait_until_blocked


@pytest.fixture
def key() -> str:
    return f"t:{uuid.uuid4().hex}:"


def test_pipeline_transaction(drayman):
    conn = connect(drayman)
    pipe = conn.pipeline(transaction=True)
    pipe.ping().echo("a").echo("b")
    assert pipe.execute() == [True, b"a", b"b"]


def test_empty_and_discarded_transactions(drayman):
    conn = connect(drayman)
    assert conn.pipeline(transaction=True).execute() == []
    connection = conn.connection_pool.get_connection()
    try:
        connection.send_command("MULTI")
        assert connection.read_response() == b"OK"
        connection.send_command("ECHO", "x")
        assert connection.read_response() == b"QUEUED"
        connection.send_command("DISCARD")
        assert connection.read_response() == b"OK"
    finally:
        conn.connection_pool.release(connection)


def comparable(reply):
    """Error objects (also inside EXEC's array) become ("error", text) so replies compare."""
    if isinstance(reply, redis.ResponseError):
        return ("error", str(reply))
    if isinstance(reply, list):
        return [comparable(item) for item in reply]
    return reply


def run_raw(server, *commands):
    """Runs commands one by one on one connection; errors become ("error", text)."""
    conn = connect(server)
    connection = conn.connection_pool.get_connection()
    replies = []
    try:
        for command in commands:
            connection.send_command(*command)
            try:
                replies.append(comparable(connection.read_response()))
            except redis.ResponseError as error:
                replies.append(("error", str(error)))
    finally:
        connection.disconnect()
    return replies


@pytest.mark.parametrize(
    "commands",
    [
        [("EXEC",), ("DISCARD",), ("MULTI",), ("MULTI",), ("WATCH", "k"), ("PING",), ("EXEC",)],
        [("MULTI",), ("NOSUCH", "a"), ("PING",), ("EXEC",), ("EXEC",)],
        [("MULTI",), ("ECHO",), ("EXEC",)],
        [("MULTI",), ("WATCH",), ("EXEC",)],
        [("MULTI",), ("SELECT", "abc"), ("BLPOP", "k", "-1"), ("ECHO", "still"), ("EXEC",)],
        [("MULTI",), ("BLPOP", "nothing", "0"), ("BLMOVE", "a", "b", "LEFT", "LEFT", "0"),
         ("EXEC",)],
        [("WATCH",), ("WATCH", "a", "b"), ("UNWATCH",), ("MULTI",), ("EXEC",)],
        [("MULTI",), ("MONITOR",), ("EXEC",), ("PING",)],
    ],
    ids=["control-errors", "unknown-aborts", "arity-aborts", "watch-arity-aborts",
         "runtime-errors-continue", "blocking-inside-multi", "watch-unwatch",
         "monitor-inside-multi"],
)
def test_transcripts_match_redis(drayman, oracle, commands):
    assert run_raw(drayman, *commands) == run_raw(oracle, *commands)


def test_queued_error_raises_like_redis(drayman, oracle):
    messages = []
    for server in (drayman, oracle):
        pipe = connect(server).pipeline(transaction=True)
        pipe.ping()
        pipe.execute_command("NOSUCHCOMMAND", "x")
        with pytest.raises(redis.ResponseError) as error:
            pipe.execute()
        messages.append(str(error.value))
    assert messages[0] == messages[1]


def test_runtime_error_inside_exec_does_not_stop_the_rest(drayman):
    pipe = connect(drayman).pipeline(transaction=True)
    pipe.execute_command("SELECT", "abc")
    pipe.echo("after")
    results = pipe.execute(raise_on_error=False)
    assert isinstance(results[0], redis.ResponseError)
    assert str(results[0]) == "value is not an integer or out of range"
    assert results[1] == b"after"


def test_watch_conflict_raises_watch_error(drayman, key):
    conn = connect(drayman)
    other = connect(drayman)
    with conn.pipeline(transaction=True) as pipe:
        pipe.watch(key)
        other.set(key, "changed")
        pipe.multi()
        pipe.set(key, "mine")
        with pytest.raises(redis.WatchError):
            pipe.execute()
    assert conn.get(key) == b"changed"


def test_client_transaction_retries_until_no_conflict(drayman, key):
    conn = connect(drayman)
    other = connect(drayman)
    conn.set(key, 0)
    attempts = []

    def increment(pipe):
        current = int(pipe.get(key))
        attempts.append(current)
        if len(attempts) < 3:
            other.incr(key)  # another client interferes: EXEC must come back null
        pipe.multi()
        pipe.set(key, current + 100)

    conn.transaction(increment, key)
    assert len(attempts) == 3
    assert conn.get(key) == b"102"


def test_watch_sees_expiry(drayman, key):
    conn = connect(drayman)
    conn.set(key, "v", px=100)
    with conn.pipeline(transaction=True) as pipe:
        pipe.watch(key)
        time.sleep(0.2)
        pipe.multi()
        pipe.ping()
        with pytest.raises(redis.WatchError):
            pipe.execute()


def test_unwatch_on_reset_after_an_exception(drayman, key):
    conn = connect(drayman)
    other = connect(drayman)
    with conn.pipeline(transaction=True) as pipe:
        pipe.watch(key)
        pipe.reset()  # sends UNWATCH
        other.set(key, "changed")
        pipe.multi()
        pipe.ping()
        assert pipe.execute() == [True]


def test_push_inside_exec_wakes_a_blocked_brpop(drayman, key):
    conn = connect(drayman)
    worker = connect(drayman)
    worker.connection = worker.connection_pool.get_connection()
    worker.connection.send_command("BRPOP", key, 5)
    wait_until_blocked(conn, 1)
    pipe = conn.pipeline(transaction=True)
    pipe.lpush(key, "job")
    pipe.llen(key)
    assert pipe.execute() == [1, 1]  # the pop happens after EXEC as a whole
    assert worker.connection.read_response() == [key.encode(), b"job"]


def test_kombu_restore_under_contention(drayman, key):
    """kombu's QoS.restore_by_tag: WATCH unacked; HGET; MULTI ZREM HDEL RPUSH EXEC, retried on
    WatchError, with other workers writing the same hash meanwhile."""
    conn = connect(drayman)
    unacked, index, queue = key + "unacked", key + "unacked_index", key + "celery"
    tags = [f"tag{i}" for i in range(50)]
    for tag in tags:
        conn.hset(unacked, tag, f"payload-{tag}")
        conn.zadd(index, {tag: time.time()})
    stop = threading.Event()

    def other_worker():
        noise = connect(drayman)
        i = 0
        while not stop.is_set():
            noise.hset(unacked, f"noise{i}", "x")
            noise.hdel(unacked, f"noise{i}")
            i += 1

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        for tag in tags:
            def restore(pipe, tag=tag):
                payload = pipe.hget(unacked, tag)
                pipe.multi()
                pipe.zrem(index, tag)
                pipe.hdel(unacked, tag)
                pipe.rpush(queue, payload)

            conn.transaction(restore, unacked)
    finally:
        stop.set()
        thread.join()
    assert conn.llen(queue) == len(tags)
    assert conn.hlen(unacked) == 0


def test_resp3_watch_conflict_is_a_null(drayman, key):
    conn = connect(drayman, protocol=3)
    other = connect(drayman, protocol=3)
    with conn.pipeline(transaction=True) as pipe:
        pipe.watch(key)
        other.set(key, "changed")
        pipe.multi()
        pipe.ping()
        with pytest.raises(redis.WatchError):
            pipe.execute()


def test_resp3_pipeline_transaction(drayman):
    pipe = connect(drayman, protocol=3).pipeline(transaction=True)
    pipe.ping().echo("a")
    assert pipe.execute() == [True, b"a"]


def test_celery_result_backend_setex_publish_in_exec(drayman, key):
    """Celery's RedisBackend._set: MULTI SETEX key ttl value; PUBLISH key value EXEC; the
    subscriber waiting in AsyncResult.get() must receive the message."""
    conn = connect(drayman)
    channel = key + "celery-task-meta-1"
    pubsub = connect(drayman).pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(channel)
    assert pubsub.get_message(timeout=1) is None  # the subscribe confirmation, swallowed
    pipe = conn.pipeline(transaction=True)
    pipe.execute_command("SETEX", channel, 86400, '{"status": "SUCCESS"}')
    pipe.publish(channel, '{"status": "SUCCESS"}')
    assert pipe.execute() == [True, 1]
    message = pubsub.get_message(timeout=2)
    assert message["data"] == b'{"status": "SUCCESS"}'
    assert conn.get(channel) == b'{"status": "SUCCESS"}'
    pubsub.close()
