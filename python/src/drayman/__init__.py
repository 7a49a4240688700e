"""Drayman, a Redis-protocol broker for Celery and Django Channels, run in-process."""

from drayman.server import Server

__all__ = ["Server"]
