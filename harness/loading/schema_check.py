"""JSON Schema validation with errors named by file and JSON pointer."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from backtriage.harness.loading.problems import Problem
from backtriage.harness.resources import load_schema

_SCHEMA_NAMES = ("vignette", "decision", "bibliography", "results", "policy")


@cache
def _registry() -> Registry:
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
    return Draft202012Validator(load_schema(name), registry=_registry())


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
        return pointer, f"unknown field(s): {error.message}"
    return pointer, error.message


def schema_problems(
    name: str, data: Any, file: str, vignette_id: str | None = None
) -> list[Problem]:
    """Validate ``data`` against schema ``name``; return one problem per violation."""
    problems = []
    for error in sorted(validator(name).iter_errors(data), key=lambda e: list(e.absolute_path)):
        pointer, message = _describe(error)
        problems.append(Problem(file, pointer, message, "error", vignette_id))
    return problems
