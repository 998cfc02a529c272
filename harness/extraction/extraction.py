"""The result of reading one answer: a decision and the sentence behind each field."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backtriage.harness.model import Decision
from backtriage.harness.systems.protocol import InvalidAnswer, SystemUnavailable


class ExtractionFailed(InvalidAnswer):
    """The prose could not be mapped to a decision: scored as an ``error``, never a guess."""


class ExtractorUnavailable(SystemUnavailable):
    """An LLM judge could not be reached: no verdict (exit 4), never an error outcome.

    A judge that is down says nothing about the answers it was asked to read, so its failure
    must not be charged to the system being graded.
    """


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
