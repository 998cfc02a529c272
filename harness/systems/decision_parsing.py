"""Strict parsing of a system's answer into a :class:`Decision` (fail closed)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from backtriage.harness.loading.schema_check import fast_check, validator
from backtriage.harness.model import Decision
from backtriage.harness.resources import load_schema
from backtriage.harness.systems.protocol import InvalidAnswer


def decision_from_obj(obj: Any, raw: str | None = None) -> Decision:
    """Validate ``obj`` against the decision schema and build a decision.

    Raises:
        InvalidAnswer: naming every field that is wrong.
    """
    if type(obj) is Decision and _valid_as_made(obj):
        return obj  # frozen, of plain text and tuples: nothing to copy, nothing to rebuild
    if isinstance(obj, Decision):
        obj = obj.to_dict()
    if type(obj) is dict and (made := _exactly_a_decision(obj)) is not None:
        return made
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


@cache
def _vocabulary() -> tuple[frozenset[str], ...]:
    """The decision schema's own word lists: urgency, imaging, category, condition, topic."""
    defs = load_schema("decision")["$defs"]
    return tuple(frozenset(defs[name]["enum"])
                 for name in ("urgency", "imaging", "category", "condition", "topic"))


def _valid_as_made(d: Decision) -> bool:
    """True when a :class:`Decision` as built is one the decision schema accepts.

    The harness's rule systems answer with shared decisions of their own; checking the fields
    against the schema's words is a tenth of the cost of writing the decision out and
    validating it. Only the exact shapes :meth:`Decision.from_dict` makes pass (plain ``str``,
    tuples, no word twice); anything else, a ``str`` subclass included, goes the long way.
    """
    urgencies, imaging, categories, conditions, topics = _vocabulary()
    if not (type(d.urgency) is str and d.urgency in urgencies
            and type(d.imaging) is str and d.imaging in imaging
            and type(d.category) is str and d.category in categories
            and (d.rationale is None or type(d.rationale) is str)):
        return False
    return (_words_of(d.suspected_conditions, conditions)
            and (d.safety_net is None or _words_of(d.safety_net, topics))
            and (d.questions is None or _words_of(d.questions, topics)))


def _words_of(values: Any, allowed: frozenset[str]) -> bool:
    """A tuple of distinct plain-``str`` words, each in ``allowed``."""
    return (type(values) is tuple and all(type(v) is str and v in allowed for v in values)
            and len(set(values)) == len(values))


def _exactly_a_decision(obj: dict[Any, Any]) -> Decision | None:
    """The decision ``obj`` is the JSON form of, if it is exactly that of a valid one.

    A reply (or a cached answer) is nearly always a decision's own JSON form. Building it and
    checking the fields as made (:func:`_valid_as_made`), then that writing it out again
    gives ``obj`` back, costs half the compiled schema check: equal means the same keys (no
    extra one, every required one), lists where the schema has arrays, and text (only
    ``str`` equals a ``str``) checked word by word. Anything else goes the long way.
    """
    try:
        decision = Decision.from_dict(obj)
    except Exception:  # any shape the schema refuses: the long way names the fault
        return None
    if _valid_as_made(decision) and decision.to_dict() == obj:
        return decision
    return None


def _plainly_valid(obj: Any) -> bool:
    check = fast_check("decision")
    if check is None:
        return False
    try:
        return check(obj)
    except Exception:  # Unsure, or anything the full validator will meet and report
        return False
