"""A Celery app that uses Drayman as broker and result backend."""

import os

from celery import Celery

DRAYMAN_URL = os.environ.get("DRAYMAN_URL", "redis://127.0.0.1:6379")

app = Celery("tasks", broker=f"{DRAYMAN_URL}/0", backend=f"{DRAYMAN_URL}/1")
app.conf.broker_transport_options = {"visibility_timeout": 3600}
app.conf.broker_connection_retry_on_startup = True


@app.task
def add(x, y):
    return x + y
