"""Run-level metrics with stated denominators (contract section 4)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from backtriage.harness.vocabulary import CONDITIONS, URGENCIES, urgency_rank
from backtriage.scoring import outcomes as oc
from backtriage.scoring.corpus_profile import contrast_pairs
from backtriage.scoring.stats import exact_upper_bound, quadratic_weighted_kappa, rate
from backtriage.scoring.vignette_score import VignetteScore

Selector = Callable[[VignetteScore], bool]

# name -> (outcome counted, which vignettes form the denominator, how the denominator reads)
_OUTCOME_RATES: dict[str, tuple[str, Selector, str]] = {
    "critical_miss_rate": (
        oc.CRITICAL_MISS,
        lambda s: s.vignette.expected.urgency == "emergency",
        "emergency vignettes",
    ),
    "major_miss_rate": (
        oc.MAJOR_MISS,
        lambda s: s.vignette.expected.urgency == "urgent",
        "urgent vignettes",
    ),
    "minor_under_triage_rate": (
        oc.MINOR_UNDER_TRIAGE,
        lambda s: s.vignette.expected.urgency == "routine",
        "routine vignettes",
    ),
    "missed_imaging_rate": (
        oc.MISSED_IMAGING,
        lambda s: s.vignette.imaging_indicated,
        "vignettes where imaging now is indicated",
    ),
    "wrong_modality_rate": (
        oc.WRONG_MODALITY,
        lambda s: s.vignette.expected.imaging != "none",
        "vignettes where imaging now is expected",
    ),
    "over_imaging_rate": (
        oc.OVER_IMAGING,
        lambda s: s.vignette.imaging_not_indicated and not s.vignette.is_red_flag,
        "vignettes where imaging is not indicated (red-flag vignettes excluded)",
    ),
    "over_triage_rate": (
        oc.OVER_TRIAGE,
        lambda s: s.vignette.expected.urgency != "emergency",
        "non-emergency vignettes",
    ),
    "missing_safety_net_rate": (
        oc.MISSING_SAFETY_NET,
        lambda s: bool(s.vignette.open_questions),
        "vignettes leaving a must-not-miss question open",
    ),
    "error_rate": (oc.ERROR, lambda s: True, "all vignettes"),
}

_AGREEMENT_RATES: dict[str, Callable[[VignetteScore], bool]] = {
    "urgency_accuracy": lambda s: s.combined.urgency_ok,
    "imaging_accuracy": lambda s: s.combined.imaging_ok,
    "category_accuracy": lambda s: s.combined.category_ok,
    "condition_recall": lambda s: s.combined.conditions_ok,
    "pass_all_epochs": lambda s: s.passed_all,
}


RATE_METRICS: tuple[str, ...] = (*_OUTCOME_RATES, *_AGREEMENT_RATES, "contrast_consistency")
"""Every rate, in report order: outcome rates (safety first), then agreement rates, then the
share of contrast pairs (vignettes identical but for one finding that moves the expected
urgency) with both members' urgency acceptable."""

COUNT_METRICS: tuple[str, ...] = (
    "n_vignettes",
    "n_emergency",
    "n_urgent",
    "n_routine",
    "n_self_care",
    "n_epochs",
    "n_errors",
    "critical_misses",
    "major_misses",
    "minor_under_triage",
    "missed_imaging",
    "over_imaging",
    "missing_safety_net",
    "errors",
)
"""Counts among the flat metrics."""

FLAT_METRICS: tuple[str, ...] = (
    *COUNT_METRICS,
    *RATE_METRICS,
    "critical_miss_upper95",
    "mean_flip_rate",
    "urgency_kappa",
)
"""Every flat (numeric) key :func:`compute_metrics` writes: what gates and deltas may name."""


def compute_metrics(scores: Sequence[VignetteScore]) -> dict[str, Any]:
    """Compute every run metric over ``scores``.

    The flat numeric keys (``n_vignettes``, ``critical_misses``, ``over_imaging_rate``, ...) are
    what gates read; ``rates`` holds each rate with its count, denominator, what the denominator
    is, and Wilson 95% interval.
    """
    n = len(scores)
    by_urgency = {u: sum(1 for s in scores if s.vignette.expected.urgency == u) for u in URGENCIES}
    out: dict[str, Any] = {
        "n_vignettes": n,
        "n_emergency": by_urgency["emergency"],
        "n_urgent": by_urgency["urgent"],
        "n_routine": by_urgency["routine"],
        "n_self_care": by_urgency["self_care"],
        "n_epochs": max((len(s.answers) for s in scores), default=0),
        "n_errors": sum(s.errors for s in scores),
    }
    rates: dict[str, Any] = {}
    for name, (outcome, selector, denominator_text) in _OUTCOME_RATES.items():
        group = [s for s in scores if selector(s)]
        r = rate(sum(1 for s in group if outcome in s.combined.outcomes), len(group))
        rates[name] = {**r.to_dict(), "denominator_is": denominator_text}
        out[name] = r.value
    for name, ok in _AGREEMENT_RATES.items():
        r = rate(sum(1 for s in scores if ok(s)), n)
        rates[name] = {**r.to_dict(), "denominator_is": "all vignettes"}
        out[name] = r.value

    out["critical_misses"] = rates["critical_miss_rate"]["count"]
    out["critical_miss_upper95"] = exact_upper_bound(out["critical_misses"], out["n_emergency"])
    out["major_misses"] = rates["major_miss_rate"]["count"]
    out["minor_under_triage"] = rates["minor_under_triage_rate"]["count"]
    out["missed_imaging"] = rates["missed_imaging_rate"]["count"]
    out["over_imaging"] = rates["over_imaging_rate"]["count"]
    out["missing_safety_net"] = rates["missing_safety_net_rate"]["count"]
    out["errors"] = rates["error_rate"]["count"]
    out["mean_flip_rate"] = sum(s.flip_rate for s in scores) / n if n else None
    out["urgency_kappa"] = _urgency_kappa(scores)
    pairs = _contrast_pairs(scores)
    both = rate(sum(1 for a, b in pairs if a.combined.urgency_ok and b.combined.urgency_ok),
                len(pairs))  # fmt: skip
    rates["contrast_consistency"] = {**both.to_dict(), "denominator_is": "contrast pairs"}
    out["contrast_consistency"] = both.value
    out["rates"] = rates
    out["urgency_confusion"] = _confusion(scores)
    out["per_condition"] = _per_condition(scores)
    return out


def _contrast_pairs(scores: Sequence[VignetteScore]) -> list[tuple[VignetteScore, VignetteScore]]:
    """The contrast pairs whose two members are both among ``scores``."""
    by_id = {s.vignette.id: s for s in scores}
    return [
        (by_id[a], by_id[b])
        for a, b in contrast_pairs([s.vignette for s in scores]).values()
        if a in by_id and b in by_id
    ]


def _answer_rank(s: VignetteScore, answer_urgency: str | None) -> int:
    expected = urgency_rank(s.vignette.expected.urgency)
    if answer_urgency is None:
        # An error is coded as the rating furthest from the expected one (fails closed).
        return 0 if expected >= 2 else 3
    return urgency_rank(answer_urgency)


def _urgency_kappa(scores: Sequence[VignetteScore]) -> float | None:
    pairs = [
        (urgency_rank(s.vignette.expected.urgency), _answer_rank(s, a.urgency if a else None))
        for s in scores
        for a in s.answers
    ]
    return quadratic_weighted_kappa(pairs, len(URGENCIES))


def _confusion(scores: Sequence[VignetteScore]) -> dict[str, dict[str, int]]:
    """Rows: expected urgency; columns: answered urgency (every epoch), plus ``error``."""
    table = {u: {a: 0 for a in (*URGENCIES, "error")} for u in URGENCIES}
    for s in scores:
        for a in s.answers:
            table[s.vignette.expected.urgency][a.urgency if a else "error"] += 1
    return table


def _per_condition(scores: Sequence[VignetteScore]) -> dict[str, dict[str, Any]]:
    """Sensitivity per expected condition: share of its vignettes not under-triaged."""
    out: dict[str, dict[str, Any]] = {}
    by_condition: dict[str, list[VignetteScore]] = {}
    for s in scores:
        for condition in set(s.vignette.expected.suspected_conditions):
            by_condition.setdefault(condition, []).append(s)
    for condition in CONDITIONS:
        group = by_condition.get(condition, [])
        if not group:
            continue
        r = rate(sum(1 for s in group if not s.combined.under_triaged), len(group))
        named = rate(sum(1 for s in group if s.combined.conditions_ok), len(group))
        out[condition] = {
            "sensitivity": {**r.to_dict(), "denominator_is": f"vignettes expecting {condition}"},
            "named": {**named.to_dict(), "denominator_is": f"vignettes expecting {condition}"},
        }
    return out


def metrics_by_status(scores: Sequence[VignetteScore]) -> dict[str, dict[str, Any]]:
    """Compute metrics for all vignettes and for consensus and contested vignettes apart."""
    return {
        "all": compute_metrics(scores),
        "consensus": compute_metrics([s for s in scores if s.vignette.label_status == "consensus"]),
        "contested": compute_metrics([s for s in scores if s.vignette.label_status == "contested"]),
    }
