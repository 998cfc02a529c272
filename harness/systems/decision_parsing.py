"""Strict parsing of a system's answer into a :class:`Decision` (fail closed)."""

from __future__ import annotations

import json
from typing import Any

from backtriage.harness.loading.schema_check import fast_check, validator
from backtriage.harness.model import Decision
from backtriage.harness.systems.protocol import InvalidAnswer


def decision_from_obj(obj: Any, raw: str | None = None) -> Decision:
    """Validate ``obj`` against the decision schema and build a decision.

    Raises:
        InvalidAnswer: naming every field that is wrong.
    """
    if isinstance(obj, Decision):
        obj = obj.to_dict()
    if _plainly_valid(obj):
        # The schema's compiled predicate (schema_fast) says valid: the validator finds nothing.
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


def _plainly_valid(obj: Any) -> bool:
    check = fast_check("decision")
    if check is None:
        return False
    try:
        return check(obj)
    except Exception:  # Unsure, or anything the full validator will meet and report
        return False
