"""A minimal Django project: one websocket chat served by daphne over Drayman's channel layer."""

import os

SECRET_KEY = "example-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["daphne", "channels", "chat"]
ROOT_URLCONF = "chatsite.urls"
ASGI_APPLICATION = "chatsite.asgi.application"
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}]
DATABASES = {}
USE_TZ = True

# Where Drayman listens; `redis://127.0.0.1:6379/0` when run with `make run`. The same variable as
# examples/celery_app: with or without a database number (none means database 0).
DRAYMAN_URL = os.environ.get("DRAYMAN_URL", "redis://127.0.0.1:6379/0")
LAYER = os.environ.get("CHAT_LAYER", "core")
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": (
            "channels_redis.pubsub.RedisPubSubChannelLayer"
            if LAYER == "pubsub"
            else "channels_redis.core.RedisChannelLayer"
        ),
        # socket_timeout None: redis-py 8's default 5 s read timeout would race the core
        # layer's 5 s BZPOPMIN (see the README).
        "CONFIG": {"hosts": [{"address": DRAYMAN_URL, "socket_timeout": None}]},
    }
}
