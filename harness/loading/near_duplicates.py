"""Near-duplicate vignettes: the same case entered twice inflates every count it is in.

Two vignettes are near-duplicates when

- their structured findings are identical **and** their expected decisions are identical **and**
  their narratives are similar: the word-level :class:`difflib.SequenceMatcher` ratio of the
  normalised narratives is at least :data:`THRESHOLD`; or
- their normalised narratives are identical, whatever their findings and labels (a copy whose
  labels were then edited).

Identical narratives are found by a hash join. Similar narratives are looked for only inside a
bucket (same findings and expected decision), and there not by giving every pair the (costly)
ratio: generated corpora put a hundred or more retold copies of one case in a bucket. Exact
filters pass every pair that could reach the threshold, and only the survivors get the ratio.

Why the filter misses nothing. For word sequences ``a``, ``b`` with ``T = |a| + |b|`` the ratio
is ``2.0 * M / T``, where ``M`` is the total size of the matching blocks SequenceMatcher finds;
the blocks are disjoint and in order in both sequences, so they form a common subsequence:
``M <= LCS(a, b) <= |a ∩ b|`` (the multiset overlap). Let ``need(T)`` be the least integer ``m``
with ``2.0 * m / T >= threshold``, evaluated in floating point exactly as difflib does; it rises
with ``T``. A flagged pair has ``M >= need(T)``, hence each of the following, checked in turn:

1. Size: the overlap is at most the shorter length ``|y|``, so ``|y| >= need(|x| + |y|)``; with
   ``x`` the longer, ``|y| >= lo(|x|)``, the least size that satisfies this.
2. Prefix (AllPairs/PPJoin): number the repeats of a word (``the``, ``the#2``, ...) so the multiset
   overlap is a set overlap, and order the tokens of each narrative rarest first (frequency in the
   bucket). The rarest shared token is followed, in either narrative, by the other ``o - 1``
   shared ones (``o`` the overlap), so it lies among the first ``|x| - o + 1`` tokens of ``x`` and
   the first ``|y| - o + 1`` of ``y``. Since ``o >= need(|x| + lo(|x|))`` and ``o >= need(2|y|)``,
   narratives taken shortest first, each indexing its first ``|y| - need(2|y|) + 1`` tokens and
   probing the index with its first ``|x| - need(|x| + lo(|x|)) + 1``, meet every such pair.
3. Overlap: ``|a ∩ b| >= need(T)`` (bit sets, one popcount), as difflib's ``quick_ratio``.
4. Order: ``LCS(a, b) >= need(T)``, by the bit-parallel LCS (Crochemore et al., 2001) after
   removing the common prefix and suffix (which an LCS always contains).

Survivors get the exact ratio, the one the check always used. (A threshold of 0 or below flags
every pair in a bucket, and is handled by comparing them all.)

On the generated corpora of benchmarks/near_duplicates.py (buckets of ~120 copies of a case, each
retold with everyday context) the prefix filter prunes little, since retold copies share most of
their words; the overlap test leaves about 4% of the pairs and the order test almost none of
those (at 10,000 vignettes, 1 of 2,428), so the ratio, about 0.4 ms a pair, is rarely computed.

Why 0.75: over every pair of the bundled corpus (241 vignettes, 28,920 pairs, whatever their
findings), the highest ratio between legitimately distinct cases was 0.69 (two diabetic truncal
radiculoneuropathy cases written to a common template), and within groups sharing findings apart
from age and duration it is far lower. A copy with 5% of its words changed scores about 0.95, with
15% changed 0.76 to 0.93. Deliberate minimal pairs (one finding changed, the narrative edited to
say so) differ in findings and are never compared.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import hashlib
import math
import operator
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backtriage.harness.loading.corpus_check import run_check
from backtriage.harness.loading.narrative_text import tokenise
from backtriage.harness.loading.problems import Problem
from backtriage.harness.model import canonical_json

THRESHOLD = 0.75
"""Narrative similarity (word-level SequenceMatcher ratio) at or above which a pair is flagged."""

_CHECK_EVERY = 16
"""Steps of the LCS between checks whether the pair can still reach the threshold."""


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
    return tuple([t for t in tokenise(narrative) if t[0].isalnum()])


def similarity(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Return the SequenceMatcher ratio of two word sequences."""
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def find_near_duplicates(
    loaded: Sequence[tuple[Path, Mapping[str, Any]]], threshold: float = THRESHOLD
) -> list[NearDuplicate]:
    """Return every near-duplicate pair among schema-valid vignettes."""
    check = NearDuplicateCheck(threshold)
    for file, data in loaded:
        check.add(file, data)
    return check.pairs()


def near_duplicate_problems(
    loaded: Sequence[tuple[Path, Mapping[str, Any]]], threshold: float = THRESHOLD
) -> list[Problem]:
    """Return an error for the second vignette of each near-duplicate pair."""
    return run_check(NearDuplicateCheck(threshold), loaded)


class NearDuplicateCheck:
    """The near-duplicate check one vignette at a time.

    Per vignette only its id, file, bucket (a digest of its findings and expected decision)
    and its narrative's words are kept, each word as one character numbered by a vocabulary of
    the whole corpus: about 40% of the narrative's own memory. Numbering is one to one, so two
    narratives have the same words exactly when they have the same characters, and the ratio
    of two is the same on either (difflib only compares elements for equality).
    """

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self._threshold = threshold
        self._vocabulary = _Vocabulary()
        # One entry a vignette in each, side by side: a tuple and a digest each cost more.
        self._ids: list[str] = []
        self._files: list[str] = []
        self._buckets = array("L")
        self._words: list[Sequence[Hashable]] = []
        self._bucket_of_key: dict[bytes, int] = {}

    def add(self, file: str | Path, data: Mapping[str, Any]) -> None:
        """Note one vignette."""
        key = hashlib.sha256(_labels_key(data).encode()).digest()
        self._buckets.append(self._bucket_of_key.setdefault(key, len(self._bucket_of_key)))
        codes = list(map(self._vocabulary.__getitem__,
                         narrative_words(data["presentation"]["narrative"])))
        self._words.append(_kept(codes))
        self._ids.append(str(data["id"]))
        self._files.append(str(file))

    def problems(self) -> list[Problem]:
        """An error for the second vignette of each near-duplicate pair."""
        threshold = self._threshold
        problems = []
        for dup in self.pairs():
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

    def pairs(self) -> list[NearDuplicate]:
        """Every near-duplicate pair among the vignettes added."""
        ids, files = self._ids, self._files
        order = sorted(range(len(ids)), key=lambda k: (ids[k], files[k]))
        names = [(ids[k], files[k]) for k in order]
        words_of = [self._words[k] for k in order]
        number: dict[int, int] = {}  # buckets numbered in id order, as they are joined
        members: list[list[int]] = []
        bucket: list[int] = []
        for i, k in enumerate(order):
            b = number.setdefault(self._buckets[k], len(members))
            if b == len(members):
                members.append([])
            members[b].append(i)
            bucket.append(b)

        by_text: dict[Sequence[Hashable], list[int]] = defaultdict(list)
        found: dict[tuple[int, int], NearDuplicate] = {}
        for group in members:
            words = [words_of[i] for i in group]
            for i, w in zip(group, words, strict=True):
                by_text[w].append(i)
            if len(group) > 1:
                for p, q, ratio in similar_pairs(_alike(words), self._threshold):
                    i, j = sorted((group[p], group[q]))
                    found[(i, j)] = _pair(names, i, j, ratio, True)
        for same_text in by_text.values():
            same_text.sort()
            for pos, i in enumerate(same_text):
                for j in same_text[pos + 1 :]:
                    if (i, j) not in found:
                        found[(i, j)] = _pair(names, i, j, 1.0, bucket[i] == bucket[j])
        return [found[k] for k in sorted(found)]


def similar_pairs(
    words: Sequence[Sequence[Hashable]], threshold: float = THRESHOLD
) -> Iterator[tuple[int, int, float]]:
    """Yield ``(p, q, ratio)`` for every pair ``p < q`` of ``words`` with ratio >= ``threshold``.

    Exactly the pairs an all-pairs comparison finds, without comparing all pairs (see the module
    docstring for why none is missed).
    """
    if math.isnan(threshold):
        return
    if threshold <= 0:  # every pair qualifies: nothing to filter
        for q in range(len(words)):
            for p in range(q):
                yield p, q, similarity(words[p], words[q])
        return
    if threshold <= 1.0:  # difflib's ratio of two empty sequences is 1.0; they share no token
        empty = [r for r, ws in enumerate(words) if not ws]
        for pos, q in enumerate(empty):
            for p in empty[:pos]:
                yield p, q, 1.0
    vocab = _Vocabulary()
    codes = [list(map(vocab.__getitem__, ws)) for ws in words]
    seqs = _as_text(codes, len(vocab))
    ranked = _ranked_tokens(codes, len(vocab))
    need = _needs(threshold)
    # Shortest first, so every narrative already indexed is no longer than the one probing.
    by_size = sorted(range(len(seqs)), key=lambda r: (len(seqs[r]), r))
    sizes = [len(seqs[r]) for r in by_size]
    needed = need.table(2 * sizes[-1])
    bits = [_bitset(ranked[r]) for r in by_size]
    postings: dict[int, int] = {}
    for pos, r in enumerate(by_size):
        size = sizes[pos]
        tokens = ranked[r]
        lo = need.least_partner(size)
        if lo <= size:
            candidates = 0
            get = postings.get
            for token in tokens[: size - needed[size + lo] + 1]:
                candidates |= get(token, 0)
            start = bisect.bisect_left(sizes, lo, 0, pos)
            candidates &= ((1 << pos) - 1) ^ ((1 << start) - 1)
            mine = bits[pos]
            masks: dict[Hashable, int] | None = None
            while candidates:
                low = candidates & -candidates
                candidates ^= low
                other = low.bit_length() - 1
                wanted = needed[size + sizes[other]]
                if (mine & bits[other]).bit_count() < wanted:
                    continue
                s = by_size[other]
                if masks is None:  # the probe's positions, built once for all its candidates
                    masks = _symbol_masks(seqs[r])
                if not _lcs_at_least(seqs[s], seqs[r], masks, wanted):
                    continue
                # The ratio is not symmetric: compare in the order of the input, as all pairs would.
                first, second = min(r, s), max(r, s)
                ratio = similarity(words[first], words[second])
                if ratio >= threshold:
                    yield first, second, ratio
        bit = 1 << pos
        for token in tokens[: max(0, size - needed[2 * size] + 1)]:
            postings[token] = postings.get(token, 0) | bit


class _Vocabulary(dict[Hashable, int]):
    """Word to number, numbering a new word on first sight."""

    def __missing__(self, word: Hashable) -> int:
        self[word] = number = len(self)
        return number


def _as_text(codes: Sequence[list[int]], vocab_size: int) -> Sequence[Sequence[Hashable]]:
    """The numbered words as strings, one character a word (slices compare in C), if they fit."""
    if vocab_size <= sys.maxunicode:
        return ["".join(map(chr, c)) for c in codes]
    return [tuple(c) for c in codes]


def _kept(codes: list[int]) -> Sequence[Hashable]:
    """One narrative's numbered words, as :func:`_as_text` would write them if they fit.

    A string or a tuple by the sequence's own largest number, so two with the same numbers
    are always alike (a corpus of more than ``sys.maxunicode`` distinct words has both).
    """
    return "".join(map(chr, codes)) if not codes or max(codes) <= sys.maxunicode else tuple(codes)


def _alike(words: list[Sequence[Hashable]]) -> list[Sequence[Hashable]]:
    """A bucket's kept words all as tuples of numbers, if any is one (else as they are)."""
    if all(type(w) is str for w in words):
        return words
    return [tuple(map(ord, w)) if isinstance(w, str) else w for w in words]


@functools.cache
def _needs(threshold: float) -> _Need:
    """One memo per threshold, shared by the buckets."""
    return _Need(threshold)


class _Need:
    """``need(T)``: the least match count ``m`` with ``2.0 * m / T >= threshold``, memoised."""

    def __init__(self, threshold: float) -> None:
        self._threshold = threshold
        self._need: dict[int, int] = {}
        self._partner: dict[int, int] = {}

    def __call__(self, total: int) -> int:
        found = self._need.get(total)
        if found is None:
            if total == 0:  # difflib's ratio of two empty sequences is 1.0
                found = 0 if self._threshold <= 1.0 else 1
            else:
                # Start just below the real-number answer and step up in difflib's arithmetic.
                found = max(0, math.floor(self._threshold * total / 2) - 2)
                while found <= total and 2.0 * found / total < self._threshold:
                    found += 1
            self._need[total] = found
        return found

    def table(self, largest: int) -> list[int]:
        """``need(T)`` for every ``T`` from 0 to ``largest``."""
        return [self(total) for total in range(largest + 1)]

    def least_partner(self, size: int) -> int:
        """The least size ``s`` with ``s >= need(size + s)`` (``size + 1`` if there is none)."""
        found = self._partner.get(size)
        if found is None:
            found = next((s for s in range(size + 1) if s >= self(size + s)), size + 1)
            self._partner[size] = found
        return found


def _ranked_tokens(codes: Sequence[list[int]], vocab_size: int) -> list[list[int]]:
    """Each sequence as its numbered word tokens, renumbered by rarity and sorted rarest first."""
    numbered = []
    frequency: Counter[int] = Counter()
    for seq in codes:
        counts = Counter(seq)
        # A word's first occurrence is the word w itself, its k-th repeat w + k * vocab_size.
        tokens = list(counts)
        tokens += [w + k * vocab_size for w, n in counts.items() if n > 1 for k in range(1, n)]
        frequency.update(tokens)
        numbered.append(tokens)
    by_rarity = sorted(frequency.items(), key=operator.itemgetter(1, 0))
    rank = {token: i for i, (token, _) in enumerate(by_rarity)}
    return [sorted(map(rank.__getitem__, tokens)) for tokens in numbered]


def _bitset(tokens: Sequence[int]) -> int:
    """The tokens as the set bits of an int (their overlap is then one popcount)."""
    if not tokens:
        return 0
    digits = bytearray(b"0") * (tokens[-1] + 1)
    for t in tokens:
        digits[t] = 49  # "1"; digit t from the left, reversed below so that bit t is set
    return int(digits[::-1], 2)


def _symbol_masks(seq: Sequence[Hashable]) -> dict[Hashable, int]:
    """For each symbol of ``seq``, the int whose set bits are its positions."""
    masks: dict[Hashable, int] = {}
    for j, c in enumerate(seq):
        masks[c] = masks.get(c, 0) | (1 << j)
    return masks


def _lcs_at_least(
    a: Sequence[Hashable], b: Sequence[Hashable], masks_b: Mapping[Hashable, int], need: int
) -> bool:
    """Whether the longest common subsequence of ``a`` and ``b`` is at least ``need`` long."""
    common = min(len(a), len(b))
    prefix = _common_length(a, b, common, from_end=False)
    suffix = _common_length(a, b, common - prefix, from_end=True)
    if prefix + suffix >= need:
        return True
    rest = a[prefix : len(a) - suffix]
    # Bit j of v is 0 where b[j] is matched; only b's middle (between the common prefix and
    # suffix) takes part: v starts with those bits set, so no other bit of b can match.
    middle = ((1 << (len(b) - suffix)) - 1) ^ ((1 << prefix) - 1)
    width = len(b) - suffix - prefix
    v = middle
    get = masks_b.get
    for start in range(0, len(rest), _CHECK_EVERY):
        for m in filter(None, map(get, rest[start : start + _CHECK_EVERY])):
            u = v & m
            v = (v + u) | (v - u)
        matched = width - (v & middle).bit_count()
        remaining = max(0, len(rest) - start - _CHECK_EVERY)
        if prefix + suffix + matched + remaining < need:
            return False
    return prefix + suffix + width - (v & middle).bit_count() >= need


def _common_length(
    a: Sequence[Hashable], b: Sequence[Hashable], limit: int, *, from_end: bool
) -> int:
    """Length of the longest common prefix (or suffix) of ``a`` and ``b``, at most ``limit``."""
    lo, hi = 0, limit
    while lo < hi:  # binary search on slice equality, which runs in C
        mid = (lo + hi + 1) // 2
        same = a[len(a) - mid :] == b[len(b) - mid :] if from_end else a[:mid] == b[:mid]
        if same:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _labels_key(data: Mapping[str, Any]) -> str:
    findings = data["presentation"]["findings"]
    return canonical_json({"findings": findings, "expected": data["expected"]})


def _pair(
    names: Sequence[tuple[str, str]], i: int, j: int, ratio: float, same: bool
) -> NearDuplicate:
    return NearDuplicate(names[i][0], names[i][1], names[j][0], names[j][1], ratio, same)
