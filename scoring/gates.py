"""Applying a policy's gates to run metrics."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backtriage.scoring.gate_values import comparison_text, scope_text, shown_value
from backtriage.scoring.policy import Policy


@dataclass(frozen=True)
class GateResult:
    """One gate's verdict.

    Attributes:
        name: what was checked, e.g. ``critical_misses <= 0``.
        value: the metric's value (``None`` when it could not be computed).
        passed: whether the gate holds; a gate with no data fails (it cannot vouch for anything).
        detail: a sentence for reports, e.g.
            ``over_imaging_rate 78/78 = 100.0% (consensus) > 10.0% FAILS``.
        scope: which vignettes the gate read, e.g. ``consensus`` or ``all vignettes``.
        shown: the value as the detail shows it, e.g. ``78/78 = 100.0%`` (empty without data).
    """

    name: str
    value: float | None
    passed: bool
    detail: str
    scope: str = ""
    shown: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        out: dict[str, Any] = {
            "name": self.name,
            "value": self.value,
            "passed": self.passed,
            "detail": self.detail,
        }
        if self.scope:
            out["scope"] = self.scope
        if self.shown:
            out["shown"] = self.shown
        return out


def _check(
    metric: str,
    value: float | None,
    low: float | None,
    high: float | None,
    metrics: Mapping[str, Any],
    scope: str,
) -> GateResult:
    bounds = " and ".join(
        s
        for s in (
            f">= {low:g}" if low is not None else "",
            f"<= {high:g}" if high is not None else "",
        )
        if s
    )
    label = f"{metric} {bounds}"
    if value is None:
        return GateResult(
            label,
            None,
            False,
            f"{metric} ({scope}): no vignettes in its denominator, cannot pass",
            scope,
        )
    ok = (low is None or value >= low) and (high is None or value <= high)
    shown = shown_value(metric, value, metrics, high if high is not None else low)
    verdict = "passes" if ok else "FAILS"
    detail = f"{metric} {shown} ({scope}) {comparison_text(metric, value, low, high, ok)} {verdict}"
    return GateResult(label, value, ok, detail, scope, shown)


def apply_gates(
    policy: Policy, metrics_by_scope: Mapping[str, Mapping[str, Any]], note: str = ""
) -> list[GateResult]:
    """Evaluate every threshold of ``policy`` on the metrics of its scope.

    Args:
        policy: the thresholds and the scope they read.
        metrics_by_scope: metrics for ``all``, ``consensus`` and ``contested`` vignettes.
        note: added to the scope every gate line names, e.g. ``selection of 12 of 361``.
    """
    metrics = metrics_by_scope[policy.scope]
    scope = scope_text(policy.scope) + (f"; {note}" if note else "")
    results = [
        _check(name, metrics.get(name), bound.min, bound.max, metrics, scope)
        for name, bound in policy.thresholds.items()
    ]
    per_condition = metrics.get("per_condition", {})
    for condition, minimum in policy.per_condition_min_sensitivity.items():
        value = per_condition.get(condition, {}).get("sensitivity", {}).get("value")
        results.append(_check(f"sensitivity[{condition}]", value, minimum, None, metrics, scope))
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
        else GateResult(r.name, None, True, f"{r.name}: {why}, not applied", r.scope)
        for r in results
    ]
