"""Choosing an extractor from a spec: ``rules`` (default) or ``llm:openai:MODEL``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from backtriage.harness.extraction.extraction import Extraction
from backtriage.harness.systems.spec_errors import SpecError


class Extractor(Protocol):
    """Maps a prose answer to a decision with the sentence behind each field."""

    name: str

    def extract(self, answer: str) -> Extraction:
        """Read one answer.

        Raises:
            ExtractionFailed: the answer cannot be mapped (an ``error`` outcome).
            ExtractorUnavailable: an LLM judge cannot be reached (no verdict).
        """
        ...

    def close(self) -> None:
        """Release connections, if any."""
        ...


def extractor_for(spec: str | None, settings: Mapping[str, Any] | None = None) -> Extractor:
    """Build the extractor ``spec`` names.

    Raises:
        SpecError: for an unknown spec.
    """
    if spec in (None, "", "rules"):
        from backtriage.harness.extraction.rules import RuleExtractor

        return RuleExtractor()
    if spec.startswith("llm:openai:"):
        from backtriage.harness.extraction.llm_judge import LLMJudgeExtractor

        return LLMJudgeExtractor(spec, settings or {})
    raise SpecError(spec, "unknown extractor; expected 'rules' or 'llm:openai:MODEL'")
