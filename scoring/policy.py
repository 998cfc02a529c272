"""Gate policies: loading and validating the YAML file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from harness.loading.problems import InputError, Problem
from harness.loading.schema_check import schema_problems
from harness.resources import default_policy_path

GATEABLE_METRICS = frozenset({
    "n_vignettes", "n_emergency", "critical_misses", "critical_miss_rate", "critical_miss_upper95",
    "major_misses", "major_miss_rate", "minor_under_triage", "minor_under_triage_rate",
    "missed_imaging", "missed_imaging_rate", "wrong_modality_rate", "over_imaging",
    "over_imaging_rate", "over_triage_rate", "errors", "error_rate", "urgency_accuracy",
    "imaging_accuracy", "category_accuracy", "condition_recall", "pass_all_epochs",
    "mean_flip_rate", "urgency_kappa",
})
"""Metric keys a threshold may name (the flat keys of results.json ``metrics``)."""


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


def load_policy(path: str | Path | None = None) -> Policy:
    """Load a policy file (default: the bundled ``policies/default.yaml``).

    Raises:
        InputError: naming the file and field of every problem.
    """
    file = Path(path) if path else default_policy_path()
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError([Problem(str(file), "", f"cannot read policy: {exc.strerror or exc}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(str(file), "", f"not valid YAML: {exc}")]) from None
    return policy_from_dict(data, str(file))


def policy_from_dict(data: Any, source: str = "<policy>") -> Policy:
    """Validate a parsed policy document and build a :class:`Policy`.

    Raises:
        InputError: naming every problem.
    """
    problems = schema_problems("policy", data, source)
    if not problems:
        for name in data["thresholds"]:
            if name not in GATEABLE_METRICS:
                problems.append(Problem(
                    source, f"/thresholds/{name}",
                    f"unknown metric {name!r}; known: {', '.join(sorted(GATEABLE_METRICS))}",
                ))
    if problems:
        raise InputError(problems)
    return Policy(
        name=data["name"],
        source=source,
        scope=data.get("scope", "consensus"),
        thresholds={k: Bound(v.get("max"), v.get("min")) for k, v in data["thresholds"].items()},
        per_condition_min_sensitivity=dict(data.get("per_condition_min_sensitivity", {})),
        compare=dict(data.get("compare", {})),
    )
