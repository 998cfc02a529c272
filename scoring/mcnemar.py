"""The exact McNemar test on paired per-vignette correctness of two runs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class McNemarResult:
    """The exact (binomial) two-sided McNemar test on discordant pairs.

    Attributes:
        n_pairs: vignettes answered in both runs.
        both_correct: pairs correct in both runs.
        both_wrong: pairs wrong in both runs.
        regressed: pairs correct in the base run and wrong in the new one.
        improved: pairs wrong in the base run and correct in the new one.
        p_value: the two-sided exact p-value; 1.0 when there is no discordant pair.
    """

    n_pairs: int
    both_correct: int
    both_wrong: int
    regressed: int
    improved: int
    p_value: float

    @property
    def discordant(self) -> int:
        """Pairs whose correctness changed between the runs."""
        return self.regressed + self.improved

    def sentence(self) -> str:
        """Describe the result in one line for reports."""
        if not self.discordant:
            return (
                f"McNemar exact test: no vignette changed correctness in {self.n_pairs} pairs "
                "(p = 1)"
            )
        return (
            f"McNemar exact test: {self.regressed} vignette(s) became wrong and "
            f"{self.improved} became correct out of {self.n_pairs} pairs; "
            f"two-sided p = {self.p_value:.4g}"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "n_pairs": self.n_pairs,
            "both_correct": self.both_correct,
            "both_wrong": self.both_wrong,
            "regressed": self.regressed,
            "improved": self.improved,
            "discordant": self.discordant,
            "p_value": self.p_value,
        }


def mcnemar_exact_p(regressed: int, improved: int) -> float:
    """Return the exact two-sided McNemar p-value for ``regressed`` and ``improved`` pairs.

    Under the null hypothesis each discordant pair is equally likely to go either way, so the
    smaller count follows Binomial(regressed + improved, 1/2); the two-sided p-value doubles
    the tail and is capped at 1. Integer arithmetic keeps it exact until the final division.

    Raises:
        ValueError: if a count is negative.
    """
    if regressed < 0 or improved < 0:
        raise ValueError(f"counts must be non-negative, got {regressed} and {improved}")
    n = regressed + improved
    if n == 0:
        return 1.0
    k = min(regressed, improved)
    tail = sum(math.comb(n, i) for i in range(k + 1))
    return min(1.0, 2 * tail / (1 << n))


def mcnemar(pairs: list[tuple[bool, bool]]) -> McNemarResult:
    """Run the exact McNemar test on ``(base_correct, new_correct)`` pairs."""
    regressed = sum(1 for b, n in pairs if b and not n)
    improved = sum(1 for b, n in pairs if n and not b)
    return McNemarResult(
        n_pairs=len(pairs),
        both_correct=sum(1 for b, n in pairs if b and n),
        both_wrong=sum(1 for b, n in pairs if not b and not n),
        regressed=regressed,
        improved=improved,
        p_value=mcnemar_exact_p(regressed, improved),
    )
