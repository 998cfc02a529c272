"""What makes two runs the same run, and which answers are misses (for progress)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from backtriage.harness.engine.options import EngineOptions
from backtriage.harness.engine.progress import IsMiss
from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.model import Vignette
from backtriage.harness.systems.protocol import TriageSystem
from backtriage.scoring.outcomes import CRITICAL_MISS, MAJOR_MISS, under_triage


class Keyed(Protocol):
    """A vignette as a run's identity sees it (a :class:`Vignette`, or a pending one's key)."""

    @property
    def id(self) -> str:
        """The vignette's id."""

    @property
    def content_hash(self) -> str:
        """SHA-256 of its canonical JSON."""


def vignettes_hash(vignettes: Sequence[Keyed]) -> str:
    """SHA-256 over the ids and content hashes of exactly the vignettes being run."""
    text = "\n".join(f"{v.id}:{v.content_hash}" for v in sorted(vignettes, key=lambda v: v.id))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def run_identity(
    system: TriageSystem,
    vignettes: Sequence[Keyed],
    corpus_hash: str,
    options: EngineOptions,
) -> dict[str, Any]:
    """The facts a resumed journal must share with the run resuming it.

    Concurrency, timeouts and retries are left out on purpose: they change how answers are
    obtained, not what they are, and resuming with gentler settings after a rate limit is a
    reason to resume at all.
    """
    return {
        "system_spec": system.spec,
        "system": system.describe(),
        "corpus_hash": corpus_hash,
        "vignettes_hash": vignettes_hash(vignettes),
        "n_vignettes": len(vignettes),
        "epochs": options.epochs,
    }


def miss_detector(by_id: Mapping[str, Vignette]) -> IsMiss:
    """Return a test for critical and major misses, errors included (they fail closed).

    ``by_id`` holds the run's vignettes; it is read as each answer arrives, so a pending
    corpus's (filled as its vignettes are built) will do.
    """

    def is_miss(record: AnswerRecord) -> bool:
        vignette = by_id.get(record.vignette_id)
        if vignette is None:
            return False
        tier = under_triage(vignette, record.decision)[1]
        return tier in (CRITICAL_MISS, MAJOR_MISS)

    return is_miss
