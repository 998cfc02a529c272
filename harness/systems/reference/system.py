"""The reference triage system: the rule table behind the system interface."""

from __future__ import annotations

import dataclasses
from typing import Any

from backtriage.harness.model import Decision, Presentation
from backtriage.harness.open_questions import SOURCES as OPEN_SOURCES
from backtriage.harness.open_questions import open_questions
from backtriage.harness.systems.reference import findings as p
from backtriage.harness.systems.reference.abnormal import abnormal_signs, life_threatening_signs
from backtriage.harness.systems.reference.rules import (
    FALLTHROUGH_RULES,
    MRI_CONTRAINDICATED_SOURCES,
    RULES,
    Rule,
    first_match,
)
from backtriage.harness.vocabulary import RED_FLAG_URGENCIES

FLOOR_SOURCES = ("acp-2007", "cw-aafp")
"""The sources of row U1, whose emergency signs the floor applies to every row (a test keeps
them equal; spelled out so that a mutant dropping U1 still loads)."""


DECISIONS_KEPT = 10_000
"""Distinct decisions one reference instance keeps to hand out again (see ``triage``)."""


class ReferenceTriage:
    """Rule-based triage over structured findings; reads no narrative."""

    spec = "reference"
    answers_inline = True  # our own rules over the findings: they cannot hang

    def __init__(self) -> None:
        # Decisions made so far, by everything that shapes one; equal presentations of the
        # same kind get one frozen decision (and one rationale text), not one each.
        self._decisions: dict[tuple[Any, ...], Decision] = {}

    def triage(self, presentation: Presentation) -> Decision:
        """Apply the first matching rule; substitute CT where MRI is contraindicated.

        The first matching row decides urgency, imaging and category. Every other red-flag row of
        the same category that also matches adds its suspected conditions, so an osteoporotic
        fracture with a cauda equina picture names both; clear cord signs (a sensory level,
        upper-motor-neurone signs) name cord compression and not cauda equina, and suspected
        cancer (weight loss, a suspicious lesion on a scan) names malignancy.
        """
        findings = presentation.findings
        rule = first_match(findings)
        conditions = _conditions(rule, findings)
        # The emergency floor (labeling guide): a life-threatening sign makes any row an
        # emergency; the row keeps its imaging, category and conditions.
        floor = tuple(life_threatening_signs(findings))
        ct = rule.decision.imaging == "mri" and p.flag(findings, "mri_contraindicated")
        abnormal = tuple(abnormal_signs(findings)) if rule.id in FALLTHROUGH_RULES else ()
        # An unknown is not a negative: the reference decides on what is known and asks the
        # must-not-miss questions the findings leave open (labeling guide, "Open questions").
        asks = open_questions(findings)
        key = (rule.id, conditions, floor, ct, abnormal, asks)
        decision = self._decisions.get(key)
        if decision is None:
            decision = _decision(rule, conditions, floor, ct, abnormal, asks)
            if len(self._decisions) < DECISIONS_KEPT:
                self._decisions[key] = decision
        return decision

    def describe(self) -> dict[str, Any]:
        """Identify the system."""
        return {"kind": "reference", "spec": self.spec}

    def close(self) -> None:
        """Nothing to release."""


def _decision(
    rule: Rule,
    conditions: tuple[str, ...],
    floor: tuple[str, ...],
    ct: bool,
    abnormal: tuple[str, ...],
    asks: tuple[str, ...],
) -> Decision:
    """The decision and its rationale from the row and what the findings added to it."""
    sources = rule.sources + (MRI_CONTRAINDICATED_SOURCES if ct else ())
    rationale = f"rule {rule.id}: {rule.summary} [{', '.join(sources)}]"
    if floor:
        rationale += f"; emergency floor: {', '.join(floor)} [{', '.join(FLOOR_SOURCES)}]"
    if rule.id in FALLTHROUGH_RULES:
        rationale += "; the presentation matched no specific row; abnormal: " + ", ".join(abnormal)
    if asks:
        rationale += f"; would ask about: {', '.join(asks)} [{', '.join(OPEN_SOURCES)}]"
    return dataclasses.replace(
        rule.decision,
        urgency="emergency" if floor else rule.decision.urgency,
        imaging="ct" if ct else rule.decision.imaging,
        suspected_conditions=conditions,
        rationale=rationale,
        questions=asks,
    )


def _red_flag_rows(rules: tuple[Rule, ...]) -> dict[str, tuple[Rule, ...]]:
    """The specific red-flag rows of each category, in table order (see ``_conditions``)."""
    rows: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.id not in FALLTHROUGH_RULES and rule.decision.urgency in RED_FLAG_URGENCIES:
            rows.setdefault(rule.decision.category, []).append(rule)
    return {category: tuple(found) for category, found in rows.items()}


_RED_FLAG_ROWS = _red_flag_rows(RULES)
"""Made once from the same ``RULES`` the table's first match reads (a mutant's, under test)."""


def _conditions(rule: Rule, findings: p.Findings) -> tuple[str, ...]:
    """The matched row's conditions, those of other matching red-flag rows, and two corrections."""
    decision = rule.decision
    also = [
        c
        for other in _RED_FLAG_ROWS.get(decision.category, ())
        if other is not rule and other.when(findings)
        for c in other.decision.suspected_conditions
    ]
    names = list(dict.fromkeys((*decision.suspected_conditions, *also)))
    # A level on the trunk (a sensory level, or a band of numbness round or across it) or upper
    # motor neurone signs place the lesion in the cord, above the cauda equina.
    cord_signs = (
        p.flag(findings, "sensory_level")
        or p.flag(findings, "umn_signs")
        or findings.get("reflexes") == "brisk"
        or p.numb(findings, "truncal_band")
        or p.numb(findings, "back_band")
    )
    if cord_signs and "spinal_cord_compression" in names and "cauda_equina_syndrome" in names:
        names.remove("cauda_equina_syndrome")
    suspected_cancer = p.flag(findings, "unexplained_weight_loss") or (
        "suspicious_lesion" in p.values(findings, "prior_scan_findings")
    )
    if decision.category == "serious_pathology" and suspected_cancer and names:
        names.append("malignancy")
    return tuple(dict.fromkeys(names))
