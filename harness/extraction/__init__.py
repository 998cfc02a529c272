"""Reading prose answers into decisions: the rule extractor, an LLM judge, and their check.

``extractor_for(spec)`` returns the extractor a spec names (``rules``, the default, or
``llm:openai:MODEL``); each has ``extract(answer) -> Extraction`` and raises
:class:`ExtractionFailed` (an ``error`` outcome) when the prose cannot be mapped, or
:class:`ExtractorUnavailable` (no verdict) when an LLM judge cannot be reached.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
    from backtriage.harness.extraction.extraction import (
        Extraction,
        ExtractionFailed,
        ExtractorUnavailable,
    )
    from backtriage.harness.extraction.registry import Extractor, extractor_for
    from backtriage.harness.extraction.rules import RULES_VERSION, RuleExtractor

_EXPORTS = {
    "RULES_VERSION": "backtriage.harness.extraction.rules",
    "Extraction": "backtriage.harness.extraction.extraction",
    "ExtractionFailed": "backtriage.harness.extraction.extraction",
    "Extractor": "backtriage.harness.extraction.registry",
    "ExtractorUnavailable": "backtriage.harness.extraction.extraction",
    "RuleExtractor": "backtriage.harness.extraction.rules",
    "extractor_for": "backtriage.harness.extraction.registry",
}

__all__ = [
    "RULES_VERSION",
    "Extraction",
    "ExtractionFailed",
    "Extractor",
    "ExtractorUnavailable",
    "RuleExtractor",
    "extractor_for",
]
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
