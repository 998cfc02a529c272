"""Reading prose answers into decisions: the rule extractor, an LLM judge, and their check.

``extractor_for(spec)`` returns the extractor a spec names (``rules``, the default, or
``llm:openai:MODEL``); each has ``extract(answer) -> Extraction`` and raises
:class:`ExtractionFailed` (an ``error`` outcome) when the prose cannot be mapped, or
:class:`ExtractorUnavailable` (no verdict) when an LLM judge cannot be reached.
"""

from __future__ import annotations

from backtriage.harness.extraction.extraction import (
    Extraction,
    ExtractionFailed,
    ExtractorUnavailable,
)
from backtriage.harness.extraction.registry import Extractor, extractor_for
from backtriage.harness.extraction.rules import RULES_VERSION, RuleExtractor

__all__ = [
    "RULES_VERSION",
    "Extraction",
    "ExtractionFailed",
    "Extractor",
    "ExtractorUnavailable",
    "RuleExtractor",
    "extractor_for",
]
