"""Strict parsing of a system's answer into a :class:`Decision` (fail closed)."""

from __future__ import annotations

import json
from typing import Any

from backtriage.harness.loading.schema_check import validator
from backtriage.harness.model import Decision
from backtriage.harness.systems.decision_shape import decision_shape
from backtriage.harness.systems.protocol import InvalidAnswer


def decision_from_obj(obj: Any, raw: str | None = None) -> Decision:
    """Validate ``obj`` against the decision schema and build a decision.

    Raises:
        InvalidAnswer: naming every field that is wrong.
    """
    if isinstance(obj, Decision):
        obj = obj.to_dict()
    shape = decision_shape()
    if shape is not None and shape.plainly_valid(obj):
        # Certainly valid (see decision_shape): the full validator would find nothing.
        return Decision.from_dict(obj)
    errors = sorted(validator("decision").iter_errors(obj), key=lambda e: list(e.absolute_path))
    if errors:
        details = "; ".join(
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors[:5]
        )
        raise InvalidAnswer(f"not a valid decision: {details}", raw=raw)
    return Decision.from_dict(obj)


def decision_from_json(text: str) -> Decision:
    """Parse JSON text strictly into a decision.

    Raises:
        InvalidAnswer: if the text is not JSON or not a valid decision.
    """
    try:
        obj = json.loads(text)
    except (json.JSONDecodeError, TypeError) as exc:
        raise InvalidAnswer(f"reply is not valid JSON: {exc}", raw=text) from None
    return decision_from_obj(obj, raw=text)
