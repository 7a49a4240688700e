"""The in-process server: a thin Python layer over drayman._native.NativeServer."""

from __future__ import annotations

import os
from typing import Iterable, Optional

from drayman import _native

__version__ = _native.version


class Server:
    """A real Drayman server running on a thread of this process.

    ``Server()`` binds 127.0.0.1 on an ephemeral port and serves until :meth:`stop` (or the end
    of a ``with`` block). It keeps data in memory unless ``appendonly=True``, which logs every
    write to ``dir``'s appendonlydir/ and replays it when a Server starts on that ``dir``. ``port``, ``url`` and ``host`` say where it listens.
    """

    def __init__(
        self,
        port: int = 0,
        host: str = "127.0.0.1",
        password: Optional[str] = None,
        databases: int = 16,
        unixsocket: Optional[str] = None,
        dir: Optional[str] = None,
        appendonly: bool = False,
        appendfsync: Optional[str] = None,
        extra_args: Iterable[str] = (),
        start: bool = True,
    ) -> None:
        self.host = host
        self.password = password
        self.unixsocket = unixsocket
        args = ["--bind", host, "--port", str(port), "--databases", str(databases)]
        if password is not None:
            args += ["--requirepass", password]
        if unixsocket is not None:
            args += ["--unixsocket", os.fspath(unixsocket)]
        # In memory unless asked: with appendonly=True the append-only log lives in `dir`
        # (drayman-server, unlike this, persists by default).
        if dir is not None:
            args += ["--dir", os.fspath(dir)]
        args += ["--appendonly", "yes" if appendonly else "no"]
        if appendfsync is not None:
            args += ["--appendfsync", appendfsync]
        args += [str(arg) for arg in extra_args]
        self._native = _native.NativeServer(args)
        self._running = False
        self._stopped = False
        if start:
            self.start()

    def start(self) -> "Server":
        if self._stopped:
            raise RuntimeError("a stopped drayman.Server cannot be restarted; create a new one")
        if not self._running:
            self._native.start()
            self._running = True
        return self

    def stop(self) -> None:
        if self._running:
            self._native.stop()
            self._running = False
            self._stopped = True

    @property
    def running(self) -> bool:
        return self._running

    @property
    def port(self) -> int:
        return self._native.port

    def url_for(self, db: int = 0) -> str:
        auth = f":{self.password}@" if self.password else ""
        return f"redis://{auth}{self.host}:{self.port}/{db}"

    @property
    def url(self) -> str:
        return self.url_for(0)

    def __enter__(self) -> "Server":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def __del__(self) -> None:
        try:
            self.stop()
        except Exception:
            pass

    def __repr__(self) -> str:
        state = "running" if self._running else "stopped"
        return f"<drayman.Server {self.host}:{self.port} {state}>"
