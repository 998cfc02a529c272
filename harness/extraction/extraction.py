"""The result of reading one answer: a decision and the sentence behind each field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backtriage.harness.model import Decision
from backtriage.harness.systems.protocol import InvalidAnswer


class ExtractionFailed(InvalidAnswer):
    """The prose could not be mapped to a decision: scored as an ``error``, never a guess."""


@dataclass(frozen=True)
class Extraction:
    """A decision read from prose.

    Attributes:
        decision: the decision (``rationale`` is left empty: the raw answer is kept apart).
        evidence: for each field, the sentence that decided it, or ``None`` where no sentence
            did (imaging never mentioned means ``none``; an empty topic list has no sentence).
        extractor: which extractor and version produced it (``rules-v1``, ``llm:...``).
    """

    decision: Decision
    evidence: Mapping[str, str | None] = field(default_factory=dict)
    extractor: str = ""

    def to_metadata(self) -> dict[str, Any]:
        """The form stored with the answer in results (``metadata.extraction``)."""
        return {"extractor": self.extractor, "evidence": dict(self.evidence)}
