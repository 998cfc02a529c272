"""A child process that answers JSON-line requests, each reply paired with its request by ``id``.

Every request carries a fresh ``id``; only a JSON object on stdout whose ``id`` is exactly that
value is taken as the reply. Any other line (a banner, a log line, a late reply to an earlier
request) is stale: drained, counted and logged, never taken as an answer. So no stray line can
shift an answer onto another vignette.

The child runs in its own process group (a new session), and is killed as a group on a timeout
and on close, so the real program behind ``bash -c``, ``uv run`` or ``npm`` dies with it.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import os
import queue
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from typing import IO, Any

from backtriage.harness.redaction import scrub
from backtriage.harness.systems.protocol import TransientError
from backtriage.harness.waiting import wait_limit

_STDERR_TAIL = 50
_STDERR_IN_MESSAGES = 5
_STALE_SHOWN = 200  # characters of a stale line quoted in messages and the log
_EOF = None


class ProcessDied(TransientError):
    """The process exited (or closed its pipes) while a request was being answered."""


class ProtocolViolation(Exception):
    """The child answered without the request's ``id`` (it does not speak the protocol)."""

    def __init__(self, message: str, raw: str):
        super().__init__(message)
        self.raw = raw


class ChildProcess:
    """One running copy of a command, with threads draining its stdout and stderr."""

    _serial = itertools.count(1)

    def __init__(
        self,
        argv: list[str],
        cwd: str | None,
        stderr_log: IO[str] | None,
        log_lock: threading.Lock,
        env: Mapping[str, str] | None = None,
    ):
        self.popen = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", errors="replace", bufsize=1, cwd=cwd,
            env=None if env is None else dict(env),
            start_new_session=True,  # its own process group, killed as one
        )
        self.lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL)
        self.broken = False
        self.stale = 0
        self.last_stale = ""
        self._log = stderr_log
        self._log_lock = log_lock
        self._ids = (f"{secrets.token_hex(4)}-{next(self._serial)}-{n}" for n in itertools.count(1))
        threading.Thread(target=self._read_stdout, daemon=True).start()
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()

    def _read_stdout(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line)
        self.lines.put(_EOF)

    def _read_stderr(self) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.stderr_tail.append(line.rstrip("\n"))
            self._write_log(line)

    def _write_log(self, line: str) -> None:
        if self._log is not None:
            with self._log_lock:
                self._log.write(scrub(line))
                self._log.flush()

    @property
    def alive(self) -> bool:
        """True while the process runs and has not been given up on."""
        return not self.broken and self.popen.poll() is None

    def ask(self, payload: Mapping[str, Any], timeout: float | None) -> tuple[dict[str, Any], str]:
        """Send one request and wait for the line that answers it.

        Returns:
            The reply object and its text, both without the ``id`` (so a stored raw reply
            does not depend on how many requests a process served).

        Raises:
            TransientError: if the process has died or does not answer in time.
            ProtocolViolation: if it answered with a JSON object that has no ``id``.
        """
        self._drain()
        request_id = next(self._ids)
        line = json.dumps({"id": request_id, **payload}, ensure_ascii=False)
        assert self.popen.stdin is not None
        try:
            self.popen.stdin.write(line + "\n")
            self.popen.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            self.broken = True
            raise ProcessDied(self._died("could not write to the process")) from None
        stale_before = self.stale
        limit = wait_limit(timeout)
        deadline = None if limit is None else _now() + limit
        while True:
            remaining = None if deadline is None else max(0.0, deadline - _now())
            try:
                reply = self.lines.get(timeout=remaining)
            except queue.Empty:
                self.broken = True
                self.kill()
                raise TransientError(
                    f"no reply within {timeout:g} s; process killed, a fresh one will be started"
                    + self._stale_note(stale_before) + self._stderr_note()
                ) from None
            if reply is _EOF:
                self.broken = True
                raise ProcessDied(
                    self._died("the process closed its stdout") + self._stale_note(stale_before)
                )
            obj = _json_object(reply)
            if obj is not None and obj.get("id") == request_id:
                del obj["id"]
                return obj, json.dumps(obj, ensure_ascii=False)
            if obj is not None and "id" not in obj and "urgency" in obj:
                raise ProtocolViolation(
                    "the reply has no \"id\": a cmd: program must echo the id of each request "
                    "in its reply (see docs/systems.md); the reply was not taken as an answer",
                    reply.rstrip("\n"),
                )
            self._stale(reply)

    def first_line(self, timeout: float | None) -> str | None:
        """The first line the process prints (a handshake), or ``None`` if it ends first.

        Raises:
            TransientError: if nothing comes within ``timeout`` (the process is killed).
        """
        try:
            line = self.lines.get(timeout=wait_limit(timeout))
        except queue.Empty:
            self.broken = True
            self.kill()
            raise TransientError(f"no start-up line within {timeout:g} s") from None
        if line is _EOF:
            self.broken = True
            self.lines.put(_EOF)
        return line

    def exit_status(self) -> int | None:
        """The exit status once the process has ended (waiting a moment for it)."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.popen.wait(timeout=2)
        return None

    def _drain(self) -> None:
        """Take any line still waiting from before this request as stale."""
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                return
            if line is _EOF:
                self.lines.put(_EOF)
                return
            self._stale(line)

    def _stale(self, line: str) -> None:
        self.stale += 1
        self.last_stale = line.rstrip("\n")[:_STALE_SHOWN]
        self._write_log(f"[backtriage] ignored a stdout line that answers no request: "
                        f"{self.last_stale}\n")

    def _stale_note(self, before: int) -> str:
        count = self.stale - before
        if not count:
            return ""
        return (f"; {count} stdout line(s) without this request's id ignored, the last: "
                f"{self.last_stale!r}")

    def _died(self, what: str) -> str:
        try:
            status = self.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
            status = self.popen.wait()
        # Its last words on stderr say why: let the reader take them in before quoting.
        self._stderr_reader.join(timeout=1)
        return f"{what}: exited with status {status}" + self._stderr_note()

    def _stderr_note(self) -> str:
        tail = list(self.stderr_tail)[-_STDERR_IN_MESSAGES:]
        return ("; stderr: " + " | ".join(tail)) if tail else ""

    def kill(self) -> None:
        """Kill the whole process group (the program and everything it started)."""
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        if self.popen.poll() is None:
            self.popen.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)

    def close(self) -> None:
        """Ask the process to finish (stdin closed), then kill what is left of its group."""
        try:
            if self.popen.stdin:
                self.popen.stdin.close()
            self.popen.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


def _json_object(line: str) -> dict[str, Any] | None:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def _now() -> float:
    return time.monotonic()
