"""What the corpus's narratives are like: numbness, sparse messages, pairs and lay writing.

`corpus stats` reports these beside the coverage counts, so the claims the README makes about
the corpus (how much of it is about numbness, of the back in particular; how many messages are
as sparse as real ones; how patients write) are measured, not asserted.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backtriage.harness.model import Vignette

BACK_SITES = frozenset({"localised_back", "back_one_side", "back_band", "truncal_band"})
"""Numbness sites on the back itself (a patch, one side, a strip, a band round the trunk)."""

PERTINENT_NEGATIVES = (
    "fever",
    "cancer_history",
    "bladder",
    "bowel",
    "saddle_sensation",
    "weakness",
)
UNKNOWN = frozenset({"not_stated", "not_examined"})
SPARSE_WORDS = (10, 60)
SPARSE_MIN_UNKNOWN = 4
"""A sparse message leaves at least this many of the six pertinent negatives unstated."""

UK_IDIOM = re.compile(
    r"(?<![\w&])(?:A&E|GP|wee|weeing|poo|mum|bum|paracetamol|999|physio|chemist|surgery)"
    r"(?![\w&])"
)
US_IDIOM = re.compile(
    r"(?<![\w&])(?:ER|emergency room|urgent care|Tylenol|acetaminophen|Advil|pee|peeing|poop|"
    r"mom|butt|911|PCP|primary care)(?![\w&])"
)
SELF_DIAGNOSIS = re.compile(
    r"pinched nerve|slipped disc|slipped disk|herniated dis[ck]|bulging dis[ck]|sciatica|"
    r"\bI read\b|\bgoogled\b|\bonline it says\b|\bdr google\b|\bWebMD\b",
    re.IGNORECASE,
)
WRITER_TAGS = ("writer-partner", "writer-parent", "writer-adult-child", "writer-relative")
INFORMAL_TAGS = ("style-typos", "style-fragments", "style-lowercase")
PASTE_TAG = "style-several-messages"


def _unknown(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return any(v in UNKNOWN for v in value)
    return value in UNKNOWN


def word_count(v: Vignette) -> int:
    """Words in the narrative."""
    return len(v.presentation.narrative.split())


def has_numbness(v: Vignette) -> bool:
    """Numbness, tingling or pins and needles is among the presenting complaints.

    Read from the findings (a numbness site), not the narrative, where "no numbness" is as
    common as numbness itself.
    """
    return bool(v.presentation.findings.get("numbness_sites"))


def has_back_numbness(v: Vignette) -> bool:
    """Numbness of the back itself (a findings site on the back)."""
    return bool(BACK_SITES & set(v.presentation.findings.get("numbness_sites") or ()))


def unstated_negatives(v: Vignette) -> int:
    """How many of the six pertinent negatives the case leaves unstated."""
    return sum(1 for k in PERTINENT_NEGATIVES if _unknown(v.presentation.findings.get(k)))


def is_sparse(v: Vignette) -> bool:
    """A short lay message that leaves most pertinent negatives unstated."""
    low, high = SPARSE_WORDS
    return (
        v.register == "lay"
        and low <= word_count(v) <= high
        and unstated_negatives(v) >= SPARSE_MIN_UNKNOWN
    )


def looks_informal(v: Vignette) -> bool:
    """Typos, fragments or lowercase, by an author's tag or visibly (lowercase start, no stop)."""
    text = v.presentation.narrative.strip()
    tagged = any(t in v.tags for t in INFORMAL_TAGS)
    return tagged or text[:1].islower() or not text.endswith((".", "?", "!", '"', ")"))


@dataclass(frozen=True)
class CorpusProfile:
    """The measured character of a corpus's narratives."""

    total: int
    numbness: int
    back_numbness: int
    back_numbness_by_urgency: Mapping[str, int]
    sparse_lay: int
    lay: int
    lay_words_min: int
    lay_words_max: int
    informal_lay: int
    uk_idiom: int
    us_idiom: int
    self_diagnosis: int
    written_by_relative: int
    several_messages: int
    contrast_pairs: int

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form, shares included."""
        share = (lambda k: round(k / self.total, 4)) if self.total else (lambda k: None)
        lay_share = (lambda k: round(k / self.lay, 4)) if self.lay else (lambda k: None)
        return {
            "numbness": self.numbness,
            "numbness_share": share(self.numbness),
            "back_numbness": self.back_numbness,
            "back_numbness_by_urgency": dict(self.back_numbness_by_urgency),
            "sparse_lay": self.sparse_lay,
            "lay": self.lay,
            "lay_words": {"min": self.lay_words_min, "max": self.lay_words_max},
            "informal_lay": self.informal_lay,
            "informal_lay_share": lay_share(self.informal_lay),
            "uk_idiom": self.uk_idiom,
            "us_idiom": self.us_idiom,
            "self_diagnosis": self.self_diagnosis,
            "written_by_relative": self.written_by_relative,
            "several_messages": self.several_messages,
            "contrast_pairs": self.contrast_pairs,
        }


def profile(vignettes: Sequence[Vignette], urgencies: Sequence[str]) -> CorpusProfile:
    """Measure ``vignettes`` (``urgencies`` orders the per-urgency counts)."""
    lay = [v for v in vignettes if v.register == "lay"]
    back = [v for v in vignettes if has_back_numbness(v)]
    by_urgency = Counter(v.expected.urgency for v in back)
    lay_words = [word_count(v) for v in lay]
    return CorpusProfile(
        total=len(vignettes),
        numbness=sum(1 for v in vignettes if has_numbness(v)),
        back_numbness=len(back),
        back_numbness_by_urgency={u: by_urgency.get(u, 0) for u in urgencies},
        sparse_lay=sum(1 for v in vignettes if is_sparse(v)),
        lay=len(lay),
        lay_words_min=min(lay_words, default=0),
        lay_words_max=max(lay_words, default=0),
        informal_lay=sum(1 for v in lay if looks_informal(v)),
        uk_idiom=sum(1 for v in lay if UK_IDIOM.search(v.presentation.narrative)),
        us_idiom=sum(1 for v in lay if US_IDIOM.search(v.presentation.narrative)),
        self_diagnosis=sum(1 for v in lay if SELF_DIAGNOSIS.search(v.presentation.narrative)),
        written_by_relative=sum(1 for v in lay if any(t in v.tags for t in WRITER_TAGS)),
        several_messages=sum(1 for v in lay if PASTE_TAG in v.tags),
        contrast_pairs=len(contrast_pairs(vignettes)),
    )


def contrast_pairs(vignettes: Sequence[Vignette]) -> dict[str, tuple[str, ...]]:
    """Pair id -> the ids of its vignettes, from ``contrast-<pair id>`` tags (complete pairs)."""
    members: dict[str, list[str]] = {}
    for v in vignettes:
        for tag in v.tags:
            if tag.startswith("contrast-"):
                members.setdefault(tag.removeprefix("contrast-"), []).append(v.id)
    return {k: tuple(sorted(ids)) for k, ids in sorted(members.items()) if len(ids) == 2}
