"""Near-duplicate vignettes: the same case entered twice inflates every count it is in.

Two vignettes are near-duplicates when

- their structured findings are identical **and** their expected decisions are identical **and**
  their narratives are similar: the word-level :class:`difflib.SequenceMatcher` ratio of the
  normalised narratives is at least :data:`THRESHOLD`; or
- their normalised narratives are identical, whatever their findings and labels (a copy whose
  labels were then edited).

Only vignettes in the same bucket (same findings and expected decision, hashed) are compared, so
the check is linear in the corpus size plus the pairs inside buckets, which are small: on the
bundled corpus no two vignettes share findings and expected decision at all.

Why 0.75: over every pair of the bundled corpus (241 vignettes, 28,920 pairs, whatever their
findings), the highest ratio between legitimately distinct cases was 0.69 (two diabetic truncal
radiculoneuropathy cases written to a common template), and within groups sharing findings apart
from age and duration it is far lower. A copy with 5% of its words changed scores about 0.95, with
15% changed 0.76 to 0.93. Deliberate minimal pairs (one finding changed, the narrative edited to
say so) differ in findings and are never compared.
"""

from __future__ import annotations

import difflib
import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backtriage.harness.loading.narrative_text import tokenise
from backtriage.harness.loading.problems import Problem
from backtriage.harness.model import canonical_json

THRESHOLD = 0.75
"""Narrative similarity (word-level SequenceMatcher ratio) at or above which a pair is flagged."""


@dataclass(frozen=True)
class NearDuplicate:
    """A pair of near-duplicate vignettes.

    Attributes:
        first_id: the id that sorts first.
        first_file: its file.
        second_id: the other id.
        second_file: its file.
        similarity: the narrative similarity, 1.0 for identical narratives.
        same_labels: whether findings and expected decision are identical too.
    """

    first_id: str
    first_file: str
    second_id: str
    second_file: str
    similarity: float
    same_labels: bool


def narrative_words(narrative: str) -> tuple[str, ...]:
    """Return the normalised words of a narrative (punctuation dropped)."""
    return tuple(t for t in tokenise(narrative) if t[0].isalnum())


def similarity(a: Sequence[str], b: Sequence[str]) -> float:
    """Return the SequenceMatcher ratio of two word sequences."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def find_near_duplicates(
    loaded: Sequence[tuple[Path, Mapping[str, Any]]], threshold: float = THRESHOLD
) -> list[NearDuplicate]:
    """Return every near-duplicate pair among schema-valid vignettes."""
    entries = sorted(
        ((str(data["id"]), str(file), narrative_words(data["presentation"]["narrative"]), data)
         for file, data in loaded),
        key=lambda e: (e[0], e[1]),
    )
    by_labels: dict[str, list[int]] = defaultdict(list)
    by_text: dict[str, list[int]] = defaultdict(list)
    for i, (_, _, words, data) in enumerate(entries):
        by_labels[_labels_key(data)].append(i)
        by_text[hashlib.sha256(" ".join(words).encode()).hexdigest()].append(i)

    found: dict[tuple[int, int], NearDuplicate] = {}
    for members in by_labels.values():
        for pos, i in enumerate(members):
            for j in members[pos + 1 :]:
                ratio = _ratio_at_least(entries[i][2], entries[j][2], threshold)
                if ratio is not None:
                    found[(i, j)] = _pair(entries, i, j, ratio, True)
    for members in by_text.values():
        for pos, i in enumerate(members):
            for j in members[pos + 1 :]:
                if (i, j) not in found:
                    same = _labels_key(entries[i][3]) == _labels_key(entries[j][3])
                    found[(i, j)] = _pair(entries, i, j, 1.0, same)
    return [found[k] for k in sorted(found)]


def near_duplicate_problems(
    loaded: Sequence[tuple[Path, Mapping[str, Any]]], threshold: float = THRESHOLD
) -> list[Problem]:
    """Return an error for the second vignette of each near-duplicate pair."""
    problems = []
    for dup in find_near_duplicates(loaded, threshold):
        if dup.same_labels:
            why = (
                f"identical findings and expected decision, narrative similarity "
                f"{dup.similarity:.2f} (threshold {threshold:.2f})"
            )
        else:
            why = "identical narrative (findings or labels differ: one of them is wrong)"
        problems.append(
            Problem(
                dup.second_file,
                "/presentation/narrative",
                f"near-duplicate of {dup.first_id} ({dup.first_file}): {why}",
                "error",
                dup.second_id,
            )
        )
    return problems


def _labels_key(data: Mapping[str, Any]) -> str:
    findings = data["presentation"]["findings"]
    return canonical_json({"findings": findings, "expected": data["expected"]})


def _ratio_at_least(a: Sequence[str], b: Sequence[str], threshold: float) -> float | None:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return None
    ratio = matcher.ratio()
    return ratio if ratio >= threshold else None


def _pair(
    entries: Sequence[tuple[str, str, tuple[str, ...], Mapping[str, Any]]],
    i: int,
    j: int,
    ratio: float,
    same: bool,
) -> NearDuplicate:
    return NearDuplicate(entries[i][0], entries[i][1], entries[j][0], entries[j][1], ratio, same)
