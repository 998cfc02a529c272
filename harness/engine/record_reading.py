"""Reading an answer record back from a file (journal, results) without trusting its shape.

A journal or a results file may be damaged by a bit flip, a hand edit or another program; a
record is rebuilt only when every field has the type and the vocabulary it must have, so a
flipped urgency is a clear error, not a traceback deep in scoring.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

from backtriage.harness.engine.records import AnswerRecord, Attempt
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import SystemFailure

_ATTEMPT_KEYS = frozenset(f.name for f in dataclasses.fields(Attempt))
_FLAGS = tuple(f.name for f in dataclasses.fields(AnswerRecord) if f.type == "bool")


class RecordShapeError(ValueError):
    """A stored record lacks a field or holds a value of the wrong type or vocabulary."""


def checked_record(data: Any) -> AnswerRecord:
    """Rebuild an :class:`AnswerRecord` from its JSON form, checking every field.

    Raises:
        RecordShapeError: naming the first field that is wrong.
    """
    if not isinstance(data, Mapping):
        raise RecordShapeError("an answer record is a JSON object")
    _field(data, "vignette_id", str)
    epoch = _field(data, "epoch", int)
    if epoch < 0:
        raise RecordShapeError(f"epoch must be at least 0, got {epoch}")
    error = _optional(data, "error", str)
    _optional(data, "raw", str)
    decision = None
    if data.get("decision") is not None:
        try:
            decision = decision_from_obj(data["decision"])
        except SystemFailure as exc:
            raise RecordShapeError(f"decision: {str(exc)[:200]}") from None
    if (decision is None) == (error is None):
        raise RecordShapeError("a record holds either a decision or an error")
    _number(data.get("seconds", 0.0), "seconds")
    if not isinstance(data.get("metadata", {}), Mapping):
        raise RecordShapeError("metadata must be an object")
    attempts = data.get("attempts", [])
    if not isinstance(attempts, list):
        raise RecordShapeError("attempts must be a list")
    for i, attempt in enumerate(attempts):
        _check_attempt(attempt, i)
    for flag in _FLAGS:  # every true/false field of a record, whatever fields are added
        if not isinstance(data.get(flag, False), bool):
            raise RecordShapeError(f"{flag} must be true or false, got {_kind(data[flag])}")
    checked = {**data, "decision": decision.to_dict() if decision else None}
    return AnswerRecord.from_dict(checked)


def _check_attempt(data: Any, index: int) -> None:
    where = f"attempts/{index}"
    if not isinstance(data, Mapping) or not set(data) <= _ATTEMPT_KEYS:
        raise RecordShapeError(f"{where} must be an object with {', '.join(sorted(_ATTEMPT_KEYS))}")
    _field(data, "number", int, where)
    if not isinstance(data.get("ok"), bool):
        raise RecordShapeError(f"{where}/ok must be true or false")
    _number(data.get("seconds", 0.0), f"{where}/seconds")
    _optional(data, "error", str, where)
    if data.get("retry_after") is not None:
        _number(data["retry_after"], f"{where}/retry_after")


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


def _kind(value: Any) -> str:
    return "nothing" if value is None else type(value).__name__
