"""``cmd:COMMAND``: a long-running process that answers one JSON line with one JSON line.

The harness writes each presentation as one line of JSON to the process's stdin and reads one
line from its stdout: the decision object. The process stays up between presentations. If it
dies, the call fails as a transient error (the engine retries it) and the next call starts a
fresh process. If a reply takes longer than the timeout, the process is killed, because a late
reply would otherwise be taken as the answer to the next presentation. stderr is captured; its
last lines go into error messages, and ``stderr_log`` may name a file to keep all of it.

Settings: ``timeout`` (per request), ``processes`` (how many copies to run side by side; the
command line sets it to ``--concurrency`` unless the config says otherwise; 1 for the Python
API), ``cwd``, ``stderr_log``.
"""

from __future__ import annotations

import collections
import contextlib
import json
import queue
import shlex
import subprocess
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from backtriage.harness.model import Presentation
from backtriage.harness.redaction import scrub
from backtriage.harness.systems.adapters.settings import (
    check_keys,
    number_setting,
    text_setting,
    timeout_setting,
)
from backtriage.harness.systems.decision_parsing import decision_from_json
from backtriage.harness.systems.fingerprints import command_files
from backtriage.harness.systems.protocol import Reply, TransientError
from backtriage.harness.systems.spec_errors import SpecError

_KEYS = {"processes", "cwd", "stderr_log"}
_STDERR_TAIL = 50
_STDERR_IN_MESSAGES = 5
_EOF = None


class _Process:
    """One running copy of the command, with threads draining its stdout and stderr."""

    def __init__(self, argv: list[str], cwd: str | None, stderr_log: IO[str] | None,
                 log_lock: threading.Lock):
        self.popen = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", errors="replace", bufsize=1, cwd=cwd,
        )
        self.lines: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL)
        self.broken = False
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, args=(stderr_log, log_lock),
                         daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.put(line)
        self.lines.put(_EOF)

    def _read_stderr(self, log: IO[str] | None, lock: threading.Lock) -> None:
        assert self.popen.stderr is not None
        for line in self.popen.stderr:
            self.stderr_tail.append(line.rstrip("\n"))
            if log is not None:
                with lock:
                    log.write(scrub(line))
                    log.flush()

    @property
    def alive(self) -> bool:
        return not self.broken and self.popen.poll() is None

    def ask(self, line: str, timeout: float) -> str:
        """Send one line and wait for one line back.

        Raises:
            TransientError: if the process has died or does not answer in time.
        """
        assert self.popen.stdin is not None
        try:
            self.popen.stdin.write(line + "\n")
            self.popen.stdin.flush()
        except (BrokenPipeError, OSError, ValueError):
            self.broken = True
            raise TransientError(self._died("could not write to the process")) from None
        try:
            reply = self.lines.get(timeout=timeout)
        except queue.Empty:
            self.broken = True
            self.kill()
            raise TransientError(
                f"no reply within {timeout:g} s; process killed, a fresh one will be started"
                + self._stderr_note()
            ) from None
        if reply is _EOF:
            self.broken = True
            raise TransientError(self._died("the process closed its stdout"))
        return reply

    def _died(self, what: str) -> str:
        try:
            status = self.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
            status = self.popen.wait()
        return f"{what}: exited with status {status}" + self._stderr_note()

    def _stderr_note(self) -> str:
        tail = list(self.stderr_tail)[-_STDERR_IN_MESSAGES:]
        return ("; stderr: " + " | ".join(tail)) if tail else ""

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=5)

    def close(self) -> None:
        """Ask the process to finish (stdin closed), then insist."""
        try:
            if self.popen.stdin:
                self.popen.stdin.close()
            self.popen.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class SubprocessSystem:
    """Triage by a command speaking JSON lines; ``processes`` copies serve calls in parallel."""

    def __init__(self, spec: str, settings: Mapping[str, Any]):
        check_keys(spec, settings, _KEYS)
        self.spec = spec
        command = spec.removeprefix("cmd:").strip()
        try:
            self.argv = shlex.split(command)
        except ValueError as exc:
            raise SpecError(spec, f"cannot split the command: {exc}") from None
        if not self.argv:
            raise SpecError(spec, "expected cmd:COMMAND, e.g. cmd:'python my_triage.py'")
        self.timeout = timeout_setting(spec, settings)
        self._files = command_files(self.argv, text_setting(spec, settings, "cwd"))
        self.processes: int = number_setting(spec, settings, "processes", 1, 1, integer=True)
        self.cwd = text_setting(spec, settings, "cwd")
        log_path = text_setting(spec, settings, "stderr_log")
        self._log: IO[str] | None = None
        if log_path:
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            self._log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close)
        self._log_lock = threading.Lock()
        self._idle: queue.SimpleQueue[_Process | None] = queue.SimpleQueue()
        self._all: list[_Process] = []
        self._lock = threading.Lock()
        self.restarts = 0
        # Start one copy now, so a command that cannot run is a usage error (exit 2), not a
        # corpus full of errors.
        self._idle.put(self._start())
        for _ in range(self.processes - 1):
            self._idle.put(None)

    def _start(self) -> _Process:
        try:
            process = _Process(self.argv, self.cwd, self._log, self._log_lock)
        except OSError as exc:
            raise SpecError(self.spec, f"cannot start {self.argv[0]!r}: "
                                       f"{exc.strerror or exc}") from None
        with self._lock:
            self._all.append(process)
        return process

    def triage(self, presentation: Presentation) -> Reply:
        """Send the presentation to an idle copy and validate its one-line reply."""
        process = self._idle.get()
        try:
            if process is None or not process.alive:
                if process is not None:
                    process.kill()
                    with self._lock:
                        self.restarts += 1
                        self._all.remove(process)
                try:
                    process = self._start()
                except SpecError as exc:
                    raise TransientError(f"cannot restart the process: {exc.reason}") from None
            line = json.dumps(presentation.to_dict(), ensure_ascii=False)
            reply = process.ask(line, self.timeout).rstrip("\n")
        finally:
            self._idle.put(process)
        return Reply(decision_from_json(reply), raw=reply)

    def describe(self) -> dict[str, Any]:
        """The command and a hash of the files it names (copies running change no answer)."""
        return {"kind": "cmd", "command": self.argv, **self._files}

    def close(self) -> None:
        """Stop every copy and close the stderr log."""
        with self._lock:
            processes, self._all = self._all, []
        for process in processes:
            process.close()
        if self._log is not None:
            self._log.close()
            self._log = None


def from_spec(spec: str, settings: Mapping[str, Any]) -> SubprocessSystem:
    """Build the adapter for ``cmd:COMMAND``."""
    return SubprocessSystem(spec, settings)


__all__ = ["SubprocessSystem", "from_spec"]
