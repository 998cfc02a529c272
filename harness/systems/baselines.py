"""Baseline systems that show the two directions of failure the scoring must separate."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from backtriage.harness.model import Decision, Presentation
from backtriage.harness.systems.protocol import TriageSystem


@dataclass(frozen=True)
class ConstantTriage:
    """Answers the same decision for every case."""

    spec: str
    decision: Decision
    answers_inline: ClassVar[bool] = True  # our own constant answer: it cannot hang

    def triage(self, presentation: Presentation) -> Decision:
        """Return the fixed decision, whatever the presentation."""
        return self.decision

    def describe(self) -> dict[str, Any]:
        """Identify the system."""
        return {"kind": "baseline", "spec": self.spec}

    def close(self) -> None:
        """Nothing to release."""


def always_emergency_mri() -> ConstantTriage:
    """The maximally cautious system: emergency MRI for everyone (no misses, all over-imaging)."""
    return ConstantTriage(
        "baseline:always-emergency-mri",
        Decision("emergency", "mri", "serious_pathology", ("cauda_equina_syndrome",)),
    )


def never_image() -> ConstantTriage:
    """The maximally reassuring system: home care for everyone (every emergency missed)."""
    return ConstantTriage("baseline:never-image", Decision("self_care", "none", "nonspecific", ()))


_NEGATION = re.compile(r"\b(no|not|denies|denied|never|without|nor|negative)\b", re.IGNORECASE)

# (pattern, decision): first match wins, as a naive symptom checker would do it.
_KEYWORD_ROWS: tuple[tuple[re.Pattern[str], Decision], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), decision)
    for pattern, decision in (
        (
            r"cauda equina|saddle|perineal|perianal|incontinen|urinary retention",
            Decision("emergency", "mri", "serious_pathology", ("cauda_equina_syndrome",)),
        ),
        (
            r"aneurysm|dissection|tearing",
            Decision("emergency", "vascular", "non_spinal", ("vascular_emergency",)),
        ),
        (
            r"cancer|metasta|tumou?r|malignan",
            Decision("urgent", "mri", "serious_pathology", ("malignancy",)),
        ),
        (
            r"fever|febrile|injects? drugs",
            Decision("urgent", "mri", "serious_pathology", ("spinal_infection",)),
        ),
        (
            r"foot drop|weakness|paralys",
            Decision("urgent", "mri", "serious_pathology", ("severe_neurologic_deficit",)),
        ),
        (r"sciatica|radicul|shooting pain down", Decision("routine", "none", "radiculopathy", ())),
    )
)


class KeywordTriage:
    """Reads only the narrative and fires on clinical phrases, skipping negated sentences.

    It stands for a naive symptom checker: clinician wording triggers it, lay wording
    ("numb when I wipe") does not.
    """

    spec = "baseline:keyword"
    answers_inline = True  # our own keyword rules: they cannot hang

    def triage(self, presentation: Presentation) -> Decision:
        """Return the decision of the first phrase found in a sentence without a negation."""
        sentences = re.split(r"(?<=[.!?;])\s+", presentation.narrative)
        affirmed = " ".join(s for s in sentences if not _NEGATION.search(s))
        for pattern, decision in _KEYWORD_ROWS:
            if pattern.search(affirmed):
                return decision
        return Decision("self_care", "none", "nonspecific", ())

    def describe(self) -> dict[str, Any]:
        """Identify the system."""
        return {"kind": "baseline", "spec": self.spec}

    def close(self) -> None:
        """Nothing to release."""


BASELINES: dict[str, Callable[[], TriageSystem]] = {
    "always-emergency-mri": always_emergency_mri,
    "never-image": never_image,
    "keyword": KeywordTriage,
}
"""Baseline name to factory."""
