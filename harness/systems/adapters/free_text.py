"""Free-text mode of the LLM adapters (``answer_format: text``, ``--answer-format text``).

The model reads the narrative as a patient (lay vignettes) or a clinician colleague
(clinician vignettes) would put it, with no vocabulary forced on it; the extractor maps its
prose to a decision. The raw answer is kept, and every field's deciding sentence is stored in
``metadata.extraction``. Prose the extractor cannot map is an invalid answer (an ``error``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backtriage.harness.extraction import Extractor, extractor_for
from backtriage.harness.model import Decision, Presentation
from backtriage.harness.systems.adapters.prompt import PromptTemplate, load_bundled
from backtriage.harness.systems.adapters.settings import choice_setting, text_setting
from backtriage.harness.systems.protocol import InvalidAnswer

ANSWER_FORMATS = ("json", "text")
TEMPLATES = {"lay": "answer-lay-v1", "clinician": "answer-clinician-v1"}


class FreeTextMode:
    """The two register templates and the extractor of one adapter in free-text mode."""

    def __init__(self, spec: str, settings: Mapping[str, Any]):
        self.templates: dict[str, PromptTemplate] = {
            register: load_bundled(spec, name) for register, name in TEMPLATES.items()
        }
        self.extractor: Extractor = extractor_for(text_setting(spec, settings, "extractor"),
                                                  settings)

    def render(self, presentation: Presentation) -> tuple[str, str]:
        """The system and user messages for the presentation's register."""
        return self.templates.get(presentation.register, self.templates["clinician"]).render(
            presentation)

    def read(self, content: object) -> tuple[Decision, dict[str, Any]]:
        """Map the model's prose to a decision and the metadata to keep with it.

        Raises:
            InvalidAnswer: empty content, or prose the extractor cannot map.
        """
        if not isinstance(content, str) or not content.strip():
            raise InvalidAnswer("empty reply", raw=content if isinstance(content, str) else None)
        extraction = self.extractor.extract(content)
        return extraction.decision, {"extraction": extraction.to_metadata()}

    def describe(self) -> dict[str, Any]:
        """Facts for results and cache keys: templates and extractor."""
        return {
            "answer_format": "text",
            "prompt_templates": {r: t.describe() for r, t in self.templates.items()},
            "extractor": self.extractor.name,
        }


def free_text_mode(spec: str, settings: Mapping[str, Any]) -> FreeTextMode | None:
    """The free-text mode when ``answer_format`` is ``text``, else ``None`` (JSON answers)."""
    fmt = choice_setting(spec, settings, "answer_format", ANSWER_FORMATS, "json")
    return FreeTextMode(spec, settings) if fmt == "text" else None
