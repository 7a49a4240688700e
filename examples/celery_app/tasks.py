"""A Celery app that uses Drayman as broker and result backend."""

import os
from urllib.parse import urlsplit

from celery import Celery

# The same variable as examples/channels_chat: a server URL, with or without a database number.
DRAYMAN_URL = os.environ.get("DRAYMAN_URL", "redis://127.0.0.1:6379/0")


def broker_and_backend(url: str) -> tuple[str, str]:
    """The broker on the URL's database (0 when it names none), results on the next one."""
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return (parts._replace(path=f"/{database}").geturl(),
            parts._replace(path=f"/{database + 1}").geturl())


BROKER_URL, RESULT_URL = broker_and_backend(DRAYMAN_URL)
app = Celery("tasks", broker=BROKER_URL, backend=RESULT_URL)
app.conf.broker_transport_options = {"visibility_timeout": 3600}
app.conf.broker_connection_retry_on_startup = True


@app.task
def add(x, y):
    return x + y
