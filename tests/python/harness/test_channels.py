"""Django Channels against the server under test: channels_redis's two layers, then a real chat
served by two daphne processes with 50 websocket clients in one group."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest
import pytest_asyncio
import redis
import websockets
from channels.exceptions import ChannelFull
from channels_redis.core import RedisChannelLayer
from channels_redis.pubsub import RedisPubSubChannelLayer

import acl_users
from conftest import ManagedProcess, wait_until
from servers import free_port, wait_for_port

pytestmark = [pytest.mark.timeout(300), pytest.mark.asyncio]

CHAT = Path(__file__).resolve().parents[3] / "examples" / "channels_chat"


def hosts(broker, db=3):
    return [{"address": acl_users.url(broker, "channels", db),
             "socket_timeout": None}]


@pytest_asyncio.fixture
async def core_layer(broker):
    layer = RedisChannelLayer(hosts=hosts(broker), capacity=5, expiry=2)
    yield layer
    await layer.flush()
    await layer.close_pools()


@pytest_asyncio.fixture
async def pubsub_layer(broker):
    layer = RedisPubSubChannelLayer(hosts=hosts(broker, db=4))
    yield layer
    await layer.flush()


async def test_core_send_receive_and_process_local_channels(core_layer):
    await core_layer.send("plain", {"type": "test.message", "text": "one"})
    assert (await core_layer.receive("plain"))["text"] == "one"
    specific = await core_layer.new_channel()
    await core_layer.send(specific, {"type": "test.message", "text": "two"})
    assert (await core_layer.receive(specific))["text"] == "two"


async def test_core_groups_add_send_discard(core_layer):
    first = await core_layer.new_channel()
    second = await core_layer.new_channel()
    await core_layer.group_add("room", first)
    await core_layer.group_add("room", second)
    await core_layer.group_send("room", {"type": "chat.message", "text": "all"})
    assert (await core_layer.receive(first))["text"] == "all"
    assert (await core_layer.receive(second))["text"] == "all"
    await core_layer.group_discard("room", second)
    await core_layer.group_send("room", {"type": "chat.message", "text": "only first"})
    assert (await core_layer.receive(first))["text"] == "only first"
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(core_layer.receive(second), timeout=1.5)


async def test_core_capacity_raises_channel_full(core_layer):
    for index in range(5):
        await core_layer.send("full", {"type": "test.message", "n": index})
    with pytest.raises(ChannelFull):
        await core_layer.send("full", {"type": "test.message", "n": 5})
    received = [(await core_layer.receive("full"))["n"] for _ in range(5)]
    assert received == list(range(5))


async def test_core_messages_expire(core_layer, broker):
    await core_layer.send("expiring", {"type": "test.message"})
    await asyncio.sleep(3)  # the layer's expiry is 2 s; the key's EXPIRE drops it
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(core_layer.receive("expiring"), timeout=1.5)


async def test_core_flush_deletes_the_layer_keys(core_layer, broker):
    await core_layer.send("to-flush", {"type": "test.message"})
    await core_layer.group_add("g", "to-flush")
    client = redis.Redis(port=broker.port, db=3)
    assert client.keys("asgi*")
    await core_layer.flush()
    assert client.keys("asgi*") == []
    client.close()


async def test_pubsub_layer_send_receive_and_groups(pubsub_layer):
    channel = await pubsub_layer.new_channel()
    receiver = asyncio.ensure_future(pubsub_layer.receive(channel))
    await asyncio.sleep(0.2)  # the subscription is made by the first receive
    await pubsub_layer.send(channel, {"type": "test.message", "text": "direct"})
    assert (await asyncio.wait_for(receiver, 10))["text"] == "direct"
    await pubsub_layer.group_add("pubsub-room", channel)
    await pubsub_layer.group_send("pubsub-room", {"type": "test.message", "text": "group"})
    assert (await asyncio.wait_for(pubsub_layer.receive(channel), 10))["text"] == "group"
    await pubsub_layer.group_discard("pubsub-room", channel)


def start_daphne(broker, tmp_path, name, layer):
    port = free_port()
    env = dict(os.environ)
    env.update({"DRAYMAN_URL": acl_users.url(broker, "channels", 5),
                "CHAT_LAYER": layer,
                "PYTHONPATH": str(CHAT)})
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
               "chatsite.asgi:application"]
    process = ManagedProcess(command, env=env, cwd=str(CHAT), log_path=str(tmp_path / name))
    wait_for_port(port, 30)
    return process, port


@pytest.mark.parametrize("layer", ["core", "pubsub"])
async def test_websocket_chat_fan_out_across_two_daphne_processes(broker, tmp_path, layer):
    servers = [start_daphne(broker, tmp_path, f"daphne{i}-{layer}.log", layer) for i in range(2)]
    room = f"room-{layer}"
    sockets = []
    try:
        for index in range(50):
            port = servers[index % 2][1]
            ws = await websockets.connect(f"ws://127.0.0.1:{port}/ws/chat/{room}/")
            joined = json.loads(await asyncio.wait_for(ws.recv(), 30))
            assert joined["type"] == "joined"
            sockets.append(ws)
        if layer == "pubsub":
            await asyncio.sleep(0.5)  # subscriptions of the last group members settle
        broadcasts = [f"{layer}-message-{n}" for n in range(5)]
        for n, text in enumerate(broadcasts):
            await sockets[n * 7].send(text)

        async def collect(ws):
            texts = []
            while len(texts) < len(broadcasts):
                event = json.loads(await asyncio.wait_for(ws.recv(), 30))
                texts.append(event["text"])
            # Exactly once: nothing more arrives.
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(ws.recv(), 0.5)
            return texts

        received = await asyncio.gather(*(collect(ws) for ws in sockets))
        for texts in received:
            assert sorted(texts) == sorted(broadcasts)
    finally:
        for ws in sockets:
            await ws.close()
        for process, _ in servers:
            process.stop()
