"""The clinical audit's rule-table probes (section 1.3) and the issue's named gaps.

Each case is synthetic findings through the reference, with the decision the guideline digest
gives (row numbers of the digest's table (a)).
"""

from __future__ import annotations

from typing import Any

import pytest

from backtriage.harness.model import Presentation
from backtriage.harness.systems.reference import ReferenceTriage
from backtriage.harness.systems.reference.rules import first_match
from tests.support.factory import BASE_FINDINGS

REFERENCE = ReferenceTriage()

PROBES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (what, findings, row, urgency, imaging)
    ("osteoporosis, low-energy fall, severe one-leg weakness (row 15: emergency)",
     {"age": 78, "osteoporosis": True, "trauma": "low_energy", "weakness": "severe",
      "weakness_side": "one_side", "leg_pain": "one_side"}, "F2", "emergency", "mri"),
    ("same, mild stable weakness with dermatomal numbness (row 15)",
     {"age": 78, "osteoporosis": True, "trauma": "low_energy", "weakness": "mild_stable",
      "numbness_sites": ["one_leg_dermatomal"], "leg_pain": "one_side"}, "F2", "emergency", "mri"),
    ("ascending stocking numbness with imbalance, reflexes not examined (NG127)",
     {"ascending_symptoms": True, "numbness_sites": ["feet_stocking"], "gait_disturbance": True,
      "reflexes": "not_examined"}, "G1", "emergency", "none"),
    ("ascending numbness with mild bilateral weakness, no infection (NG127)",
     {"ascending_symptoms": True, "numbness_sites": ["feet_stocking"], "weakness": "mild_new",
      "weakness_side": "both"}, "G1", "emergency", "none"),
    ("new sexual dysfunction on day 3 with unilateral sciatica (GIRFT trigger)",
     {"new_sexual_dysfunction": True, "leg_pain": "one_side",
      "sphincter_or_saddle_symptom_days": 3}, "CES1", "emergency", "mri"),
    ("a cold 2 weeks ago with worsening nonspecific pain, afebrile (ACP 2011 needs fever)",
     {"recent_infection": True, "trajectory": "worsening", "pain_duration_days": 10},
     "NS1", "self_care", "none"),
    ("known aneurysm, sudden pain, numb leg, feeling faint, no mass, no BP (row 25)",
     {"age": 71, "sex": "male", "known_aneurysm": True, "onset": "sudden", "shock_signs": True,
      "numbness_sites": ["leg_non_dermatomal"], "pain_duration_days": 0}, "V2", "emergency",
     "vascular"),
    ("symptomatic aneurysm without mass or shock (row 25: the triad in 25-50%)",
     {"age": 74, "sex": "male", "known_aneurysm": True, "pain_duration_days": 2},
     "V2", "emergency", "vascular"),
    ("sudden pain with a cold pale leg, no tearing pain (row 26)",
     {"age": 66, "onset": "sudden", "cold_limb": True, "numbness_sites": ["leg_non_dermatomal"]},
     "V1", "emergency", "vascular"),
    ("Guillain-Barre with areflexia and inability to walk, no ascending wording",
     {"reflexes": "reduced_absent", "unable_to_walk": True, "weakness": "severe",
      "weakness_side": "both", "ascending_symptoms": True}, "G1", "emergency", "none"),
    ("bilateral leg weakness with no stated course (falls through no more)",
     {"weakness": "mild_new", "weakness_side": "both"}, "U2", "urgent", "none"),
    ("cancer history with worsening thoracic pain, neurology normal (row 12)",
     {"cancer_history": True, "pain_sites": ["thoracic_back"], "trajectory": "worsening"},
     "C3", "emergency", "mri"),
]


@pytest.mark.parametrize(("what", "findings", "row", "urgency", "imaging"), PROBES,
                         ids=[p[0][:40] for p in PROBES])
def test_each_probe_gets_the_digest_decision(
    what: str, findings: dict[str, Any], row: str, urgency: str, imaging: str
) -> None:
    f = {**BASE_FINDINGS, **findings}
    decision = REFERENCE.triage(Presentation("(findings only)", f))
    assert (first_match(f).id, decision.urgency, decision.imaging) == (row, urgency, imaging)


def test_clear_cord_signs_name_cord_compression_not_cauda_equina() -> None:
    f = {**BASE_FINDINGS, "sensory_level": True, "numbness_sites": ["truncal_band", "both_legs"],
         "reflexes": "brisk", "bladder": ["difficulty_starting"],
         "sphincter_or_saddle_symptom_days": 2}
    decision = REFERENCE.triage(Presentation("n", f))
    assert "spinal_cord_compression" in decision.suspected_conditions
    assert "cauda_equina_syndrome" not in decision.suspected_conditions


def test_suspected_cancer_is_named_with_cord_signs() -> None:
    f = {**BASE_FINDINGS, "age": 66, "unexplained_weight_loss": True, "sensory_level": True,
         "numbness_sites": ["truncal_band"], "gait_disturbance": True}
    decision = REFERENCE.triage(Presentation("n", f))
    assert {"spinal_cord_compression", "malignancy"} <= set(decision.suspected_conditions)


def test_an_unanswered_must_not_miss_question_is_asked_not_assumed() -> None:
    f = {**BASE_FINDINGS, "leg_pain": "one_side", "bladder": ["not_stated"],
         "bowel": ["not_stated"], "saddle_sensation": "not_stated", "weakness": "not_stated"}
    decision = REFERENCE.triage(Presentation("n", f))
    assert decision.urgency == "routine"  # decided on what is known: unilateral sciatica
    assert decision.questions == ("bladder", "bowel", "saddle", "weakness")
    assert decision.rationale and "would ask about" in decision.rationale
