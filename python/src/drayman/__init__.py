"""Drayman, a Redis-protocol broker for Celery and Django Channels, run in-process."""

from drayman.server import Server, __version__

__all__ = ["Server", "__version__"]
