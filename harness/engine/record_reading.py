"""Reading an answer record back from a file (journal, results) without trusting its shape.

A journal or a results file may be damaged by a bit flip, a hand edit or another program; a
record is rebuilt only when every field has the type and the vocabulary it must have, so a
flipped urgency is a clear error, not a traceback deep in scoring.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from backtriage.harness.engine.records import AnswerRecord, Attempt
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import SystemFailure

_ATTEMPT_KEYS = frozenset({"number", "ok", "seconds", "error", "retry_after"})


class RecordShapeError(ValueError):
    """A stored record lacks a field or holds a value of the wrong type or vocabulary."""


def checked_record(data: Any) -> AnswerRecord:
    """Rebuild an :class:`AnswerRecord` from its JSON form, checking every field.

    Raises:
        RecordShapeError: naming the first field that is wrong.
    """
    if not isinstance(data, Mapping):
        raise RecordShapeError("an answer record is a JSON object")
    vid = _field(data, "vignette_id", str)
    epoch = _field(data, "epoch", int)
    if epoch < 0:
        raise RecordShapeError(f"epoch must be at least 0, got {epoch}")
    error = _optional(data, "error", str)
    raw = _optional(data, "raw", str)
    decision = None
    if data.get("decision") is not None:
        try:
            decision = decision_from_obj(data["decision"])
        except SystemFailure as exc:
            raise RecordShapeError(f"decision: {str(exc)[:200]}") from None
    if (decision is None) == (error is None):
        raise RecordShapeError("a record holds either a decision or an error")
    seconds = _number(data.get("seconds", 0.0), "seconds")
    metadata = data.get("metadata", {})
    if not isinstance(metadata, Mapping):
        raise RecordShapeError("metadata must be an object")
    attempts_data = data.get("attempts", [])
    if not isinstance(attempts_data, list):
        raise RecordShapeError("attempts must be a list")
    return AnswerRecord(
        vignette_id=vid,
        epoch=epoch,
        decision=decision,
        error=error,
        raw=raw,
        attempts=tuple(_attempt(a, i) for i, a in enumerate(attempts_data)),
        seconds=seconds,
        metadata=dict(metadata),
        cached=_flag(data, "cached", False),
        final=_flag(data, "final", True),
    )


def _attempt(data: Any, index: int) -> Attempt:
    where = f"attempts/{index}"
    if not isinstance(data, Mapping) or not set(data) <= _ATTEMPT_KEYS:
        raise RecordShapeError(f"{where} must be an object with {', '.join(sorted(_ATTEMPT_KEYS))}")
    number = _field(data, "number", int, where)
    ok = data.get("ok")
    if not isinstance(ok, bool):
        raise RecordShapeError(f"{where}/ok must be true or false")
    retry_after = data.get("retry_after")
    return Attempt(
        number=number,
        ok=ok,
        seconds=_number(data.get("seconds", 0.0), f"{where}/seconds"),
        error=_optional(data, "error", str, where),
        retry_after=None if retry_after is None else _number(retry_after, f"{where}/retry_after"),
    )


def _field(data: Mapping[str, Any], key: str, kind: type, where: str = "") -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        name = f"{where}/{key}" if where else key
        raise RecordShapeError(f"{name} must be {kind.__name__}, got {_kind(value)}")
    return value


def _optional(data: Mapping[str, Any], key: str, kind: type, where: str = "") -> Any:
    return None if data.get(key) is None else _field(data, key, kind, where)


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
            or value < 0:
        raise RecordShapeError(f"{name} must be a number of at least 0, got {_kind(value)}")
    return float(value)


def _flag(data: Mapping[str, Any], key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise RecordShapeError(f"{key} must be true or false, got {_kind(value)}")
    return value


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__
