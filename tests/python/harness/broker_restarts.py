"""A broker that tests can SIGKILL, SHUTDOWN or SIGTERM and start again on the same port and data
directory, so the Celery workers and channels_redis layers connected to it reconnect by
themselves.

The server under test is drayman-server, or Debian's redis-server with DRAYMAN_TEST_TARGET=redis
(which validates the tests themselves); both get the same redis.conf-style arguments.
"""

from __future__ import annotations

import signal
import time

import redis

from servers import DraymanProcess, RedisProcess, free_port, target_name


class RestartableBroker:
    def __init__(self, data_dir: str, *args: str) -> None:
        self.data_dir = data_dir
        self.args = ("--dir", data_dir, *args)
        self.port = free_port()
        self.server = None
        self.starts = 0

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self, timeout_s: float = 60.0) -> None:
        assert self.server is None
        kind = RedisProcess if target_name() == "redis" else DraymanProcess
        self.server = kind(*self.args, port=self.port)
        self.starts += 1
        self.wait_serving(timeout_s)

    def client(self, db: int = 0) -> redis.Redis:
        return redis.Redis(port=self.port, db=db, socket_timeout=30)

    def wait_serving(self, timeout_s: float) -> None:
        """Until PING answers: the dataset is loaded (clients get -LOADING meanwhile)."""
        probe = self.client()
        deadline = time.monotonic() + timeout_s
        try:
            while True:
                assert self.server.alive(), "the server exited while starting"
                try:
                    probe.ping()
                    return
                except (redis.exceptions.BusyLoadingError, redis.exceptions.ConnectionError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.01)
        finally:
            probe.close()

    def kill(self) -> None:
        """SIGKILL: no save, no flush; what was acknowledged must already be on disk."""
        self.server.proc.send_signal(signal.SIGKILL)
        self.server.proc.wait(timeout=30)
        self._forget()

    def terminate(self) -> None:
        """SIGTERM: the server saves (save points set) and exits."""
        self.server.proc.send_signal(signal.SIGTERM)
        assert self.server.proc.wait(timeout=60) == 0
        self._forget()

    def shutdown(self, *options: str) -> None:
        """SHUTDOWN [options] from a client; the server saves (save points set) and exits."""
        conn = self.client()
        try:
            conn.execute_command("SHUTDOWN", *options)
        except redis.exceptions.ConnectionError:
            pass  # the server closes the connection instead of replying
        finally:
            conn.close()
        assert self.server.proc.wait(timeout=60) == 0
        self._forget()

    def _forget(self) -> None:
        self.server.stop()  # reaps the output drain; the data directory is ours, not its
        self.server = None

    def close(self) -> None:
        if self.server is not None:
            if self.server.alive():
                self.server.proc.kill()
            self._forget()
