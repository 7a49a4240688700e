"""Debian's Chromium, headless, driven over the DevTools protocol (a websocket, no driver binary).

The browser runs in its own process group (ManagedProcess), with a throw-away profile, and picks
its own DevTools port (--remote-debugging-port=0, read back from the profile's DevToolsActivePort
file), so nothing binds a fixed port. `evaluate` runs JavaScript in the page and returns its value;
`click` sends a real mouse press and release at an element's centre; `screenshot` writes a PNG.
JavaScript exceptions the page throws are collected in `exceptions`.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import shutil
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

from conftest import ManagedProcess, wait_until


def chromium_binary() -> str:
    binary = shutil.which("chromium")
    # No skip: a missing browser is a broken install (tools/install-deps.sh installs it).
    assert binary, "Debian's chromium is not installed (tools/install-deps.sh)"
    return binary


class HeadlessChromium:
    def __init__(self, url: str, workdir: Path, width: int = 1280, height: int = 1000,
                 start_timeout: float = 60.0) -> None:
        profile = workdir / "chromium-profile"
        profile.mkdir(parents=True, exist_ok=True)
        command = [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu",
                   "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                   "--disable-extensions", "--disable-background-networking", "--disable-sync",
                   "--disable-component-update", "--hide-scrollbars", "--mute-audio",
                   f"--window-size={width},{height}", "--remote-debugging-address=127.0.0.1",
                   "--remote-debugging-port=0", f"--user-data-dir={profile}", url]
        self.process = ManagedProcess(command, log_path=str(workdir / "chromium.log"))
        self.exceptions: list[str] = []
        self._ids = itertools.count(1)
        self._socket = None
        self._closing = contextlib.ExitStack()
        try:
            port_file = profile / "DevToolsActivePort"

            def devtools_port():
                assert self.process.alive(), self.process.output()
                lines = port_file.read_text().splitlines() if port_file.exists() else []
                return int(lines[0]) if lines and lines[0].isdigit() else None

            port = wait_until(devtools_port, timeout=start_timeout, message="chromium DevTools")

            def page_target():
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list",
                                            timeout=5) as response:
                    targets = json.loads(response.read())
                pages = [t for t in targets if t.get("type") == "page"]
                return pages[0] if pages else None

            target = wait_until(page_target, timeout=start_timeout, message="a chromium page")
            self._socket = self._closing.enter_context(
                connect(target["webSocketDebuggerUrl"], max_size=None, open_timeout=start_timeout))
            self.call("Runtime.enable")
            # The page target exists before the URL's document is committed: until it is, what
            # evaluate() sets lands on the initial blank document and vanishes with it (a busy
            # machine made the dashboard test see window state "lost" that way).
            wait_until(lambda: self.evaluate(
                "document.readyState === 'complete' ? location.href : null") == url,
                timeout=start_timeout, message=f"{url} loaded")
        except BaseException:
            self.close()
            raise

    def call(self, method: str, timeout: float = 30.0, **params) -> dict:
        request_id = next(self._ids)
        self._socket.send(json.dumps({"id": request_id, "method": method, "params": params}))
        while True:
            message = json.loads(self._socket.recv(timeout=timeout))
            if message.get("method") == "Runtime.exceptionThrown":
                details = message["params"]["exceptionDetails"]
                self.exceptions.append(details.get("exception", {}).get("description") or
                                       details.get("text", ""))
            if message.get("id") == request_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                           awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real left click (press and release) at the centre of the first matching element."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " if (!e) return null; e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()")
        assert box, f"no element matches {selector}"
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"],
                      button="left", clickCount=1)

    def screenshot(self, path: Path) -> None:
        self.evaluate("window.scrollTo(0, 0)")
        png = self.call("Page.captureScreenshot", format="png")["data"]
        Path(path).write_bytes(base64.b64decode(png))

    def close(self) -> None:
        self._closing.close()
        self._socket = None
        self.process.stop(timeout=10)
