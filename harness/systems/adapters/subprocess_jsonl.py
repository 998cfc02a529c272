"""``cmd:COMMAND``: a long-running process that answers each JSON request line with one reply.

The harness writes each presentation as one line of JSON to the process's stdin, with an
``id`` the reply must echo: ``{"id": "...", "narrative": ..., "findings": {...}}`` in,
``{"id": "...", "urgency": ..., ...}`` (the decision object plus the id) out. A line without the
right id is never taken as an answer (see ``child_process.py``); a JSON reply that lacks an
``id`` altogether is that presentation's error (a program that does not speak the protocol).
A program may report its own failure with ``{"id": "...", "error": "message"}`` (and an
optional ``"traceback"``): that answer is an error, not retried.

The process stays up between presentations. If it dies, the call fails as a transient error
(the engine retries it) and the next call starts a fresh process. If a reply takes longer than
the timeout, the process group is killed. stderr is captured; its last lines go into error
messages, and ``stderr_log`` may name a file to keep all of it (stale stdout lines too).

Settings: ``timeout`` (per request), ``processes`` (how many copies to run side by side; the
command line sets it to ``--concurrency`` unless the config says otherwise; 1 for the Python
API), ``cwd``, ``stderr_log``.
"""

from __future__ import annotations

import queue
import shlex
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from backtriage.harness.model import Presentation
from backtriage.harness.systems.adapters.child_process import ChildProcess, ProtocolViolation
from backtriage.harness.systems.adapters.settings import (
    check_keys,
    number_setting,
    text_setting,
    timeout_setting,
)
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.fingerprints import command_files
from backtriage.harness.systems.protocol import (
    InvalidAnswer,
    Reply,
    SystemRaised,
    TransientError,
)
from backtriage.harness.systems.spec_errors import SpecError

_KEYS = {"processes", "cwd", "stderr_log"}


class ProcessPool:
    """Up to ``processes`` copies of a command, each serving one call at a time."""

    def __init__(
        self,
        spec: str,
        argv: list[str],
        settings: Mapping[str, Any],
        on_start: Callable[[ChildProcess], None] | None = None,
    ):
        self.spec = spec
        self.on_start = on_start
        self.argv = argv
        self.processes: int = number_setting(spec, settings, "processes", 1, 1, integer=True)
        self.cwd = text_setting(spec, settings, "cwd")
        log_path = text_setting(spec, settings, "stderr_log")
        self._log: IO[str] | None = None
        if log_path:
            Path(log_path).parent.mkdir(parents=True, exist_ok=True)
            self._log = open(log_path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close)
        self._log_lock = threading.Lock()
        # Last in, first out: a live copy is reused before another one is started.
        self._idle: queue.LifoQueue[ChildProcess | None] = queue.LifoQueue()
        self._all: list[ChildProcess] = []
        self._lock = threading.Lock()
        self.restarts = 0

    def start(self) -> ChildProcess:
        """Start one copy (the first is started by the adapter, so a bad command is exit 2).

        Raises:
            SpecError: if the command cannot be started, or ``on_start`` refuses it.
        """
        try:
            process = ChildProcess(self.argv, self.cwd, self._log, self._log_lock)
        except OSError as exc:
            raise SpecError(self.spec, f"cannot start {self.argv[0]!r}: "
                                       f"{exc.strerror or exc}") from None
        with self._lock:
            self._all.append(process)
        if self.on_start is not None:
            try:
                self.on_start(process)
            except BaseException:
                process.kill()
                raise
        return process

    def fill(self, first: ChildProcess) -> None:
        """Make ``first`` and ``processes - 1`` copies to be started on demand available."""
        for _ in range(self.processes - 1):
            self._idle.put(None)
        self._idle.put(first)

    def ask(
        self, payload: Mapping[str, Any], timeout: float | None
    ) -> tuple[dict[str, Any], str]:
        """Send one request to an idle copy (restarting a dead one) and return its reply."""
        process = self._idle.get()
        try:
            if process is None or not process.alive:
                if process is not None:
                    process.kill()
                    with self._lock:
                        self.restarts += 1
                        self._all.remove(process)
                try:
                    process = self.start()
                except SpecError as exc:
                    raise TransientError(f"cannot restart the process: {exc.reason}") from None
            return process.ask(payload, timeout)
        finally:
            self._idle.put(process)

    def close(self) -> None:
        """Stop every copy (each process group is killed) and close the stderr log."""
        with self._lock:
            processes, self._all = self._all, []
        for process in processes:
            process.close()
        if self._log is not None:
            self._log.close()
            self._log = None


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
        self._pool = ProcessPool(spec, self.argv, settings)
        # Start one copy now, so a command that cannot run is a usage error (exit 2), not a
        # corpus full of errors.
        self._pool.fill(self._pool.start())

    @property
    def restarts(self) -> int:
        """How many dead copies have been replaced."""
        return self._pool.restarts

    def triage(self, presentation: Presentation) -> Reply:
        """Send the presentation to an idle copy and validate the reply paired with it."""
        try:
            obj, line = self._pool.ask(presentation.to_dict(), self.timeout)
        except ProtocolViolation as exc:
            raise InvalidAnswer(str(exc), raw=exc.raw) from None
        if "error" in obj:
            trace = obj.get("traceback")
            raise SystemRaised(
                f"the program reported an error: {obj['error']}", raw=line,
                traceback=trace if isinstance(trace, str) else None,
            )
        return Reply(decision_from_obj(obj, raw=line), raw=line)

    def describe(self) -> dict[str, Any]:
        """The command and a hash of the files it names (copies running change no answer)."""
        return {"kind": "cmd", "command": self.argv, **self._files}

    def close(self) -> None:
        """Stop every copy and close the stderr log."""
        self._pool.close()


def from_spec(spec: str, settings: Mapping[str, Any]) -> SubprocessSystem:
    """Build the adapter for ``cmd:COMMAND``."""
    return SubprocessSystem(spec, settings)


__all__ = ["ProcessPool", "SubprocessSystem", "from_spec"]
