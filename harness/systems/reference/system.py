"""The reference triage system: the rule table behind the system interface."""

from __future__ import annotations

import dataclasses
from typing import Any

from backtriage.harness.model import Decision, Presentation
from backtriage.harness.open_questions import SOURCES as OPEN_SOURCES
from backtriage.harness.open_questions import open_questions
from backtriage.harness.systems.reference.rules import (
    MRI_CONTRAINDICATED_SOURCES,
    RULES,
    first_match,
)
from backtriage.harness.vocabulary import RED_FLAG_URGENCIES


class ReferenceTriage:
    """Rule-based triage over structured findings; reads no narrative."""

    spec = "reference"

    def triage(self, presentation: Presentation) -> Decision:
        """Apply the first matching rule; substitute CT where MRI is contraindicated.

        The first matching row decides urgency, imaging and category. Every other red-flag row of
        the same category that also matches adds its suspected conditions, so an osteoporotic
        fracture with a cauda equina picture names both.
        """
        findings = presentation.findings
        rule = first_match(findings)
        decision = rule.decision
        sources = rule.sources
        also = [
            c
            for other in RULES
            if other is not rule
            and other.decision.urgency in RED_FLAG_URGENCIES
            and other.decision.category == decision.category
            and other.when(findings)
            for c in other.decision.suspected_conditions
        ]
        conditions = tuple(dict.fromkeys((*decision.suspected_conditions, *also)))
        decision = dataclasses.replace(decision, suspected_conditions=conditions)
        if decision.imaging == "mri" and findings.get("mri_contraindicated", False):
            decision = dataclasses.replace(decision, imaging="ct")
            sources = sources + MRI_CONTRAINDICATED_SOURCES
        # An unknown is not a negative: the reference decides on what is known and asks the
        # must-not-miss questions the findings leave open (labeling guide, "Open questions").
        asks = open_questions(findings)
        rationale = f"rule {rule.id}: {rule.summary} [{', '.join(sources)}]"
        if asks:
            rationale += f"; would ask about: {', '.join(asks)} [{', '.join(OPEN_SOURCES)}]"
        return dataclasses.replace(decision, rationale=rationale, questions=asks)

    def describe(self) -> dict[str, Any]:
        """Identify the system."""
        return {"kind": "reference", "spec": self.spec}

    def close(self) -> None:
        """Nothing to release."""
