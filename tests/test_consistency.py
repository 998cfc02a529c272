"""Narrative-findings consistency: every positive finding must be stated in the narrative."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.cli.main import main
from backtriage.harness.loading import check_corpus, errors_only
from backtriage.harness.loading.consistency import (
    Allowance,
    check_narrative,
    consistency_problems,
    load_allowances,
)
from backtriage.harness.loading.lexicon import compile_phrase, load_lexicon
from backtriage.harness.loading.narrative_text import Narrative
from backtriage.harness.resources import load_schema
from tests.support.factory import make_vignette, write_corpus


def unconfirmed(narrative: str, **findings: Any) -> set[tuple[str, Any]]:
    return {(u.finding, u.value) for u in check_narrative(narrative, findings)}


def states(narrative: str, finding: str, value: Any) -> bool:
    return not unconfirmed(narrative, **{finding: value})


# --- phrases in both registers -------------------------------------------------------------

CLINICIAN = [
    ("Reports saddle anaesthesia since this morning.", "numbness_sites", ["saddle_perineal"]),
    ("Perineal numbness for 2 days.", "numbness_sites", ["saddle_perineal"]),
    ("Pinprick is reduced over the perianal skin.", "numbness_sites", ["saddle_perineal"]),
    ("Painless urinary retention overnight.", "bladder", "retention"),
    ("Post-void residual (PVR) 350 mL on bladder scan.", "bladder", "retention"),
    ("New hesitancy of micturition.", "bladder", "difficulty_starting"),
    ("Temperature 38.6 °C with rigors.", "fever", True),
    ("Straight-leg raise positive on the left at 40 degrees.", "straight_leg_raise", "positive"),
    ("Both ankle jerks absent.", "reflexes", "reduced_absent"),
    ("Knee reflexes brisk with upgoing plantars.", "reflexes", "brisk"),
    ("Sensory level to pinprick at T10.", "sensory_level", True),
    ("Known osteoporosis on alendronate.", "osteoporosis", True),
    ("Takes prednisolone 10 mg daily for 3 years.", "prolonged_corticosteroids", True),
    ("Pulsatile expansile mass above the umbilicus.", "pulsatile_abdominal_mass", True),
    ("Ankle dorsiflexion 2/5 on the left.", "weakness", "severe"),
]

LAY = [
    ("When I wipe it feels numb down there.", "numbness_sites", ["saddle_perineal"]),
    ("I can't feel the toilet paper on the left side.", "numbness_sites", ["saddle_perineal"]),
    ("I had to push to start peeing this morning.", "bladder", "difficulty_starting"),
    ("I haven't been able to pee since last night.", "bladder", "retention"),
    ("I can't really feel the wee coming out.", "bladder", "reduced_flow_sensation"),
    ("Some poo came out and I didn't feel it happen.", "bowel", "incontinence"),
    ("I've been hot and shivery with a fever.", "fever", True),
    ("I've lost about a stone without trying.", "unexplained_weight_loss", True),
    ("My feet feel like I'm walking on cotton wool.", "numbness_sites", ["feet_stocking"]),
    ("There's a burning strip round my side and the skin there is numb.",
     "numbness_sites", ["truncal_band"]),
    ("I'm wobbly in the dark and nearly fell.", "gait_disturbance", True),
    ("I've had trouble getting an erection this week.", "new_sexual_dysfunction", True),
    ("It's been about the same for weeks.", "trajectory", "stable"),
    ("It's getting worse every day.", "trajectory", "worsening"),
    ("I slipped on the ice and landed on my bottom.", "trauma", "low_energy"),
]


@pytest.mark.parametrize(("narrative", "finding", "value"), CLINICIAN + LAY)
def test_a_stated_finding_is_confirmed_in_either_register(
    narrative: str, finding: str, value: Any
) -> None:
    assert states(narrative, finding, value), unconfirmed(narrative, **{finding: value})


NEGATED = [
    ("He denies saddle numbness.", "numbness_sites", ["saddle_perineal"]),
    ("No saddle anaesthesia, no perineal numbness.", "numbness_sites", ["saddle_perineal"]),
    ("No fever.", "fever", True),
    ("I haven't had a fever.", "fever", True),
    ("She hasn't lost any weight.", "unexplained_weight_loss", True),
    ("No weight loss, no night pain.", "night_or_rest_pain", True),
    ("I've never had cancer.", "cancer_history", True),
    ("Nothing is numb between my legs or when I wipe.", "numbness_sites", ["saddle_perineal"]),
    ("No urinary retention and no incontinence.", "bladder", "retention"),
    ("The pain doesn't go down my legs.", "leg_pain", "both"),
    ("No leg pain, numbness or weakness.", "weakness", "severe"),
    ("My legs aren't weak or numb.", "numbness_sites", ["both_legs"]),
]


@pytest.mark.parametrize(("narrative", "finding", "value"), NEGATED)
def test_a_negated_mention_does_not_confirm(narrative: str, finding: str, value: Any) -> None:
    assert not states(narrative, finding, value)


def test_a_negated_mention_is_named_in_the_message() -> None:
    findings = {"numbness_sites": ["saddle_perineal"]}
    (item,) = check_narrative("He denies saddle numbness.", findings)
    assert "negated clause" in item.message() and "saddle numbness" in item.message()
    assert item.pointer == "/presentation/findings/numbness_sites/0"


def test_the_negation_scope_ends_at_a_new_clause() -> None:
    # "no injury" does not negate what follows the comma, nor "no fever" the next sentence.
    night = "Three weeks of back pain, no injury, worse at night."
    assert states(night, "night_or_rest_pain", True)
    assert states("No fever, and it's getting worse.", "trajectory", "worsening")
    assert states("No fever. Urinary retention since today.", "bladder", "retention")
    assert states("No trauma, not improving despite physiotherapy.", "trajectory", "stable")


# The vocabulary of schema 2.0.0 (clinical audit), each value in both registers.
NEW_VOCABULARY = [
    ("Known 5 cm abdominal aortic aneurysm under surveillance.", "known_aneurysm", True),
    ("They found a swollen artery in my tummy last year.", "known_aneurysm", True),
    ("Pale, sweaty and clammy on arrival.", "shock_signs", True),
    ("I feel really light-headed and dizzy.", "shock_signs", True),
    ("Left leg cold and mottled to the knee.", "cold_limb", True),
    ("My right foot has gone cold and white.", "cold_limb", True),
    ("His feet are cold and look blotchy.", "cold_limb", True),
    ("BP 150/90 in the right arm and 110/70 in the left, a 40 mmHg difference between arms.",
     "arm_bp_difference", True),
    ("Urinary urgency since yesterday.", "bladder", ["urgency"]),
    ("Since Monday I have to rush to the toilet to pee.", "bladder", ["urgency"]),
    ("Ankle dorsiflexion 4/5, first noticed yesterday.", "weakness", "mild_new"),
    ("My foot feels a bit weak since yesterday.", "weakness", "mild_new"),
    ("Positive Lhermitte's sign.", "lhermitte_sign", True),
    ("When I bend my neck I get an electric shock down my back.", "lhermitte_sign", True),
    ("Sustained ankle clonus and upgoing plantars.", "umn_signs", True),
    ("Tender over the L2 spinous process.", "focal_spinal_tenderness", True),
    ("Tenderness over L3.", "focal_spinal_tenderness", True),
    ("It hurts when he presses on the bone in my spine.", "focal_spinal_tenderness", True),
    ("The pain started with a sneeze.", "trauma", "minor_strain"),
    ("Struck across the upper back an hour ago by a falling pallet.", "trauma", "high_energy"),
    ("CRP raised at 86.", "crp", "raised"),
    ("CRP 96.", "crp", "raised"),
    ("His CRP is 140 mg/L.", "crp", "raised"),
    ("A scan two years ago showed a disc bulge.", "prior_scan_findings", ["disc_prolapse"]),
    ("Her back is not painful; the pain is in the abdomen.", "pain_sites", ["abdomen"]),
    ("Ex-smoker of 40 pack-years.", "ex_smoker", True),
    ("I used to smoke but stopped ten years ago.", "ex_smoker", True),
    ("She is 30 weeks pregnant.", "pregnancy", "pregnant"),
    ("I had my baby three weeks ago.", "pregnancy", "postpartum"),
    ("Not improving despite 5 weeks of physiotherapy.", "failure_to_improve", True),
    ("Left facial droop and weakness.", "facial_weakness", True),
    ("My arms feel weak and I keep dropping cups.", "arm_weakness", True),
    ("Now unable to walk without help.", "unable_to_walk", True),
    ("I can't walk to the bathroom any more.", "unable_to_walk", True),
    ("Weak cough and difficulty swallowing.", "bulbar_or_breathing_symptoms", True),
    ("A numb patch on the left side of his back.", "numbness_sites", ["back_one_side"]),
    ("There's a numb band across my back.", "numbness_sites", ["back_band"]),
    ("Numbness over the left buttock.", "numbness_sites", ["buttock"]),
    ("The whole leg feels numb, not in any pattern.", "numbness_sites", ["leg_non_dermatomal"]),
    ("The numbness came and went over a few minutes.", "numbness_course", "transient"),
    ("The numbness is gone now.", "numbness_course", "resolved"),
    ("Endocarditis treated last month.", "bacterial_source", True),
    ("Looks unwell, with rigors.", "systemically_unwell", True),
]


@pytest.mark.parametrize(("narrative", "finding", "value"), NEW_VOCABULARY)
def test_the_new_vocabulary_is_confirmed_in_either_register(
    narrative: str, finding: str, value: Any
) -> None:
    assert states(narrative, finding, value), unconfirmed(narrative, **{finding: value})


def test_unknown_values_are_never_checked() -> None:
    assert unconfirmed("Back pain.", bladder=["not_stated"], bowel=["not_stated"],
                       fever="not_stated", cancer_history="not_stated", weakness="not_stated",
                       trajectory="not_stated", trauma="not_stated") == set()


def test_pertinent_negatives_are_not_checked() -> None:
    assert unconfirmed("Back pain.", bladder="normal", bowel="normal", trauma="none",
                       fever=False, leg_pain="none", weakness="none") == set()


# --- numbers and durations --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["39-year-old man", "I'm 39 and male", "aged 39", "39 M with back pain", "Male, 39.",
     "I'm a 39 year old woman", "39 years old"],
)
def test_age_in_its_usual_forms(text: str) -> None:
    assert states(text, "age", 39)


def test_a_different_age_is_not_confirmed() -> None:
    assert not states("A 93-year-old man with 39 days of pain.", "age", 39)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Back pain for 10 days.", 10),
        ("Pain for about 3 weeks.", 21),
        ("Six weeks of leg pain.", 42),
        ("A 2-week history.", 14),
        ("For 2-3 weeks now.", 18),
        ("An 18-month history.", 540),
        ("For about a year.", 365),
        ("Two years of pain.", 730),
        ("It started yesterday.", 1),
        ("Since this morning.", 0),
        ("Began 2 hours ago.", 0),
        ("For a couple of days.", 2),
        ("A fortnight of pain.", 14),
    ],
)
def test_durations_round_to_the_finding(text: str, days: int) -> None:
    assert states(text, "pain_duration_days", days)


@pytest.mark.parametrize(("text", "days"), [("For 2 weeks.", 30), ("For 3 months.", 200),
                                            ("For 10 days.", 3), ("Since yesterday.", 7)])
def test_a_duration_too_far_from_the_finding_is_not_confirmed(text: str, days: int) -> None:
    assert not states(text, "pain_duration_days", days)


def test_sphincter_duration_is_checked_like_pain_duration() -> None:
    text = "Leg pain for 6 weeks; hesitancy for about 4 weeks."
    assert unconfirmed(text, sphincter_or_saddle_symptom_days=28) == set()
    assert unconfirmed(text, sphincter_or_saddle_symptom_days=3) == {
        ("sphincter_or_saddle_symptom_days", 3)
    }


@pytest.mark.parametrize(
    ("text", "finding", "value"),
    [
        ("Temperature 38.5 °C.", "temperature_c", 38.5),
        ("Temp 38.5 this evening.", "temperature_c", 38.5),
        ("Afebrile at 37.0 C.", "temperature_c", 37.0),
        ("The fever is back, 38 tonight.", "temperature_c", 38.0),
        ("BP 88/56, pulse 112.", "systolic_bp", 88),
        ("BP 88/56, pulse 112.", "diastolic_bp", 56),
        ("BP 88/56, pulse 112.", "pulse", 112),
        ("Heart rate 112 bpm.", "pulse", 112),
        ("Post-void bladder scan: 1,100 mL.", "post_void_residual_ml", 1100),
        ("PVR 350.", "post_void_residual_ml", 350),
        ("She has had 7 weeks of physiotherapy.", "conservative_care_weeks", 7),
        ("I've done 3 months of physio exercises.", "conservative_care_weeks", 12),
    ],
)
def test_vital_signs_volumes_and_weeks_of_care(text: str, finding: str, value: Any) -> None:
    assert states(text, finding, value)


def test_numbers_must_match() -> None:
    assert not states("Temperature 38.5 °C.", "temperature_c", 38.9)
    assert not states("BP 88/56.", "systolic_bp", 56)
    assert not states("PVR 120 mL.", "post_void_residual_ml", 350)
    # weeks of care need a care word in the sentence, not just any duration
    assert not states("Pain for 7 weeks.", "conservative_care_weeks", 7)


def test_weakness_levels_count_the_muscle_groups_named() -> None:
    two = "Dorsiflexion 3/5 today; plantarflexion 4/5 bilaterally."
    assert states(two, "weakness_levels", 2)
    assert not states(two, "weakness_levels", 3)


# --- warnings through the loader and the CLI --------------------------------------------------


def test_a_missing_finding_is_a_warning_with_pointer_and_id(tmp_path: Path) -> None:
    vignette = make_vignette("t-quiet", findings={"cancer_history": True})
    folder = write_corpus(tmp_path / "c", [vignette])
    corpus, problems = check_corpus([folder])
    assert len(corpus) == 1 and not errors_only(problems)
    (warning,) = [p for p in problems if p.pointer == "/presentation/findings/cancer_history"]
    assert warning.severity == "warning"
    assert warning.vignette_id == "t-quiet"
    assert warning.file.endswith("t-quiet.json")
    assert "cancer_history" in warning.message and "True" in warning.message


def test_validate_prints_consistency_warnings_and_still_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_corpus(tmp_path / "c", [make_vignette("t-quiet", findings={"fever": True})])
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "warning:" in out and "/presentation/findings/fever [t-quiet]" in out
    assert " 0 error(s), 1 warning(s)" in out


def test_an_allowance_explains_a_warning_and_a_stale_one_is_reported() -> None:
    data = make_vignette("t-quiet", findings={"fever": True})
    loaded = [(Path("t-quiet.json"), data)]
    assert len(consistency_problems(loaded, allowances=())) == 1
    allow = Allowance("t-quiet", "fever", None, "reason given")
    assert consistency_problems(loaded, allowances=(allow,)) == []
    stale = Allowance("t-quiet", "diabetes", None, "no longer needed")
    (problem,) = [p for p in consistency_problems(loaded, allowances=(allow, stale))]
    assert "explains no warning" in problem.message and problem.pointer == "/allowances/1"


def test_an_allowance_for_one_value_does_not_cover_another() -> None:
    data = make_vignette("t-two", findings={"numbness_sites": ["saddle_perineal", "hands"]})
    loaded = [(Path("t-two.json"), data)]
    allow = Allowance("t-two", "numbness_sites", "hands", "reason")
    (problem,) = consistency_problems(loaded, allowances=(allow,))
    assert problem.pointer == "/presentation/findings/numbness_sites/0"


def test_the_allowance_file_loads_and_rejects_an_entry_without_a_reason(tmp_path: Path) -> None:
    assert isinstance(load_allowances(), tuple)
    bad = tmp_path / "allow.yaml"
    bad.write_text(yaml.safe_dump({"allowances": [{"vignette": "x", "finding": "fever"}]}))
    with pytest.raises(ValueError, match="reason"):
        load_allowances(bad)


# --- the lexicon as data ----------------------------------------------------------------------


def test_every_schema_finding_is_checked_or_deliberately_unchecked() -> None:
    lex = load_lexicon()
    properties = load_schema("vignette")["$defs"]["findings"]["properties"]
    handled = (
        set(lex.values) | set(lex.number_templates) | lex.duration_findings
        | set(lex.unchecked) | {"conservative_care_weeks", "weakness_levels"}
    )
    assert set(properties) <= handled, set(properties) - handled
    unknown = {"not_stated", "not_examined"}
    for name, spec in properties.items():
        boolean = spec.get("type") == "boolean" or spec.get("$ref") == "#/$defs/tristate"
        if boolean and name not in lex.unchecked:
            assert "present" in lex.values[name], name
        neutral = lex.neutral.get(name, frozenset()) | unknown
        for value in spec.get("enum", ()):
            if value not in neutral and name not in lex.unchecked:
                assert value in lex.values[name], (name, value)
        items = [spec.get("items", {}), *(a.get("items", {}) for a in spec.get("anyOf", ()))]
        for site in (v for i in items for v in i.get("enum", ())):
            assert site in lex.values[name], (name, site)


def test_phrase_syntax() -> None:
    text = Narrative.parse("The pain came on suddenly; jerks absent at 4-/5, temp 38.5.")
    assert next(compile_phrase("came_on|began suddenly").spans(text), None)
    assert next(compile_phrase("jerks? ...2 absent").spans(text), None)
    assert next(compile_phrase("[the] pain came").spans(text), None)
    assert next(compile_phrase("re:\\d/5").spans(text), None)
    assert next(compile_phrase("temp #").spans(text), None)
    assert next(compile_phrase("pain ...2 suddenly").spans(text), None)
    assert next(compile_phrase("pain ...1 suddenly").spans(text), None) is None
    with pytest.raises(ValueError):
        compile_phrase("...")
    with pytest.raises(ValueError):
        compile_phrase("re:(unclosed")


# --- properties -------------------------------------------------------------------------------

NEUTRAL = [
    "She works in an office.",
    "He drives a delivery van.",
    "The clinic was busy today.",
    "They ask what to do next.",
    "Paracetamol helps a little.",
    "The examination room is cold.",
    "Her daughter came along.",
    "He asks about going back to the gym.",
]
STATEMENTS = [
    ("urinary retention", "bladder", "retention"),
    ("saddle anaesthesia", "numbness_sites", ["saddle_perineal"]),
    ("a fever", "fever", True),
    ("unexplained weight loss", "unexplained_weight_loss", True),
    ("faecal incontinence", "bowel", "incontinence"),
    ("pain at night", "night_or_rest_pain", True),
    ("a dermatomal rash", "dermatomal_rash", True),
]


@settings(max_examples=60, deadline=None)
@given(
    statement=st.sampled_from(STATEMENTS),
    before=st.lists(st.sampled_from(NEUTRAL), max_size=4),
    after=st.lists(st.sampled_from(NEUTRAL), max_size=4),
)
def test_unrelated_sentences_do_not_change_a_confirmation(
    statement: tuple[str, str, Any], before: list[str], after: list[str]
) -> None:
    phrase, finding, value = statement
    narrative = " ".join([*before, f"He reports {phrase}.", *after])
    assert states(narrative, finding, value)


@settings(max_examples=60, deadline=None)
@given(
    statement=st.sampled_from(STATEMENTS),
    cue=st.sampled_from(["He denies", "There is no", "She has never had", "Without"]),
    mentions=st.integers(min_value=1, max_value=3),
    filler=st.lists(st.sampled_from(NEUTRAL), max_size=3),
)
def test_negating_every_mention_removes_the_confirmation(
    statement: tuple[str, str, Any], cue: str, mentions: int, filler: list[str]
) -> None:
    phrase, finding, value = statement
    sentences = [f"{cue} {phrase}." for _ in range(mentions)]
    narrative = " ".join([*filler, *sentences])
    assert not states(narrative, finding, value)


def test_the_bundled_corpus_has_no_consistency_error() -> None:
    _, problems = check_corpus()
    consistency = [p for p in problems if p.pointer.startswith("/presentation/findings")]
    assert all(p.severity == "warning" for p in consistency)
