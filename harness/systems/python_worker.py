"""The worker process of an isolated ``python:`` system: ``python -m ... python_worker SPEC``.

It imports the user's module, says so in one start-up line (``{"ready": true, "describe": ...}``
or ``{"ready": false, "error": ...}``), then answers one JSON request line per call, echoing its
``id`` (the protocol of ``adapters/child_process.py``). Whatever the function does, even
``sys.exit()``, becomes that call's reply; only ``os._exit`` or a crash of the interpreter ends
the process, which the parent records as that call's error.

The protocol runs on private copies of stdin and stdout: the user's ``print`` goes to stderr,
and a read of stdin finds nothing, so no user output can be mistaken for a reply.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import IO, Any

from backtriage.harness.model import Decision
from backtriage.harness.safe_json import json_safe
from backtriage.harness.systems.protocol import InvalidAnswer, Reply, TransientError
from backtriage.harness.systems.tracebacks import user_traceback


def main(argv: list[str]) -> int:
    """Serve the function named by ``argv[0]`` until stdin closes."""
    inbox, outbox = _private_pipes()
    spec = argv[0] if argv else ""
    try:
        from backtriage.harness.systems.python_callable import from_spec

        system = from_spec(spec)
    except BaseException as exc:  # SystemExit at import included: say so, then stop
        _send(outbox, {"ready": False, "error": _import_error(exc)})
        return 2
    _send(outbox, {"ready": True, "describe": system.describe()})
    for line in inbox:
        try:
            request = json.loads(line)
            request_id = request.pop("id")
        except (ValueError, KeyError, AttributeError):
            continue  # not ours to answer; the parent only sends valid requests
        _send(outbox, {"id": request_id, **_answer(system.function, request)})
    return 0


def _private_pipes() -> tuple[IO[str], IO[str]]:
    inbox = os.fdopen(os.dup(0), "r", encoding="utf-8", errors="replace")
    outbox = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
    os.dup2(2, 1)  # fd 1 (and so print) now writes to stderr
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    return inbox, outbox


def _send(outbox: IO[str], message: dict[str, Any]) -> None:
    try:
        text = json.dumps(_transportable(message, 0))
    except (TypeError, ValueError, RecursionError):  # cannot happen; never crash a worker
        text = json.dumps(json_safe(message).value)
    outbox.write(text + "\n")
    outbox.flush()


def _transportable(value: Any, depth: int) -> Any:
    """Make ``value`` JSON that can cross the pipe, changing as little as possible.

    NaN and infinities cross as they are, so the parent's one safe writer replaces and records
    them exactly as for an in-process system; what JSON cannot carry at all (bytes, objects,
    a 5000-digit integer, very deep nesting) is made safe here by that writer's rules.
    """
    if isinstance(value, Decision):
        return value.to_dict()
    if value is None or isinstance(value, str | bool | float):
        return value
    if isinstance(value, int) and abs(value) < _BIG_INT:
        return value
    if depth < _MAX_DEPTH and isinstance(value, dict) and all(
        isinstance(k, str | int | float | bool) or k is None for k in value
    ):
        return {k: _transportable(v, depth + 1) for k, v in value.items()}
    if depth < _MAX_DEPTH and isinstance(value, list | tuple):
        return [_transportable(v, depth + 1) for v in value]
    return json_safe(value).value


_BIG_INT = 10**4000  # beyond Python's default int-to-text limit (4300 digits)
_MAX_DEPTH = 200


def _answer(function: Callable[[dict[str, Any]], Any], presentation: dict[str, Any]) -> Any:
    try:
        answer = function(presentation)
    except InvalidAnswer as exc:
        return {"error": f"InvalidAnswer: {exc}", "kind": "invalid"}
    except TransientError as exc:
        return {"error": f"TransientError: {exc}", "kind": "transient",
                "retry_after": exc.retry_after}
    except SystemExit as exc:
        return {"error": f"SystemExit: the system called sys.exit({exc.code!r}) during a call",
                "kind": "raised", "traceback": user_traceback(exc)}
    except BaseException as exc:
        return {"error": f"{type(exc).__name__}: {exc}", "kind": "raised",
                "traceback": user_traceback(exc)}
    if isinstance(answer, Reply):
        return {"decision": answer.decision, "raw": answer.raw,
                "metadata": dict(answer.metadata), "reply": True}
    return {"decision": answer}


def _import_error(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"the module called sys.exit({exc.code!r}) while being imported"
    reason = getattr(exc, "reason", None)
    return reason if isinstance(reason, str) else f"{type(exc).__name__}: {exc}"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
