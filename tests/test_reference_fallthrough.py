"""No silent fall-through: an abnormal case never reaches self care (a property over findings).

Stated as a sentence: whatever else a case holds, if it has an objective neurological deficit,
inability to walk, signs of limb ischaemia or shock, or systemic illness, the reference never
answers self care; and when no specific row explained the sign, the rationale says so. The one
exception is the numbness shingles causes in its own dermatome, which CKS manages as self care
(row Z1): the property leaves out exactly the cases row Z1 takes.
"""

from __future__ import annotations

from typing import Any

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from backtriage.harness.model import Presentation
from backtriage.harness.systems.reference import ReferenceTriage
from backtriage.harness.systems.reference.abnormal import (
    abnormal_signs,
    nothing_abnormal_beyond_the_band,
)
from backtriage.harness.systems.reference.findings import zoster_pattern
from backtriage.harness.systems.reference.rules import RULES, first_match
from backtriage.harness.systems.reference.system import FLOOR_SOURCES
from tests.support.factory import BASE_FINDINGS

REFERENCE = ReferenceTriage()
UNKNOWNABLE = st.sampled_from([True, False, "not_stated"])

# Any finding of the vocabulary, in any combination: the background a sign sits in.
background = st.fixed_dictionaries(
    {
        "age": st.integers(16, 100),
        "sex": st.sampled_from(["female", "male"]),
        "pain_duration_days": st.integers(0, 400),
        "trajectory": st.sampled_from(["improving", "stable", "worsening", "not_stated"]),
        "trauma": st.sampled_from(["none", "minor_strain", "low_energy", "not_stated"]),
        "cancer_history": UNKNOWNABLE,
        "fever": st.sampled_from([False, "not_stated"]),
        "leg_pain": st.sampled_from(["none", "one_side", "both"]),
        "weakness": st.sampled_from(["none", "not_stated"]),
        "numbness_sites": st.lists(st.sampled_from(["localised_back", "back_one_side",
                                                    "lateral_thigh"]), unique=True),
    },
    optional={
        "onset": st.sampled_from(["sudden", "gradual"]),
        "dermatomal_rash": st.booleans(),
        "diabetes": st.booleans(),
        "osteoporosis": st.booleans(),
        "prolonged_corticosteroids": st.booleans(),
        "immunosuppression": st.booleans(),
        "recent_infection": st.booleans(),
        "neurogenic_claudication": st.booleans(),
        "inflammatory_pattern": st.booleans(),
        "previous_spinal_surgery": st.booleans(),
        "conservative_care_weeks": st.integers(0, 30),
        "would_consider_surgery_or_injection": st.booleans(),
        "unexplained_weight_loss": st.booleans(),
        "new_sexual_dysfunction": st.booleans(),
        "prior_neurological_episode": st.booleans(),
        "b12_deficiency_risk": st.booleans(),
        "previous_imaging_unchanged": st.booleans(),
        "smoker": st.booleans(),
        "pregnancy": st.sampled_from(["pregnant", "postpartum"]),
        "bladder": st.sampled_from([["normal"], ["not_stated"]]),
        "bowel": st.sampled_from([["normal"], ["not_stated"]]),
        "saddle_sensation": st.sampled_from(["normal", "not_stated"]),
    },
)

# The signs of the emergency floor: any one makes any case an emergency.
LIFE_THREATENING: list[dict[str, Any]] = [
    {"unable_to_walk": True},
    {"bulbar_or_breathing_symptoms": True},
    {"cold_limb": True},
    {"leg_pulses_reduced": True},
    {"shock_signs": True},
    {"collapse_or_syncope": True},
    {"systolic_bp": 80},
]

# One abnormal sign at least, drawn from every kind the issue names.
NEURO_SITES = ("buttock", "one_leg_dermatomal", "leg_non_dermatomal", "both_legs",
               "feet_stocking", "hands", "truncal_band", "back_band")  # fmt: skip
SIGNS: list[dict[str, Any]] = [
    *({"weakness": w} for w in ("mild_new", "mild_stable", "severe", "progressive")),
    *({"numbness_sites": [s]} for s in NEURO_SITES),
    {"numbness_sites": ["saddle_perineal"], "saddle_sensation": "altered"},
    {"bladder": ["urgency"]},
    {"bladder": ["retention"]},
    {"bowel": ["incontinence"]},
    {"gait_disturbance": True},
    {"reflexes": "reduced_absent"},
    {"reflexes": "brisk"},
    {"umn_signs": True},
    {"lhermitte_sign": True},
    {"sensory_level": True},
    {"arm_weakness": True},
    {"facial_weakness": True},
    {"fever": True},
    {"temperature_c": 38.6},
    {"systemically_unwell": True},
    {"crp": "raised"},
    *LIFE_THREATENING,
]
signs = st.lists(st.sampled_from(SIGNS), min_size=1, max_size=3)


def with_signs(base: dict[str, Any], extra: list[dict[str, Any]]) -> dict[str, Any]:
    f = {**BASE_FINDINGS, **base}
    for sign in extra:
        for key, value in sign.items():
            if key == "numbness_sites":
                f[key] = list(dict.fromkeys([*f[key], *value]))
            else:
                f[key] = value
    if "saddle_perineal" in f["numbness_sites"]:
        f["saddle_sensation"] = "altered"
    return f


@settings(max_examples=600, deadline=None)
@given(background, signs)
def test_no_set_of_findings_with_an_abnormal_sign_gets_self_care(
    base: dict[str, Any], extra: list[dict[str, Any]]
) -> None:
    f = with_signs(base, extra)
    assert abnormal_signs(f)
    assume(not (zoster_pattern(f) and nothing_abnormal_beyond_the_band(f)))
    decision = REFERENCE.triage(Presentation("(findings only)", f))
    assert decision.urgency != "self_care", (first_match(f).id, f)


@settings(max_examples=300, deadline=None)
@given(background, signs)
def test_a_sign_no_specific_row_explains_is_named_in_the_rationale(
    base: dict[str, Any], extra: list[dict[str, Any]]
) -> None:
    f = with_signs(base, extra)
    decision = REFERENCE.triage(Presentation("(findings only)", f))
    if first_match(f).id in {"U1", "U2"}:
        assert decision.urgency in {"emergency", "urgent"}
        assert decision.rationale and "matched no specific row" in decision.rationale


def test_the_self_care_rows_take_only_cases_with_nothing_abnormal() -> None:
    plain = {**BASE_FINDINGS, "age": 30}
    assert REFERENCE.triage(Presentation("n", plain)).urgency == "self_care"
    numb = {**plain, "numbness_sites": ["leg_non_dermatomal"]}
    decision = REFERENCE.triage(Presentation("n", numb))
    assert (decision.urgency, first_match(numb).id) == ("urgent", "U2")



@settings(max_examples=400, deadline=None)
@given(background, st.sampled_from(LIFE_THREATENING), signs)
# The case the witness search found: fever with shock was answered urgent by row I2.
@example({**BASE_FINDINGS, "age": 60}, {"shock_signs": True}, [{"fever": True}])
# Cancer with collapse was answered urgent by row C2.
@example({**BASE_FINDINGS, "cancer_history": True}, {"collapse_or_syncope": True}, [])
def test_shock_ischaemia_breathing_trouble_or_not_walking_make_any_case_an_emergency(
    base: dict[str, Any], sign: dict[str, Any], extra: list[dict[str, Any]]
) -> None:
    f = with_signs(base, [sign, *extra])
    decision = REFERENCE.triage(Presentation("(findings only)", f))
    assert decision.urgency == "emergency", (first_match(f).id, f)
    if first_match(f).decision.urgency != "emergency":
        assert decision.rationale and "emergency floor" in decision.rationale


def test_the_floor_cites_the_sources_of_row_u1() -> None:
    assert next(rule.sources for rule in RULES if rule.id == "U1") == FLOOR_SOURCES
