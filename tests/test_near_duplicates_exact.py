"""The filtered near-duplicate search finds exactly the pairs that comparing all pairs finds."""

from __future__ import annotations

import difflib
import hashlib
import itertools
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.loading import near_duplicates
from backtriage.harness.loading.near_duplicates import (
    NearDuplicate,
    _lcs_at_least,
    _symbol_masks,
    find_near_duplicates,
    narrative_words,
    similar_pairs,
)
from backtriage.harness.model import canonical_json

# A small vocabulary, so that narratives repeat words and share most of them.
WORDS = ["back", "pain", "leg", "numb", "the", "and", "no", "left", "right", "weak", "since"]


@st.composite
def near_copies(draw: st.DrawFn) -> list[list[str]]:
    """A few base narratives and many copies of them with words changed, dropped, moved."""
    bases = draw(st.lists(st.lists(st.sampled_from(WORDS), max_size=30), min_size=1, max_size=3))
    out = []
    for _ in range(draw(st.integers(2, 14))):
        words = list(draw(st.sampled_from(bases)))
        for _ in range(draw(st.integers(0, 4))):
            edit = draw(st.sampled_from(["change", "drop", "insert", "shuffle", "swap"]))
            at = draw(st.integers(0, max(0, len(words) - 1)))
            if edit == "change" and words:
                words[at] = draw(st.sampled_from(WORDS))
            elif edit == "drop" and words:
                del words[at]
            elif edit == "insert":
                words.insert(at, draw(st.sampled_from(WORDS)))
            elif edit == "shuffle":
                span = words[at : at + 5]
                words[at : at + 5] = draw(st.permutations(span))
            elif edit == "swap" and len(words) > 1:
                other = draw(st.integers(0, len(words) - 1))
                words[at], words[other] = words[other], words[at]
        out.append(words)
    return out


thresholds = st.one_of(
    st.sampled_from([0.75, 0.5, 0.9, 1.0, 0.0, 1.5]), st.floats(0.0, 1.0, allow_nan=False)
)


def brute_force_pairs(words: list[list[str]], threshold: float) -> list[tuple[int, int, float]]:
    """Every pair, compared with the exact ratio."""
    found = []
    for p, q in itertools.combinations(range(len(words)), 2):
        ratio = difflib.SequenceMatcher(None, words[p], words[q], autojunk=False).ratio()
        if ratio >= threshold:
            found.append((p, q, ratio))
    return found


def brute_force_near_duplicates(
    loaded: list[tuple[Path, dict[str, Any]]], threshold: float
) -> list[NearDuplicate]:
    """The check as it was: every pair of a label bucket, and a hash join on the narrative."""
    entries = sorted(
        (str(d["id"]), str(f), narrative_words(d["presentation"]["narrative"]), d)
        for f, d in loaded
    )
    labels = [
        canonical_json({"findings": d["presentation"]["findings"], "expected": d["expected"]})
        for _, _, _, d in entries
    ]
    by_labels: dict[str, list[int]] = defaultdict(list)
    by_text: dict[str, list[int]] = defaultdict(list)
    for i, (_, _, words, _) in enumerate(entries):
        by_labels[labels[i]].append(i)
        by_text[hashlib.sha256(" ".join(words).encode()).hexdigest()].append(i)
    found: dict[tuple[int, int], NearDuplicate] = {}
    for members in by_labels.values():
        for i, j in itertools.combinations(members, 2):
            ratio = difflib.SequenceMatcher(
                None, entries[i][2], entries[j][2], autojunk=False
            ).ratio()
            if ratio >= threshold:
                found[(i, j)] = _dup(entries, i, j, ratio, True)
    for members in by_text.values():
        for i, j in itertools.combinations(members, 2):
            found.setdefault((i, j), _dup(entries, i, j, 1.0, labels[i] == labels[j]))
    return [found[k] for k in sorted(found)]


def _dup(entries: list[Any], i: int, j: int, ratio: float, same: bool) -> NearDuplicate:
    return NearDuplicate(entries[i][0], entries[i][1], entries[j][0], entries[j][1], ratio, same)


@settings(max_examples=400, deadline=None)
@given(words=near_copies(), threshold=thresholds)
def test_the_filtered_search_returns_exactly_the_pairs_of_comparing_all_pairs(
    words: list[list[str]], threshold: float
) -> None:
    """For any narratives, many of them edited copies of each other, and any threshold, the
    pairs found (and their ratios) are exactly those of comparing every pair."""
    assert sorted(similar_pairs(words, threshold)) == brute_force_pairs(words, threshold)


@settings(max_examples=200, deadline=None)
@given(
    words=near_copies(),
    labels=st.lists(st.integers(0, 2), min_size=14, max_size=14),
    threshold=thresholds,
)
def test_find_near_duplicates_equals_the_all_pairs_check(
    words: list[list[str]], labels: list[int], threshold: float
) -> None:
    """Over a corpus of such narratives in a few label buckets, the reported pairs, their
    similarities and whether their labels agree are exactly those of the all-pairs check."""
    loaded = [
        (
            Path(f"d/v{i:02d}.json"),
            {
                "id": f"v{(i * 7) % 15:02d}",  # ids in another order than the files
                "presentation": {"narrative": " ".join(w), "findings": {"f": labels[i] % 2}},
                "expected": {"e": labels[i] // 2},
            },
        )
        for i, w in enumerate(words)
    ]
    expected = brute_force_near_duplicates(loaded, threshold)
    assert find_near_duplicates(loaded, threshold) == expected


def longest_common_subsequence(a: list[str], b: list[str]) -> int:
    """The textbook dynamic programme."""
    row = [0] * (len(b) + 1)
    for x in a:
        prev_diag, row[0] = 0, 0
        for j, y in enumerate(b, 1):
            prev_diag, row[j] = row[j], prev_diag + 1 if x == y else max(row[j], row[j - 1])
    return row[-1]


@settings(max_examples=300, deadline=None)
@given(pair=near_copies(), need=st.integers(0, 40))
def test_the_bit_parallel_lcs_bound_agrees_with_the_dynamic_programme(
    pair: list[list[str]], need: int
) -> None:
    """The order filter says 'at least need' exactly when the longest common subsequence is."""
    a, b = pair[0], pair[1]
    lcs = longest_common_subsequence(a, b)
    assert _lcs_at_least(a, b, _symbol_masks(b), need) == (lcs >= need)


@settings(max_examples=100, deadline=None)
@given(
    words=near_copies(),
    labels=st.lists(st.integers(0, 2), min_size=14, max_size=14),
    threshold=thresholds,
    limit=st.integers(0, len(WORDS)),
)
def test_narratives_kept_as_numbers_past_the_character_range_find_the_same_pairs(
    words: list[list[str]], labels: list[int], threshold: float, limit: int
) -> None:
    """The check keeps each narrative as one character a word while the words' numbers fit in
    a character, and as a tuple of numbers past that; with the range cut short, so that a
    bucket holds both, the pairs are still exactly those of the all-pairs check."""
    loaded = [
        (
            Path(f"d/v{i:02d}.json"),
            {
                "id": f"v{i:02d}",
                "presentation": {"narrative": " ".join(w), "findings": {"f": labels[i] % 2}},
                "expected": {"e": 0},
            },
        )
        for i, w in enumerate(words)
    ]
    expected = brute_force_near_duplicates(loaded, threshold)
    with mock.patch.object(near_duplicates, "sys", SimpleNamespace(maxunicode=limit)):
        assert find_near_duplicates(loaded, threshold) == expected
