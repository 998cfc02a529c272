"""backtriage.scoring: outcomes per answer, run metrics with intervals, gates and reports.

Names load on first use, so importing the package is cheap and free of import cycles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
    from backtriage.scoring.gates import GateResult, all_passed, apply_gates
    from backtriage.scoring.metrics import compute_metrics, metrics_by_status
    from backtriage.scoring.outcomes import OUTCOMES, Score, score_answer
    from backtriage.scoring.policy import Policy, load_policy
    from backtriage.scoring.stats import Rate, rate, wilson_interval, zero_event_upper_bound
    from backtriage.scoring.vignette_score import VignetteScore, score_vignette

_EXPORTS = {
    "GateResult": "backtriage.scoring.gates",
    "all_passed": "backtriage.scoring.gates",
    "apply_gates": "backtriage.scoring.gates",
    "compute_metrics": "backtriage.scoring.metrics",
    "metrics_by_status": "backtriage.scoring.metrics",
    "OUTCOMES": "backtriage.scoring.outcomes",
    "Score": "backtriage.scoring.outcomes",
    "score_answer": "backtriage.scoring.outcomes",
    "Policy": "backtriage.scoring.policy",
    "load_policy": "backtriage.scoring.policy",
    "Rate": "backtriage.scoring.stats",
    "rate": "backtriage.scoring.stats",
    "wilson_interval": "backtriage.scoring.stats",
    "zero_event_upper_bound": "backtriage.scoring.stats",
    "VignetteScore": "backtriage.scoring.vignette_score",
    "score_vignette": "backtriage.scoring.vignette_score",
}

__all__ = [
    "OUTCOMES",
    "GateResult",
    "Policy",
    "Rate",
    "Score",
    "VignetteScore",
    "all_passed",
    "apply_gates",
    "compute_metrics",
    "load_policy",
    "metrics_by_status",
    "rate",
    "score_answer",
    "score_vignette",
    "wilson_interval",
    "zero_event_upper_bound",
]
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
