"""A fast yes for plainly valid decisions, read from the decision schema itself.

Every answer of every system is checked against the decision schema, and a full JSON Schema
validation costs a few hundred microseconds: more than the rest of an LLM adapter's own work
per call. Almost every answer is plainly valid (known keys, exact strings from the vocabulary,
unique lists), which plain Python checks in a few microseconds. This module says only "valid"
or "not sure": anything it is not sure of goes through the full validator, whose verdict and
messages are unchanged, so the fast path can never accept what the schema refuses.

The rules are read from ``schemas/decision.schema.json`` (its enums, required keys and
properties). If the schema uses any keyword this reading does not know, there is no fast path
at all and every decision goes through the full validator: a new rule can never be skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from backtriage.harness.resources import load_schema

_ANNOTATIONS = frozenset({"description", "title", "$comment", "examples"})
_TOP_KEYWORDS = frozenset({"$schema", "$id", "schema_version", "type", "additionalProperties",
                           "required", "properties", "$defs"}) | _ANNOTATIONS


@dataclass(frozen=True)
class _Field:
    """One property: a string, a string from a set, or a list of unique strings from a set."""

    kind: str  # "string", "enum" or "unique_list"
    allowed: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DecisionShape:
    """The decision schema's rules as plain data.

    Attributes:
        required: keys that must be present.
        fields: every key allowed, with its rule (no other key is allowed).
    """

    required: frozenset[str]
    fields: Mapping[str, _Field]

    def plainly_valid(self, obj: Any) -> bool:
        """True only if ``obj`` certainly satisfies the schema (False means: ask jsonschema)."""
        if type(obj) is not dict or not self.required.issubset(obj):
            return False
        for key, value in obj.items():
            rule = self.fields.get(key) if type(key) is str else None
            if rule is None:
                return False
            if rule.kind == "string":
                if type(value) is not str:
                    return False
            elif rule.kind == "enum":
                if type(value) is not str or value not in rule.allowed:
                    return False
            elif (type(value) is not list or not all(type(item) is str for item in value)
                  or len(set(value)) != len(value) or not rule.allowed.issuperset(value)):
                return False
        return True


def _plain(node: Any) -> dict[str, Any]:
    if not isinstance(node, dict):
        raise ValueError("not an object")
    return {k: v for k, v in node.items() if k not in _ANNOTATIONS}


def _enum(node: Any, defs: Mapping[str, Any]) -> frozenset[str]:
    node = _plain(node)
    if set(node) == {"$ref"} and isinstance(node["$ref"], str) \
            and node["$ref"].startswith("#/$defs/"):
        node = _plain(defs[node["$ref"].removeprefix("#/$defs/")])
    values = node.get("enum")
    if set(node) != {"enum"} or not isinstance(values, list) \
            or not all(type(v) is str for v in values):
        raise ValueError("not an enum of strings")
    return frozenset(values)


def _field(node: Any, defs: Mapping[str, Any]) -> _Field:
    plain = _plain(node)
    if plain == {"type": "string"}:
        return _Field("string")
    if set(plain) == {"type", "items", "uniqueItems"} and plain["type"] == "array" \
            and plain["uniqueItems"] is True:
        return _Field("unique_list", _enum(plain["items"], defs))
    return _Field("enum", _enum(plain, defs))


def shape_of(schema: Mapping[str, Any]) -> DecisionShape | None:
    """Read a decision schema into rules, or ``None`` if it has a rule not understood here."""
    try:
        if not set(schema) <= _TOP_KEYWORDS or schema.get("type") != "object" \
                or schema.get("additionalProperties") is not False:
            return None
        defs = schema.get("$defs", {})
        fields = {key: _field(node, defs) for key, node in schema["properties"].items()}
        required = frozenset(schema["required"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if not required <= set(fields):
        return None
    return DecisionShape(required, fields)


@cache
def decision_shape() -> DecisionShape | None:
    """The bundled decision schema's rules (``None``: no fast path; always validate fully)."""
    return shape_of(load_schema("decision"))
