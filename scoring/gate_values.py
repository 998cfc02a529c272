"""What a gate line shows: the metric's count, denominator and percentage, and its scope.

A gate on ``over_imaging_rate`` reads ``78/78 = 100.0%`` like the scorecard's headline lines,
not a bare ``1``; a count gate (``critical_misses``) shows the count over the vignettes that
could have produced it. Every gate line names the vignettes it read (``consensus`` or ``all
vignettes``), because the headlines read all vignettes and a consensus gate can differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backtriage.scoring.formatting import bound_pct, pct, pct_beside

COUNT_RATES = {
    "critical_misses": "critical_miss_rate",
    "major_misses": "major_miss_rate",
    "minor_under_triage": "minor_under_triage_rate",
    "missed_imaging": "missed_imaging_rate",
    "over_imaging": "over_imaging_rate",
    "errors": "error_rate",
}
"""Count metrics and the rate whose numerator they are (for the denominator to show)."""

PLAIN_METRICS = frozenset({"urgency_kappa"})
"""Metrics that are neither counts nor proportions: printed as they are."""

SCOPE_TEXT = {"consensus": "consensus", "all": "all vignettes"}


def scope_text(scope: str) -> str:
    """How a gate line names the vignettes its gates read."""
    return SCOPE_TEXT.get(scope, scope)


def is_proportion(name: str) -> bool:
    """True for metrics gated as proportions (bounds shown as percentages)."""
    if name.startswith("sensitivity["):
        return True
    return name not in PLAIN_METRICS and name.endswith(
        ("_rate", "_accuracy", "_upper95", "_recall", "_epochs")
    )


def _count_text(count: int, denominator: int, value: float, bound: float | None) -> str:
    shown = pct(value) if bound is None else pct_beside(value, bound)
    return f"{count}/{denominator} = {shown}"


def shown_value(
    name: str, value: float, metrics: Mapping[str, Any], bound: float | None = None
) -> str:
    """The value of metric ``name`` as a gate line shows it.

    Args:
        name: a flat metric name, or ``sensitivity[CONDITION]``.
        value: the metric's value (not ``None``).
        metrics: the metrics of the gate's scope (where counts and denominators are found).
        bound: the bound the value is held to, so a percentage is not rounded onto it.
    """
    rates = metrics.get("rates", {})
    if name.startswith("sensitivity["):
        condition = name.removeprefix("sensitivity[").removesuffix("]")
        r = metrics.get("per_condition", {}).get(condition, {}).get("sensitivity")
        if r and r.get("denominator"):
            return _count_text(r["count"], r["denominator"], value, bound)
    elif name in rates and rates[name].get("denominator"):
        r = rates[name]
        return _count_text(r["count"], r["denominator"], value, bound)
    elif name in COUNT_RATES and rates.get(COUNT_RATES[name], {}).get("denominator"):
        r = rates[COUNT_RATES[name]]
        return _count_text(int(value), r["denominator"], r["value"], None)
    elif name == "critical_miss_upper95":
        shown = pct(value) if bound is None else pct_beside(value, bound)
        return f"{shown} for {metrics.get('critical_misses')}/{metrics.get('n_emergency')} missed"
    if name in PLAIN_METRICS:
        return f"{value:.3f}"
    if is_proportion(name) or name == "mean_flip_rate":
        return pct(value) if bound is None else pct_beside(value, bound)
    return f"{value:g}"


def bound_text(name: str, bound: float) -> str:
    """A bound as a gate line shows it: a percentage for a proportion, else the number."""
    return bound_pct(bound) if is_proportion(name) else f"{bound:g}"


def comparison_text(
    name: str, value: float, low: float | None, high: float | None, passed: bool
) -> str:
    """The bounds as they hold (``<= 10.0%``), or the one broken (``> 10.0%``)."""
    if not passed:
        if high is not None and value > high:
            return f"> {bound_text(name, high)}"
        if low is not None:
            return f"< {bound_text(name, low)}"
    held = [f"<= {bound_text(name, high)}" if high is not None else "",
            f">= {bound_text(name, low)}" if low is not None else ""]
    return " and ".join(t for t in held if t)
