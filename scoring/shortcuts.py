"""The shortcut audit: can urgency be guessed from how a narrative is written, not what it says?

A benchmark whose emergencies are longer, end in a minimising question or mention an ambulance
can be passed without reading the case. The audit trains a small naive Bayes classifier on
surface features only (length, punctuation, the closing question's polarity, setting words,
how durations are phrased, register; never a clinical word) and cross-validates it on the
corpus. If it predicts expected urgency more than :data:`LIMIT` above the majority-class rate,
the corpus leaks its labels through its form.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backtriage.harness.model import Vignette

LIMIT = 0.05
"""Largest accepted gain of the surface classifier over the majority-class rate."""

FOLDS = 10

_MINIMISING = re.compile(
    r"\b(?:wait|monday|tomorrow|weekend|overreact|over-react|probably nothing|nothing serious|"
    r"ok to|okay to|fine to|just|normal\??$|silly|bother|waste)\b",
    re.IGNORECASE,
)
_ANXIOUS = re.compile(
    r"\b(?:worried|worrying|scared|frightened|panick|serious|dangerous|urgent|emergency|"
    r"right now|tonight|immediately|asap|should i go|do i need to go)\b",
    re.IGNORECASE,
)
_ACUTE_SETTING = re.compile(
    r"\b(?:a&e|ed\b|er\b|emergency department|emergency room|ambulance|paramedic|999|911|"
    r"resus|triage nurse)",
    re.IGNORECASE,
)
_COMMUNITY_SETTING = re.compile(
    r"\b(?:gp|clinic|physio|physiotherapist|chiropractor|pharmacist|urgent care|walk-in|"
    r"outpatient|surgery|telephone|phone|video)\b",
    re.IGNORECASE,
)
_NUMERIC_DURATION = re.compile(
    r"\b\d+\s*(?:-\s*)?(?:hours?|days?|weeks?|months?|years?)\b", re.IGNORECASE
)
_WORD_DURATION = re.compile(
    r"\b(?:a|an|one|two|three|four|five|six|few|couple of|several)\s+"
    r"(?:hours?|days?|weeks?|months?|years?)\b|\b(?:yesterday|last night|this morning|today)\b",
    re.IGNORECASE,
)


def surface_features(v: Vignette) -> tuple[str, ...]:
    """The vignette's surface features, each a ``name=value`` string (no clinical word)."""
    text = v.presentation.narrative
    words = len(text.split())
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
    last = sentences[-1] if sentences else ""
    closing = "none"
    if last.endswith("?"):
        closing = (
            "minimising"
            if _MINIMISING.search(last)
            else "anxious"
            if _ANXIOUS.search(last)
            else "neutral"
        )
    duration = (
        "numeric"
        if _NUMERIC_DURATION.search(text)
        else "words"
        if _WORD_DURATION.search(text)
        else "none"
    )
    return (
        f"register={v.register}",
        f"length={_bucket(words, (25, 50, 90, 140, 200))}",
        f"sentences={_bucket(len(sentences), (2, 4, 7, 11))}",
        f"questions={min(text.count('?'), 2)}",
        f"exclaims={min(text.count('!'), 1)}",
        f"closing={closing}",
        f"acute_setting={bool(_ACUTE_SETTING.search(text))}",
        f"community_setting={bool(_COMMUNITY_SETTING.search(text))}",
        f"duration={duration}",
        f"lowercase_start={text[:1].islower()}",
    )


def _bucket(value: int, edges: Sequence[int]) -> int:
    return next((i for i, edge in enumerate(edges) if value < edge), len(edges))


@dataclass(frozen=True)
class ShortcutAudit:
    """The cross-validated accuracy of the surface classifier against the majority rate."""

    n: int
    accuracy: float
    majority_rate: float
    majority_class: str
    balanced_accuracy: float
    n_classes: int
    limit: float = LIMIT

    @property
    def gain(self) -> float:
        """Accuracy above the majority-class rate (negative when below it)."""
        return self.accuracy - self.majority_rate

    @property
    def passed(self) -> bool:
        """True when the gain is within :attr:`limit`."""
        return self.gain <= self.limit

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "n": self.n,
            "surface_accuracy": round(self.accuracy, 4),
            "majority_rate": round(self.majority_rate, 4),
            "majority_class": self.majority_class,
            "gain": round(self.gain, 4),
            "limit": self.limit,
            # Reported, not gated: mean recall per urgency against chance (1 / classes), which
            # shows cues that the accuracy hides when they point at the majority class.
            "balanced_accuracy": round(self.balanced_accuracy, 4),
            "chance_balanced_accuracy": round(1 / self.n_classes, 4),
            "passed": self.passed,
            "folds": FOLDS,
        }


def audit(vignettes: Sequence[Vignette]) -> ShortcutAudit | None:
    """Cross-validate the surface classifier; ``None`` for a corpus too small to split."""
    if len(vignettes) < FOLDS * 2:
        return None
    labelled = [(surface_features(v), v.expected.urgency, _fold(v.id)) for v in vignettes]
    hits: Counter[str] = Counter()
    for fold in range(FOLDS):
        model = _NaiveBayes.fit([(f, y) for f, y, k in labelled if k != fold])
        hits.update(y for f, y, k in labelled if k == fold and model.predict(f) == y)
    counts = Counter(y for _, y, _ in labelled)
    majority, top = counts.most_common(1)[0]
    n = len(labelled)
    balanced = sum(hits[y] / counts[y] for y in counts) / len(counts)
    return ShortcutAudit(n, sum(hits.values()) / n, top / n, majority, balanced, len(counts))


def _fold(vid: str) -> int:
    # A hash of the id, so folds are the same on every machine and across runs.
    return int(hashlib.sha256(vid.encode("utf-8")).hexdigest(), 16) % FOLDS


@dataclass(frozen=True)
class _NaiveBayes:
    """Categorical naive Bayes with add-one smoothing over ``name=value`` features."""

    log_prior: dict[str, float]
    log_likelihood: dict[str, dict[str, float]]
    log_unseen: dict[str, float]

    @classmethod
    def fit(cls, rows: Sequence[tuple[tuple[str, ...], str]]) -> _NaiveBayes:
        classes = Counter(y for _, y in rows)
        values = {feature for features, _ in rows for feature in features}
        per_class: dict[str, Counter[str]] = defaultdict(Counter)
        for features, y in rows:
            per_class[y].update(features)
        log_prior = {y: math.log(n / len(rows)) for y, n in classes.items()}
        log_likelihood: dict[str, dict[str, float]] = {}
        log_unseen: dict[str, float] = {}
        # Each feature name takes one value per row: add-one smoothing over its values.
        n_values = Counter(value.split("=", 1)[0] for value in values)
        for y, n in classes.items():
            log_likelihood[y] = {
                value: math.log((per_class[y][value] + 1) / (n + n_values[value.split("=", 1)[0]]))
                for value in values
            }
            log_unseen[y] = math.log(1 / (n + max(n_values.values(), default=1)))
        return cls(log_prior, log_likelihood, log_unseen)

    def predict(self, features: tuple[str, ...]) -> str:
        def score(y: str) -> float:
            table = self.log_likelihood[y]
            return self.log_prior[y] + sum(table.get(f, self.log_unseen[y]) for f in features)

        return max(sorted(self.log_prior), key=score)
