"""Gate policies: loading and validating the YAML file (format: docs/policies.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backtriage.harness.loading.numbers import Range, number_problem
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.loading.schema_check import schema_problems
from backtriage.harness.loading.yamlfile import load_yaml
from backtriage.harness.resources import policies_dir, resolve_policy_path
from backtriage.scoring.metrics import FLAT_METRICS

_ANY_BOUND = Range(0, 1e9)
"""No metric (a count of vignettes, a rate, seconds) comes near 1e9; a larger bound is a typo."""

GATEABLE_METRICS = frozenset(FLAT_METRICS)
"""Metric keys a threshold may name (the flat keys of results.json ``metrics``)."""

PROPORTION_METRICS = frozenset(
    name
    for name in GATEABLE_METRICS
    if name.endswith(("_rate", "_accuracy", "_upper95", "_recall", "_epochs", "_kappa"))
)
"""Metrics that are proportions (kappa: an agreement in [-1, 1]); a bound above 1 is a typo."""


@dataclass(frozen=True)
class Bound:
    """A metric's bounds: the value must be at most ``max`` and at least ``min``."""

    max: float | None = None
    min: float | None = None


@dataclass(frozen=True)
class Policy:
    """A validated gate policy."""

    name: str
    source: str
    scope: str = "consensus"
    thresholds: dict[str, Bound] = field(default_factory=dict)
    per_condition_min_sensitivity: dict[str, float] = field(default_factory=dict)
    compare: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the policy as a policy document (embedded in results; reloadable)."""
        doc: dict[str, Any] = {"schema_version": "1.0.0", "name": self.name}
        if self.description:
            doc["description"] = self.description
        doc["scope"] = self.scope
        doc["thresholds"] = {
            name: {k: v for k, v in (("max", b.max), ("min", b.min)) if v is not None}
            for name, b in self.thresholds.items()
        }
        if self.per_condition_min_sensitivity:
            doc["per_condition_min_sensitivity"] = dict(self.per_condition_min_sensitivity)
        if self.compare:
            doc["compare"] = dict(self.compare)
        return doc


def bundled_policy_names() -> list[str]:
    """Return the names of the bundled policies (``--policy NAME``)."""
    return sorted(p.stem for p in policies_dir().glob("*.yaml"))


def load_policy(path: str | Path | None = None) -> Policy:
    """Load a policy file (default: the bundled ``policies/default.yaml``).

    Raises:
        InputError: naming the file and field of every problem.
    """
    file = resolve_policy_path(path)
    if not file.exists():
        hint = f" (bundled policies: {', '.join(bundled_policy_names())})"
        raise InputError([Problem(str(file), "", f"cannot read policy: no such file{hint}")])
    return policy_from_dict(load_yaml(file, "policy"), str(file))


def policy_from_dict(data: Any, source: str = "<policy>") -> Policy:
    """Validate a parsed policy document and build a :class:`Policy`.

    Raises:
        InputError: naming every problem.
    """
    problems = [_with_hint(p) for p in schema_problems("policy", data, source)]
    if not problems:
        problems = _semantic_problems(data, source)
    if problems:
        raise InputError(problems)
    return Policy(
        name=data["name"],
        source=source,
        scope=data.get("scope", "consensus"),
        thresholds={k: Bound(v.get("max"), v.get("min")) for k, v in data["thresholds"].items()},
        per_condition_min_sensitivity=dict(data.get("per_condition_min_sensitivity", {})),
        compare=dict(data.get("compare", {})),
        description=data.get("description", "").strip(),
    )


def _semantic_problems(data: dict[str, Any], source: str) -> list[Problem]:
    """Checks a schema cannot express: finite numbers, known metric names, coherent bounds."""
    problems = _number_problems(data, source)
    if problems:
        return problems
    for name, bound in data["thresholds"].items():
        where = f"/thresholds/{name}"
        if name not in GATEABLE_METRICS:
            problems.append(
                Problem(
                    source,
                    where,
                    f"unknown metric {name!r}; known: {', '.join(sorted(GATEABLE_METRICS))}",
                )
            )
            continue
        low, high = bound.get("min"), bound.get("max")
        if low is not None and high is not None and low > high:
            problems.append(
                Problem(source, where, f"min {low:g} is above max {high:g}: no value passes")
            )
        if name in PROPORTION_METRICS:
            for key in ("min", "max"):
                value = bound.get(key)
                if value is not None and value > 1:
                    problems.append(
                        Problem(
                            source,
                            f"{where}/{key}",
                            f"{name} is a proportion in [0, 1], got {value:g} "
                            f"(write {value / 100:g} for {value:g}%)",
                        )
                    )
    return problems


def _number_problems(data: dict[str, Any], source: str) -> list[Problem]:
    """Every number finite and of a sane size (a schema's ``minimum`` lets NaN through)."""
    numbers: list[tuple[str, Any, Range]] = [
        (f"/thresholds/{name}/{key}", bound.get(key), _ANY_BOUND)
        for name, bound in data["thresholds"].items()
        for key in ("min", "max")
    ]
    numbers += [
        (f"/per_condition_min_sensitivity/{name}", value, Range(0, 1))
        for name, value in data.get("per_condition_min_sensitivity", {}).items()
    ]
    numbers.append(("/compare/max_over_imaging_rise_points",
                    data.get("compare", {}).get("max_over_imaging_rise_points"), Range(0, 100)))
    problems = []
    for pointer, value, allowed in numbers:
        message = None if value is None else number_problem(value, allowed)
        if message:
            problems.append(Problem(source, pointer, message))
    return problems


def _with_hint(problem: Problem) -> Problem:
    """Add the fix to the schema errors people make most often."""
    parts = problem.pointer.split("/")
    is_threshold = len(parts) == 3 and parts[1] == "thresholds"
    if is_threshold and "is not of type 'object'" in problem.message:
        value = problem.message.split(" is not")[0]
        return Problem(
            problem.file,
            problem.pointer,
            f"a threshold is a bound, e.g. {{max: {value}}} or {{min: {value}}}; got {value}",
        )
    if is_threshold and "unknown field" in problem.message:
        detail = problem.message.removeprefix("unknown field(s): ")
        return Problem(
            problem.file, problem.pointer, f"a threshold takes only 'max' and 'min' ({detail})"
        )
    return problem
