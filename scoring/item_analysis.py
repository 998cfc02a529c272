"""Item analysis of the corpus (classical test theory, as Kopka et al. 2023 apply it to vignettes).

A population of systems answers every vignette: the baselines, the mutants of the reference
and any recorded runs. For each vignette (item):

- **difficulty** is the share of systems that answer it wrongly (any outcome: a miss, over-
  triage, over-imaging, wrong modality or an error);
- **discrimination** is the item-rest correlation: across systems, the correlation between
  getting this item right and the number of *other* items they get right. A good item is
  answered right by the systems that are right elsewhere; near zero or negative, it measures
  something else (or is mislabelled).

Items that every system gets right, or every system wrong, distinguish nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backtriage.harness.loading.near_duplicates import narrative_words, similarity
from backtriage.harness.model import Vignette

POOR_DISCRIMINATION = 0.2
"""Below this item-rest correlation an item discriminates poorly (the usual rule of thumb)."""

SIMILAR = 0.6
"""Narrative similarity from which two same-label vignettes are listed as near-duplicates
(the loader rejects pairs from 0.75)."""


@dataclass(frozen=True)
class Item:
    """One vignette's statistics over the system population."""

    id: str
    difficulty: float
    discrimination: float | None  # None when no system distinguishes the item

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "id": self.id,
            "difficulty": round(self.difficulty, 4),
            "discrimination": None
            if self.discrimination is None
            else round(self.discrimination, 4),
        }


@dataclass(frozen=True)
class ItemAnalysis:
    """Every item, the population it was measured on, and the closest same-label pairs."""

    systems: tuple[str, ...]
    items: tuple[Item, ...]
    near_duplicates: tuple[tuple[str, str, float], ...]

    @property
    def undistinguished(self) -> tuple[Item, ...]:
        """Items that every system answers the same way (all right or all wrong)."""
        return tuple(i for i in self.items if i.discrimination is None)

    @property
    def poor(self) -> tuple[Item, ...]:
        """Items that discriminate poorly or negatively."""
        return tuple(
            i
            for i in self.items
            if i.discrimination is not None and i.discrimination < POOR_DISCRIMINATION
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form with a summary."""
        values = [i.discrimination for i in self.items if i.discrimination is not None]
        return {
            "n_systems": len(self.systems),
            "systems": list(self.systems),
            "n_items": len(self.items),
            "mean_difficulty": _mean([i.difficulty for i in self.items]),
            "median_discrimination": _median(values),
            "undistinguished": [i.id for i in self.undistinguished],
            "poor_discrimination": [i.id for i in self.poor],
            "poor_threshold": POOR_DISCRIMINATION,
            "near_duplicates": [
                {"first": a, "second": b, "similarity": round(s, 3)}
                for a, b, s in self.near_duplicates
            ],
            "items": [i.to_dict() for i in self.items],
        }


def analyse(
    vignettes: Sequence[Vignette], correct: Mapping[str, Mapping[str, bool]]
) -> ItemAnalysis:
    """Compute item statistics.

    Args:
        vignettes: the items.
        correct: system name -> vignette id -> answered right (no outcome). A vignette a
            system has no answer for counts as wrong (fail closed).
    """
    systems = tuple(sorted(correct))
    ids = [v.id for v in vignettes]
    matrix = {s: [bool(correct[s].get(i, False)) for i in ids] for s in systems}
    totals = {s: sum(row) for s, row in matrix.items()}
    items = []
    for k, vid in enumerate(ids):
        right = [1.0 if matrix[s][k] else 0.0 for s in systems]
        rest = [totals[s] - right[n] for n, s in enumerate(systems)]
        difficulty = 1 - sum(right) / len(systems) if systems else 0.0
        items.append(Item(vid, difficulty, _correlation(right, rest)))
    return ItemAnalysis(systems, tuple(items), _similar_pairs(vignettes))


def _correlation(x: Sequence[float], y: Sequence[float]) -> float | None:
    n = len(x)
    if n < 2:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx == 0:
        return None  # every system answers alike: the item distinguishes nothing
    if syy == 0:
        return 0.0
    return sum((a - mx) * (b - my) for a, b in zip(x, y, strict=True)) / math.sqrt(sxx * syy)


def _similar_pairs(vignettes: Sequence[Vignette]) -> tuple[tuple[str, str, float], ...]:
    groups: dict[str, list[Vignette]] = {}
    for v in vignettes:
        groups.setdefault(repr((v.expected, v.acceptable)), []).append(v)
    pairs = []
    for members in groups.values():
        words = [(v.id, narrative_words(v.presentation.narrative)) for v in members]
        for i, (a, wa) in enumerate(words):
            for b, wb in words[i + 1 :]:
                ratio = similarity(wa, wb)
                if ratio >= SIMILAR:
                    pairs.append((min(a, b), max(a, b), ratio))
    return tuple(sorted(pairs, key=lambda p: (-p[2], p[0], p[1])))


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def _median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    middle = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return round(middle, 4)
