"""An isolated ``python:`` system: the function runs in worker processes, not in the harness.

A hung call is killed with its worker (no thread is left behind), and ``sys.exit`` or
``os._exit`` in the module or in a call is that call's error (or, at import, a usage error
naming the module), never the end of the run. Workers are started as calls need them (at most
``processes``, the run's concurrency), and one at once, so a module that cannot be imported
stops the run before any vignette is asked.

Settings: ``timeout`` (per call), ``processes``, ``import_timeout`` (seconds the module may take
to import; default 120).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from backtriage.harness.model import Decision, Presentation
from backtriage.harness.systems.adapters.child_process import (
    ChildProcess,
    ProcessDied,
    ProtocolViolation,
)
from backtriage.harness.systems.adapters.settings import number_setting, timeout_setting
from backtriage.harness.systems.adapters.subprocess_jsonl import ProcessPool
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import (
    InvalidAnswer,
    Reply,
    SystemRaised,
    TransientError,
)
from backtriage.harness.systems.spec_errors import SpecError

WORKER_MODULE = "backtriage.harness.systems.python_worker"
DEFAULT_PROCESSES = 4
DEFAULT_IMPORT_TIMEOUT = 120.0


class IsolatedPythonSystem:
    """``python:MODULE:FUNCTION`` called in worker processes over JSON lines."""

    def __init__(self, spec: str, settings: Mapping[str, Any]):
        self.spec = spec
        self.timeout = timeout_setting(spec, settings)
        self.import_timeout: float = number_setting(
            spec, settings, "import_timeout", DEFAULT_IMPORT_TIMEOUT, 0.001
        )
        pool_settings = {"processes": settings.get("processes", DEFAULT_PROCESSES)}
        self._describe: dict[str, Any] = {"kind": "python", "spec": spec}
        self._pool = ProcessPool(
            spec, [sys.executable, "-m", WORKER_MODULE, spec], pool_settings, self._handshake
        )
        self._pool.fill(self._pool.start())

    def _handshake(self, process: ChildProcess) -> None:
        line = process.first_line(self.import_timeout)
        if line is None:
            status = process.exit_status()
            raise SpecError(self.spec, f"the module ended the worker process while being "
                                       f"imported (exit status {status})")
        try:
            ready = json.loads(line)
        except ValueError:
            ready = {}
        if not isinstance(ready, dict) or "ready" not in ready:
            raise SpecError(self.spec, f"unexpected start-up line from the worker: {line[:200]!r}")
        if not ready["ready"]:
            raise SpecError(self.spec, str(ready.get("error")))
        if isinstance(ready.get("describe"), dict):
            self._describe = ready["describe"]

    def triage(self, presentation: Presentation) -> Decision | Reply:
        """Ask a worker and validate its answer strictly."""
        try:
            obj, _ = self._pool.ask(presentation.to_dict(), self.timeout)
        except ProcessDied as exc:
            # Deterministic, most likely (os._exit, a crash in native code): not retried.
            raise SystemRaised(f"the system ended its worker process during the call: {exc}",
                               raw=exc.raw) from None
        except ProtocolViolation as exc:  # cannot happen with our worker; fail closed anyway
            raise InvalidAnswer(str(exc), raw=exc.raw) from None
        if "error" in obj:
            raise _error(obj)
        decision = obj.get("decision")
        if obj.get("reply"):
            raw = obj.get("raw")
            metadata = obj.get("metadata")
            return Reply(
                decision_from_obj(decision, raw=raw if isinstance(raw, str) else None),
                raw=raw if isinstance(raw, str) else None,
                metadata=metadata if isinstance(metadata, dict) else {},
            )
        return decision_from_obj(decision)

    def describe(self) -> dict[str, Any]:
        """The same identity as the in-process system (isolation changes no answer)."""
        return dict(self._describe)

    def close(self) -> None:
        """Stop every worker."""
        self._pool.close()


def _error(obj: Mapping[str, Any]) -> Exception:
    message = str(obj.get("error"))
    kind = obj.get("kind")
    if kind == "invalid":
        return InvalidAnswer(message.removeprefix("InvalidAnswer: "))
    if kind == "transient":
        retry_after = obj.get("retry_after")
        return TransientError(
            message.removeprefix("TransientError: "),
            retry_after=float(retry_after) if isinstance(retry_after, int | float) else None,
        )
    trace = obj.get("traceback")
    return SystemRaised(message, traceback=trace if isinstance(trace, str) else None)


def from_spec(spec: str, settings: Mapping[str, Any]) -> IsolatedPythonSystem:
    """Build an isolated system for ``python:MODULE:FUNCTION``.

    Raises:
        SpecError: if the module cannot be imported (its worker says why).
    """
    return IsolatedPythonSystem(spec, settings)
