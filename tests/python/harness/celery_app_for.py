"""celery_app.py's application pointed at one test's own server for the length of a `with`.

The harness's other tests share the imported module (test_celery.py points it at the session's
broker): broker URL, result backend URL, the connection and producer pools and the cached result
backend are all put back afterwards.
"""

from __future__ import annotations

import contextlib
import sys

from conftest import HERE


@contextlib.contextmanager
def celery_app_for(port: int):
    sys.path.insert(0, str(HERE))
    import celery_app

    app = celery_app.app
    # Celery caches the result backend app-wide (thread-safe backends) or per thread.
    saved = (app.conf.broker_url, app.conf.result_backend, app._backend_cache,
             app._local.__dict__.pop("backend", None), app.amqp._producer_pool)
    app.close()  # drops the connection pool, built for the previous URL
    app.amqp._producer_pool = None  # and the producers' one
    app.conf.broker_url = f"redis://127.0.0.1:{port}/0"
    app.conf.result_backend = f"redis://127.0.0.1:{port}/1"
    app._backend_cache = None
    try:
        yield celery_app
    finally:
        app.close()
        app._local.__dict__.pop("backend", None)
        (app.conf.broker_url, app.conf.result_backend, app._backend_cache, local_backend,
         app.amqp._producer_pool) = saved
        if local_backend is not None:
            app._local.backend = local_backend
