"""Combining the answers of k epochs on one vignette into one verdict (worst answer decides)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from backtriage.harness.model import Decision, Vignette
from backtriage.scoring.outcomes import OUTCOMES, Score, score_answer, shared_score


@dataclass(frozen=True, slots=True)
class VignetteScore:
    """The verdict on one vignette over its k answers.

    Attributes:
        vignette: the case.
        answers: one decision per epoch, ``None`` where the system failed.
        epoch_scores: the score of each answer.
        combined: the union of outcomes over epochs, with agreement only if every epoch agreed;
            so any critical miss in k is a critical miss.
        flip_rate: share of epochs whose (urgency, imaging) differs from the most common one.
    """

    vignette: Vignette
    answers: tuple[Decision | None, ...]
    epoch_scores: tuple[Score, ...]
    combined: Score
    flip_rate: float

    @property
    def passed_all(self) -> bool:
        """True when every epoch's answer was fully acceptable (pass^k for this vignette)."""
        return all(s.correct for s in self.epoch_scores)

    @property
    def errors(self) -> int:
        """Number of epochs that ended in an error."""
        return sum(1 for a in self.answers if a is None)


def score_vignette(vignette: Vignette, answers: Sequence[Decision | None]) -> VignetteScore:
    """Score every epoch's answer and combine them, worst answer first.

    Raises:
        ValueError: if there is no answer at all (a vignette is never silently dropped).
    """
    if not answers:
        raise ValueError(f"vignette {vignette.id!r} has no answer to score")
    scores = tuple(score_answer(vignette, a) for a in answers)
    outcomes = {o for s in scores for o in s.outcomes}
    combined = shared_score(
        tuple(o for o in OUTCOMES if o in outcomes),
        all(s.urgency_ok for s in scores),
        all(s.imaging_ok for s in scores),
        all(s.category_ok for s in scores),
        all(s.conditions_ok for s in scores),
        any(s.under_triaged for s in scores),
    )
    keys = Counter((a.urgency, a.imaging) if a else ("error", "error") for a in answers)
    flip = 1.0 - keys.most_common(1)[0][1] / len(answers)
    return VignetteScore(vignette, tuple(answers), scores, combined, flip)
