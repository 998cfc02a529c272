"""Scoring: outcomes per answer, run metrics with intervals, gates and reports."""

# scoring.policy needs harness.loading, whose package imports the engine, which imports
# scoring.gates: loading harness first lets ``import scoring...`` work from a cold start.
import harness  # noqa: F401
from scoring.gates import GateResult, all_passed, apply_gates
from scoring.metrics import compute_metrics, metrics_by_status
from scoring.outcomes import OUTCOMES, Score, score_answer
from scoring.policy import Policy, load_policy
from scoring.stats import Rate, rate, wilson_interval, zero_event_upper_bound
from scoring.vignette_score import VignetteScore, score_vignette

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
