"""Durations stated in a narrative ("10 days", "about 6 weeks", "since yesterday"), in days.

Each stated duration carries a tolerance that grows with its unit, because a narrative rounds:
a finding of 42 days is stated by "6 weeks", 540 days by "18 months", 730 by "2 years".

| unit | tolerance (days) |
|---|---|
| minutes, hours, days, today, yesterday | 1 |
| weeks, a fortnight | 3.5 |
| months | the larger of 15 and 10% |
| years, decades | the larger of 182 and 10% |

A range ("2-3 weeks", normalised to "2 3 weeks") states both ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from backtriage.harness.loading.narrative_text import Narrative

NUMBER_WORDS: dict[str, float] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "ninety": 90, "couple": 2, "few": 3, "half": 0.5,
}
"""Amount words; ``couple`` and ``few`` read as 2 and 3."""

UNITS: dict[str, float] = {
    "minute": 1 / 1440, "minutes": 1 / 1440, "min": 1 / 1440, "mins": 1 / 1440,
    "hour": 1 / 24, "hours": 1 / 24, "hr": 1 / 24, "hrs": 1 / 24,
    "day": 1, "days": 1, "night": 1, "nights": 1,
    "week": 7, "weeks": 7, "wk": 7, "wks": 7, "fortnight": 14, "fortnights": 14,
    "month": 30.44, "months": 30.44, "year": 365.25, "years": 365.25, "yr": 365.25,
    "yrs": 365.25, "decade": 3652.5, "decades": 3652.5,
}
"""Unit words and their length in days."""

RELATIVE: dict[tuple[str, ...], float] = {
    ("today",): 0, ("tonight",): 0, ("this", "morning"): 0, ("this", "afternoon"): 0,
    ("this", "evening"): 0, ("yesterday",): 1, ("last", "night"): 1,
    ("last", "week"): 7, ("last", "month"): 30.44, ("last", "year"): 365.25,
}
"""Words that state a time since onset without a number."""

_FILLERS = frozenset({"of", "and", "or", "to", "a"})
_RELATIVE_BY_FIRST: dict[str, list[tuple[tuple[str, ...], float]]] = {}
for _words, _days in RELATIVE.items():
    _RELATIVE_BY_FIRST.setdefault(_words[0], []).append((_words, _days))
"""The relative phrases by their first word, in :data:`RELATIVE`'s order."""
_KEY_WORDS = frozenset(UNITS) | frozenset(_RELATIVE_BY_FIRST)
"""The words a duration ends with (a unit) or starts with (a relative phrase)."""


@dataclass(frozen=True)
class Duration:
    """A duration stated in the narrative.

    Attributes:
        days: its length in days.
        tolerance: how far a finding may differ from it and still be stated by it.
        first: index of its first token.
        stop: index after its last token.
    """

    days: float
    tolerance: float
    first: int
    stop: int

    def states(self, days: float) -> bool:
        """Say whether this duration states a finding of ``days`` days."""
        return abs(days - self.days) <= self.tolerance


def tolerance(days: float, unit_days: float) -> float:
    """Return the tolerance of a duration of ``days`` stated in a unit of ``unit_days``."""
    if unit_days <= 1:
        return 1.0
    if unit_days <= 14:
        return 3.5
    if unit_days <= 31:
        return max(15.0, 0.1 * days)
    return max(182.0, 0.1 * days)


def durations(narrative: Narrative) -> list[Duration]:
    """Return every duration the narrative states."""
    tokens = narrative.tokens
    found: list[Duration] = []
    for i in [i for i, tok in enumerate(tokens) if tok in _KEY_WORDS]:
        tok = tokens[i]
        unit = UNITS.get(tok)
        if unit is not None:
            for amount, first in _amounts_before(tokens, i):
                days = amount * unit
                found.append(Duration(days, tolerance(days, unit), first, i + 1))
        for words, days in _RELATIVE_BY_FIRST.get(tok, ()):
            if tuple(tokens[i : i + len(words)]) == words:
                tol = tolerance(days, 1 if days < 7 else days)
                found.append(Duration(days, tol, i, i + len(words)))
    return found


def _amounts_before(tokens: Sequence[str], unit_at: int) -> list[tuple[float, int]]:
    """Read the amounts standing before a unit word: ``6``, ``2 3`` (a range), ``a couple of``."""
    amounts: list[tuple[float, int]] = []
    i = unit_at - 1
    while i >= 0 and unit_at - i <= 4:
        tok = tokens[i]
        value = _amount(tok)
        if value is not None:
            amounts.append((value, i))
        elif tok not in _FILLERS:
            break
        i -= 1
    # "half an hour": the "an" reads 1 and "half" 0.5; keep the product only.
    words = [tokens[j] for _, j in amounts]
    if "half" in words and any(w in {"a", "an"} for w in words):
        first = min(j for _, j in amounts)
        return [(0.5, first)]
    if len(amounts) > 1:  # "a couple of", "a few": the article is no amount
        amounts = [(v, j) for v, j in amounts if tokens[j] not in {"a", "an"}]
    return amounts


def _amount(tok: str) -> float | None:
    if tok in NUMBER_WORDS:
        return NUMBER_WORDS[tok]
    try:
        return float(tok)
    except ValueError:
        return None
