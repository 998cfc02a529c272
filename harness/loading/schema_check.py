r"""JSON Schema validation with errors named by file and JSON pointer.

Two departures from stock ``jsonschema``, both to fail closed: a ``pattern`` ending in ``$``
matches only at the very end of the text (Python's ``$`` also matches before a final newline,
so ``"some-id\n"`` passed an id pattern), and messages are bounded (stock messages echo the
whole offending value: a wrongly typed 10 MB file gave a 10 MB error line).

A file is first put to the schema's compiled yes/no predicate (:mod:`schema_fast`, exact, about
20 times cheaper); only a file it does not find valid goes through the validator above, which
alone words the problems. ``jsonschema`` is imported when the first validator is built, not with
this module: a command that validates nothing (``--version``, ``--help``) does not pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from backtriage.harness.loading.problems import Problem
from backtriage.harness.loading.schema_fast import Check, SchemaIndex, compile_schema
from backtriage.harness.resources import load_schema

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

_SCHEMA_NAMES = ("vignette", "decision", "bibliography", "results", "policy")
DRAFT_2020_12_KEYWORDS = frozenset({
    "$dynamicRef", "$ref", "additionalProperties", "allOf", "anyOf", "const", "contains",
    "dependentRequired", "dependentSchemas", "enum", "exclusiveMaximum", "exclusiveMinimum",
    "format", "if", "items", "maxItems", "maxLength", "maxProperties", "maximum", "minItems",
    "minLength", "minProperties", "minimum", "multipleOf", "not", "oneOf", "pattern",
    "patternProperties", "prefixItems", "properties", "propertyNames", "required", "type",
    "unevaluatedItems", "unevaluatedProperties", "uniqueItems",
})
"""The keywords the full (draft 2020-12) validator acts on, for the compiled predicate."""
MAX_MESSAGE = 300
"""Longest schema message reported; the value itself is never echoed whole."""
MAX_ERRORS = 50
"""Schema errors reported per file; beyond that the file is wrong throughout."""
_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
               (list, "array"), (dict, "object"), (type(None), "null"))


@cache
def _end_anchored(pattern: str) -> re.Pattern[str]:
    if pattern.endswith("$") and not pattern.endswith("\\$"):
        pattern = pattern[:-1] + r"\Z"
    return re.compile(pattern)


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _end_anchored(pattern).search(instance):
        from jsonschema.exceptions import ValidationError

        yield ValidationError(f"{short(instance)} does not match {pattern!r}")


@cache
def _validator_class() -> Any:
    """Draft 2020-12 with the end-anchored ``pattern`` (built once, on first use)."""
    from jsonschema import Draft202012Validator, validators

    return validators.extend(Draft202012Validator, {"pattern": _pattern})


def short(value: Any, limit: int = 80) -> str:
    """A bounded ``repr`` of ``value`` for messages."""
    if isinstance(value, dict | list) and len(value) > 10:
        return f"<{json_type(value)} of {len(value)} items>"
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**50 else "<huge integer>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def json_type(value: Any) -> str:
    """The JSON type name of a parsed value."""
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), "value")


@cache
def _registry() -> Registry:
    from referencing import Registry, Resource

    resources = []
    for name in _SCHEMA_NAMES:
        try:
            schema = load_schema(name)
        except FileNotFoundError:
            continue
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


@cache
def validator(name: str) -> Draft202012Validator:
    """Return a validator for ``schemas/<name>.schema.json`` with cross-schema refs resolved."""
    checker: Draft202012Validator = _validator_class()(load_schema(name), registry=_registry())
    return checker


@cache
def fast_check(name: str) -> Check | None:
    """The compiled yes/no predicate of schema ``name`` (None: always the full validator)."""
    # Built from the schema alone, not from the full validator, so that a run whose files are
    # all valid never imports jsonschema; a test keeps the keyword list equal to the validator's
    # and the validators are built with no format checker.
    return compile_schema(load_schema(name)["$id"], _schema_index(), DRAFT_2020_12_KEYWORDS,
                          _end_anchored, False)


@cache
def _schema_index() -> SchemaIndex:
    schemas = []
    for name in _SCHEMA_NAMES:
        try:
            schemas.append(load_schema(name))
        except FileNotFoundError:
            continue
    return SchemaIndex(schemas)


def pointer_of(path: Iterable[Any]) -> str:
    """Turn a jsonschema error path into a JSON pointer (RFC 6901)."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else ""


def _describe(error: ValidationError) -> tuple[str, str]:
    pointer = pointer_of(error.absolute_path)
    if error.validator == "required":
        # Name the missing field in the pointer itself, so "/expected/urgency" is greppable.
        missing = error.message.split("'")[1] if "'" in error.message else ""
        return f"{pointer}/{missing}", "required field is missing"
    if error.validator == "additionalProperties":
        return pointer, _cap(f"unknown field(s): {error.message}")
    if error.validator == "type":
        # Stock wording, but the value shown bounded (a whole list or mapping is not echoed).
        return pointer, f"{short(error.instance)} is not of type {error.validator_value!r}"
    return pointer, _cap(error.message)


def _cap(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def schema_problems(
    name: str, data: Any, file: str, vignette_id: str | None = None
) -> list[Problem]:
    """Validate ``data`` against schema ``name``; return one problem per violation.

    A file the compiled predicate finds valid has no problem; any other file goes through the
    full validator, which alone words the problems.
    """
    check = fast_check(name)
    if check is not None:
        try:
            if check(data):
                return []
        except Exception:  # Unsure, or anything the full validator will meet and report
            pass
    problems = []
    errors = []
    for error in validator(name).iter_errors(data):
        errors.append(error)
        if len(errors) >= MAX_ERRORS:
            break
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        pointer, message = _describe(error)
        problems.append(Problem(file, pointer, message, "error", vignette_id))
    return problems
