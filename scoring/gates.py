"""Applying a policy's gates to run metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backtriage.scoring.policy import Policy


@dataclass(frozen=True)
class GateResult:
    """One gate's verdict.

    Attributes:
        name: what was checked, e.g. ``critical_misses <= 0``.
        value: the metric's value (``None`` when it could not be computed).
        passed: whether the gate holds; a gate with no data fails (it cannot vouch for anything).
        detail: a sentence for reports.
    """

    name: str
    value: float | None
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "name": self.name,
            "value": self.value,
            "passed": self.passed,
            "detail": self.detail,
        }


def _check(name: str, value: float | None, low: float | None, high: float | None) -> GateResult:
    bounds = " and ".join(
        s
        for s in (
            f">= {low:g}" if low is not None else "",
            f"<= {high:g}" if high is not None else "",
        )
        if s
    )
    label = f"{name} {bounds}"
    if value is None:
        return GateResult(
            label, None, False, f"{label}: no vignettes in its denominator, cannot pass"
        )
    ok = (low is None or value >= low) and (high is None or value <= high)
    return GateResult(label, value, ok, f"{label}: {value:g} {'passes' if ok else 'FAILS'}")


def apply_gates(
    policy: Policy, metrics_by_scope: Mapping[str, Mapping[str, Any]]
) -> list[GateResult]:
    """Evaluate every threshold of ``policy`` on the metrics of its scope."""
    metrics = metrics_by_scope[policy.scope]
    results = [
        _check(name, metrics.get(name), bound.min, bound.max)
        for name, bound in policy.thresholds.items()
    ]
    per_condition = metrics.get("per_condition", {})
    for condition, minimum in policy.per_condition_min_sensitivity.items():
        value = per_condition.get(condition, {}).get("sensitivity", {}).get("value")
        results.append(_check(f"sensitivity[{condition}]", value, minimum, None))
    return results


def all_passed(results: list[GateResult]) -> bool:
    """True when every gate passed."""
    return all(r.passed for r in results)


def not_applied_without_data(results: list[GateResult], why: str) -> list[GateResult]:
    """Pass the gates that have no data, saying they were not applied, and keep the rest.

    For a run that holds only part of a corpus (a shard, a ``-k`` selection), where a gate
    whose denominator is empty says nothing about the system; the whole run gates strictly.
    """
    return [
        r
        if r.value is not None
        else GateResult(r.name, None, True, f"{r.name}: {why}, not applied")
        for r in results
    ]
