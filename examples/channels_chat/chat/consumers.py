"""The chat: every message a client sends is broadcast to everyone in the room's group."""

import json

from channels.generic.websocket import AsyncWebsocketConsumer


class ChatConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.group = "chat-" + self.scope["url_route"]["kwargs"]["room"]
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send(json.dumps({"type": "joined", "channel": self.channel_name}))

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(self.group, {"type": "chat.message", "text": text_data})

    async def chat_message(self, event):
        await self.send(json.dumps({"type": "message", "text": event["text"]}))
