"""The deterministic extractor: phrase rules over clauses, every field with its sentence."""

from __future__ import annotations

from backtriage.harness.extraction import fields
from backtriage.harness.extraction.extraction import Extraction, ExtractionFailed
from backtriage.harness.extraction.text import clauses
from backtriage.harness.model import Decision

RULES_VERSION = "rules-v1"


class RuleExtractor:
    """Reads a prose answer into a decision with phrase rules (no network, no randomness)."""

    name = RULES_VERSION

    def extract(self, answer: str) -> Extraction:
        """Map ``answer`` to a decision.

        Raises:
            ExtractionFailed: when the answer is empty or recommends no urgency the rules can
                map; the raw answer is attached.
        """
        if not isinstance(answer, str) or not answer.strip():
            raise ExtractionFailed("empty answer", raw=answer if isinstance(answer, str) else None)
        parts = clauses(answer)
        conditional = fields.conditional_flags(parts)
        urgency = fields.urgency(parts, conditional)
        if urgency is None:
            # A general warning is the advice when the answer gives no other.
            conditional = fields.without_general_warnings(parts, conditional)
            urgency = fields.urgency(parts, conditional)
        imaging = fields.imaging(parts, conditional)
        if imaging.value != "none" and (urgency is None or urgency.value == "self_care"):
            # A scan ordered now is at least a planned step: routine, not home care alone.
            urgency = fields.Finding("routine", imaging.sentence)
        if urgency is None:
            raise ExtractionFailed(
                "extractor: no recommendation of how soon to get care could be read from the "
                "answer (no unconditional advice such as 'go to A&E', 'see your GP' or 'rest "
                "at home')",
                raw=answer,
            )
        net, asked = fields.topics(parts, conditional)
        conditions, category = fields.conditions_and_category(parts, conditional,
                                                              str(urgency.value))
        decision = Decision(
            urgency=str(urgency.value),
            imaging=str(imaging.value),
            category=str(category.value),
            suspected_conditions=tuple(conditions.value),
            safety_net=tuple(net.value),
            questions=tuple(asked.value),
        )
        evidence = {
            "urgency": urgency.sentence,
            "imaging": imaging.sentence,
            "category": category.sentence,
            "suspected_conditions": conditions.sentence,
            "safety_net": net.sentence,
            "questions": asked.sentence,
        }
        return Extraction(decision, evidence, RULES_VERSION)

    def close(self) -> None:
        """Nothing to release."""
