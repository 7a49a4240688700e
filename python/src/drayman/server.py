"""The in-process server: a thin Python layer over drayman._native.NativeServer."""

from __future__ import annotations

import os
from typing import Iterable, Optional
from urllib.parse import quote

from drayman import _native

__version__ = _native.version


class Server:
    """A real Drayman server running on a thread of this process.

    ``Server()`` binds 127.0.0.1 on an ephemeral port and serves until :meth:`stop` (or the end
    of a ``with`` block). It keeps data in memory unless ``appendonly=True``, which logs every
    write to ``dir``'s appendonlydir/ and replays it when a Server starts on that ``dir``. ``port``, ``url`` and ``host`` say where it listens.
    With ``unixsocket`` and no ``port`` it listens only on the socket and ``url`` is a
    ``unix://`` URL. ``running`` turns false when the server stops, also when a client sent
    SHUTDOWN. A bad ``extra_args`` option raises ValueError naming the option.
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
        try:
            self._native = _native.NativeServer(args)
        except ValueError as error:
            raise ValueError(f"drayman.Server: invalid option: {error}") from None
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
        # A client's SHUTDOWN stops the native server without going through stop().
        return self._running and not self._native.stopped

    @property
    def port(self) -> int:
        return self._native.port

    def url_for(self, db: int = 0) -> str:
        # Percent-encoded, so a password holding "@", "/" or ":" survives redis-py's parsing.
        auth = f":{quote(self.password, safe='')}@" if self.password else ""
        if self.unixsocket is not None and self.port == 0:
            path = quote(os.path.abspath(os.fspath(self.unixsocket)))
            return f"unix://{auth}{path}?db={db}"
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
