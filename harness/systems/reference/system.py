"""The reference triage system: the rule table behind the system interface."""

from __future__ import annotations

import dataclasses
from typing import Any

from harness.model import Decision, Presentation
from harness.systems.reference.rules import MRI_CONTRAINDICATED_SOURCES, first_match


class ReferenceTriage:
    """Rule-based triage over structured findings; reads no narrative."""

    spec = "reference"

    def triage(self, presentation: Presentation) -> Decision:
        """Apply the first matching rule; substitute CT where MRI is contraindicated."""
        findings = presentation.findings
        rule = first_match(findings)
        decision = rule.decision
        sources = rule.sources
        if decision.imaging == "mri" and findings.get("mri_contraindicated", False):
            decision = dataclasses.replace(decision, imaging="ct")
            sources = sources + MRI_CONTRAINDICATED_SOURCES
        return dataclasses.replace(
            decision, rationale=f"rule {rule.id}: {rule.summary} [{', '.join(sources)}]"
        )

    def describe(self) -> dict[str, Any]:
        """Identify the system."""
        return {"kind": "reference", "spec": self.spec}

    def close(self) -> None:
        """Nothing to release."""
