"""Driving headless Chromium over the DevTools protocol on a pipe (stdlib only).

Chromium's ``--remote-debugging-pipe`` reads protocol messages on file descriptor 3 and writes
replies on 4, each a JSON object ended by a NUL byte. No port is opened, so nothing on the
machine can reach the browser, and no websocket client is needed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
)


def find_chromium() -> str | None:
    """The Chromium executable on PATH (Debian names it ``chromium``), if any."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class ChromiumError(RuntimeError):
    """The browser failed, timed out, or reported a protocol error."""


class Browser:
    """One headless Chromium with one page, driven by protocol commands.

    Use as a context manager; the browser and its profile folder are removed on exit.
    """

    def __init__(self, executable: str, width: int = 1280, height: int = 900, timeout: float = 30):
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="backtriage-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # fds 3 and 4 are where Chromium looks; move ours out of the way first so dup2
        # cannot overwrite one with the other.
        keep_r = os.dup(to_child_r) if to_child_r in (3, 4) else to_child_r
        keep_w = os.dup(from_child_w) if from_child_w in (3, 4) else from_child_w

        def wire() -> None:
            os.dup2(keep_r, 3)
            os.dup2(keep_w, 4)

        self._proc = subprocess.Popen(
            [
                executable,
                *FLAGS,
                f"--user-data-dir={self._profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            # Chromium wants a home folder for its caches; CI may run without HOME.
            env={**os.environ, "HOME": os.environ.get("HOME") or self._profile},
            preexec_fn=wire,
            close_fds=False,
        )
        for fd in {to_child_r, from_child_w, keep_r, keep_w}:
            os.close(fd)
        self._next_id = 0
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Lock()
        self._stderr: list[bytes] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._drainer = threading.Thread(target=self._drain_stderr, daemon=True)
        self._reader.start()
        self._drainer.start()
        self.session = self._open_page(width, height)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _drain_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            self._stderr.append(line)

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_child, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                message, buffer = buffer.split(b"\0", 1)
                data = json.loads(message)
                if "id" in data:
                    with self._lock:
                        box = self._replies.get(data["id"])
                    if box is not None:
                        box.put(data)
                else:
                    self._events.put(data)

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> dict[str, Any]:
        """Send a protocol command and wait for its result.

        Raises:
            ChromiumError: on a protocol error, a dead browser, or no reply in time.
        """
        with self._lock:
            self._next_id += 1
            mid = self._next_id
            box: queue.Queue[dict[str, Any]] = queue.Queue()
            self._replies[mid] = box
        message: dict[str, Any] = {"id": mid, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._to_child, json.dumps(message).encode() + b"\0")
            reply = box.get(timeout=self.timeout)
        except (OSError, queue.Empty) as exc:
            raise ChromiumError(f"{method}: no reply ({exc!r}); stderr: {self.stderr()}") from exc
        finally:
            with self._lock:
                self._replies.pop(mid, None)
        if "error" in reply:
            raise ChromiumError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def page(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command to the page."""
        return self.send(method, params, self.session)

    def _open_page(self, width: int, height: int) -> str:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session: str = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.send("Page.enable", session=session)
        self.send("Runtime.enable", session=session)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        return session

    def wait_event(self, method: str, timeout: float | None = None) -> dict[str, Any]:
        """Wait for the next event named ``method`` (others are dropped)."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise ChromiumError(f"no {method} event in time")
            try:
                event = self._events.get(timeout=left)
            except queue.Empty:
                continue
            if event.get("method") == method:
                return event

    def open(self, url: str) -> None:
        """Navigate the page and wait until it has loaded."""
        self.page("Page.navigate", {"url": url})
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its JSON value.

        Raises:
            ChromiumError: if the expression throws.
        """
        result = self.page(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
        )
        if "exceptionDetails" in result:
            raise ChromiumError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, x: float, y: float) -> None:
        """Click at page coordinates as a mouse would (press and release)."""
        for kind in ("mousePressed", "mouseReleased"):
            self.page(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1},
            )

    def click_selector(self, selector: str) -> None:
        """Scroll the first element matching ``selector`` into view and click its centre."""
        box = self.evaluate(
            "(() => { const e = document.querySelector(" + json.dumps(selector) + ");"
            " if (!e) return null; e.scrollIntoView({block: 'center'});"
            " const r = e.getBoundingClientRect();"
            " return [r.left + r.width / 2, r.top + r.height / 2]; })()"
        )
        if box is None:
            raise ChromiumError(f"nothing matches {selector!r}")
        self.click(*box)

    def screenshot(self, path: Path, full_page: bool = False) -> Path:
        """Save a PNG of the viewport (or the whole page) to ``path``."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
            size = self.page("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": size["width"],
                "height": size["height"],
                "scale": 1,
            }
        data = self.page("Page.captureScreenshot", params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def stderr(self) -> str:
        """What the browser printed on stderr so far (last lines)."""
        return b"".join(self._stderr[-20:]).decode("utf-8", "replace")

    def close(self) -> None:
        """End the browser and remove its profile."""
        with contextlib.suppress(ChromiumError):
            self.send("Browser.close")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)
        self._drainer.join(timeout=5)
        self._reader.join(timeout=5)
        if self._proc.stderr is not None:
            self._proc.stderr.close()
        for fd in (self._to_child, self._from_child):
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(self._profile, ignore_errors=True)
