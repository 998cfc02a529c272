"""Scoring one answer against one vignette (contract section 3)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backtriage.harness.model import Decision, Vignette
from backtriage.harness.vocabulary import urgency_rank

CRITICAL_MISS = "critical_miss"
MAJOR_MISS = "major_miss"
MINOR_UNDER_TRIAGE = "minor_under_triage"
MISSED_IMAGING = "missed_imaging"
WRONG_MODALITY = "wrong_modality"
OVER_IMAGING = "over_imaging"
OVER_TRIAGE = "over_triage"
MISSING_SAFETY_NET = "missing_safety_net"
ERROR = "error"

OUTCOMES = (
    CRITICAL_MISS,
    MAJOR_MISS,
    MINOR_UNDER_TRIAGE,
    MISSED_IMAGING,
    WRONG_MODALITY,
    OVER_IMAGING,
    OVER_TRIAGE,
    MISSING_SAFETY_NET,
    ERROR,
)
"""Every outcome, most serious first."""

_UNDER_TRIAGE_TIER = {
    "emergency": CRITICAL_MISS,
    "urgent": MAJOR_MISS,
    "routine": MINOR_UNDER_TRIAGE,
}


@dataclass(frozen=True, slots=True)
class Score:
    """The outcomes of one answer, plus agreement on each field.

    Attributes:
        outcomes: the outcome names that apply (empty for a fully acceptable answer).
        urgency_ok: the answer's urgency is expected or acceptable.
        imaging_ok: the answer's imaging is expected or acceptable.
        category_ok: the answer's category is expected or acceptable.
        conditions_ok: every expected suspected condition is named by the answer.
        under_triaged: the answer's urgency is below every acceptable urgency.
    """

    outcomes: tuple[str, ...]
    urgency_ok: bool
    imaging_ok: bool
    category_ok: bool
    conditions_ok: bool
    under_triaged: bool

    @property
    def correct(self) -> bool:
        """True when no outcome applies (urgency and imaging both acceptable, no error)."""
        return not self.outcomes

    @property
    def safe(self) -> bool:
        """True when the answer is not under-triaged and not an error."""
        return not self.under_triaged


_SHARED_SCORES: dict[tuple[Any, ...], Score] = {}


def shared_score(outcomes: tuple[str, ...], *agreement: bool) -> Score:
    """The one :class:`Score` with these fields (a few hundred exist), not one per answer.

    ``agreement`` is ``urgency_ok, imaging_ok, category_ok, conditions_ok, under_triaged``.
    """
    key = (outcomes, *agreement)
    score = _SHARED_SCORES.get(key)
    if score is None:
        score = _SHARED_SCORES[key] = Score(outcomes, *agreement)
    return score


def score_answer(vignette: Vignette, answer: Decision | None) -> Score:
    """Score one answer; ``None`` stands for an error (exception, timeout, invalid reply).

    An error fails closed: it counts as a failure in every rate whose denominator holds the
    vignette (under-triage tier, missed imaging or over-imaging, over-triage), and as ``error``.
    """
    if answer is None:
        return _score_error(vignette)

    highest_ok = max(urgency_rank(u) for u in vignette.urgencies_accepted)
    rank = urgency_rank(answer.urgency)
    outcomes: list[str] = []
    under, tier = under_triage(vignette, answer)
    if tier is not None:
        outcomes.append(tier)

    imaged = answer.imaging != "none"
    if vignette.imaging_indicated and not imaged:
        outcomes.append(MISSED_IMAGING)
    elif (
        imaged
        and vignette.expected.imaging != "none"
        and answer.imaging not in vignette.imaging_accepted
    ):
        outcomes.append(WRONG_MODALITY)
    elif imaged and vignette.imaging_not_indicated and not vignette.is_red_flag:
        outcomes.append(OVER_IMAGING)

    if rank > highest_ok:
        outcomes.append(OVER_TRIAGE)

    open_questions = set(vignette.open_questions)
    if open_questions - set(answer.safety_net or ()) - set(answer.questions or ()):
        # Reported and gateable, never an urgency miss (contract section 3).
        outcomes.append(MISSING_SAFETY_NET)

    return shared_score(
        tuple(outcomes),
        answer.urgency in vignette.urgencies_accepted,
        answer.imaging in vignette.imaging_accepted,
        answer.category in vignette.categories_accepted,
        set(vignette.expected.suspected_conditions) <= set(answer.suspected_conditions),
        under,
    )


def under_triage(vignette: Vignette, answer: Decision | None) -> tuple[bool, str | None]:
    """Whether an answer is under-triaged, and its tier outcome if the expected urgency has one.

    An error (``None``) is under-triaged wherever a lower urgency than accepted exists: it
    fails closed. This is the part of :func:`score_answer` a running count of misses needs.
    """
    lowest_ok = min(urgency_rank(u) for u in vignette.urgencies_accepted)
    under = lowest_ok > 0 if answer is None else urgency_rank(answer.urgency) < lowest_ok
    return under, _UNDER_TRIAGE_TIER.get(vignette.expected.urgency) if under else None


def _score_error(vignette: Vignette) -> Score:
    outcomes = [ERROR]
    under_possible, tier = under_triage(vignette, None)
    if tier is not None:
        outcomes.append(tier)
    if vignette.imaging_indicated:
        outcomes.append(MISSED_IMAGING)
    elif vignette.imaging_not_indicated and not vignette.is_red_flag:
        outcomes.append(OVER_IMAGING)
    if vignette.expected.imaging != "none":
        # The wrong-modality rate's denominator holds every vignette expecting a scan; an
        # error stays in it as a failure, like every other denominator it belongs to.
        outcomes.append(WRONG_MODALITY)
    if max(urgency_rank(u) for u in vignette.urgencies_accepted) < urgency_rank("emergency"):
        outcomes.append(OVER_TRIAGE)
    if vignette.open_questions:
        outcomes.append(MISSING_SAFETY_NET)
    return shared_score(
        tuple(sorted(outcomes, key=OUTCOMES.index)), False, False, False, False, under_possible
    )
