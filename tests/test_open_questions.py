"""Open must-not-miss questions and the missing_safety_net outcome."""

from __future__ import annotations

import dataclasses
from typing import Any

from backtriage.harness.model import Decision, Presentation, Vignette
from backtriage.harness.open_questions import open_questions
from backtriage.harness.systems.reference import ReferenceTriage
from backtriage.harness.vocabulary import SAFETY_NET_TOPICS
from backtriage.scoring.outcomes import MISSED_IMAGING, MISSING_SAFETY_NET, score_answer
from tests.support.factory import make_vignette

SPARSE = {"fever": "not_stated", "cancer_history": "not_stated", "bladder": ["not_stated"],
          "bowel": ["not_stated"], "saddle_sensation": "not_stated", "weakness": "not_stated",
          "trajectory": "not_stated"}  # fmt: skip
COMPLETE = {"fever": False, "cancer_history": False, "bladder": ["normal"], "bowel": ["normal"],
            "saddle_sensation": "normal", "weakness": "none", "trajectory": "stable"}  # fmt: skip


def findings(**extra: Any) -> dict[str, Any]:
    return {"age": 40, "sex": "female", "pain_duration_days": 3, "trauma": "none",
            "numbness_sites": [], "leg_pain": "none", **extra}  # fmt: skip


def test_sciatica_with_an_unstated_bladder_saddle_and_course_leaves_those_questions_open() -> None:
    f = findings(leg_pain="one_side", **SPARSE)
    assert open_questions(f) == (
        "bladder",
        "bowel",
        "saddle",
        "bilateral_or_progressive_leg_symptoms",
        "weakness",
    )
    assert set(open_questions(f)) <= set(SAFETY_NET_TOPICS)


def test_a_history_that_states_every_negative_leaves_nothing_open() -> None:
    assert open_questions(findings(leg_pain="one_side", **COMPLETE)) == ()


def test_back_numbness_alone_asks_about_the_sphincters_and_weakness() -> None:
    f = findings(numbness_sites=["back_one_side"], **SPARSE)
    assert open_questions(f) == ("bladder", "bowel", "saddle", "weakness")


def test_plain_back_ache_in_a_young_adult_leaves_no_must_not_miss_question_open() -> None:
    assert open_questions(findings(**SPARSE)) == ()


def test_cancer_history_is_open_from_fifty_and_fever_with_an_infection_risk() -> None:
    assert open_questions(findings(**{**SPARSE, "age": 63})) == ("cancer_history",)
    assert open_questions(findings(**SPARSE, iv_drug_use=True)) == ("fever",)


def _vignette(vid: str, f: dict[str, Any]) -> Vignette:
    data = make_vignette(vid, "routine", "none", "radiculopathy", findings=f)
    data["presentation"]["findings"] = f
    return Vignette.from_dict(data)


SPARSE_CASE = _vignette("t-sparse-sciatica", findings(leg_pain="one_side", **SPARSE))
COMPLETE_CASE = _vignette("t-complete-sciatica", findings(leg_pain="one_side", **COMPLETE))


def test_an_answer_that_neither_asks_nor_warns_misses_the_safety_net_and_nothing_else() -> None:
    silent = Decision("routine", "none", "radiculopathy")
    assert score_answer(SPARSE_CASE, silent).outcomes == (MISSING_SAFETY_NET,)
    assert score_answer(SPARSE_CASE, silent).urgency_ok  # never an urgency miss
    assert score_answer(COMPLETE_CASE, silent).outcomes == ()


def test_asking_or_warning_about_every_open_topic_covers_it_either_way() -> None:
    topics = SPARSE_CASE.open_questions
    half = len(topics) // 2
    split = Decision("routine", "none", "radiculopathy", safety_net=topics[:half],
                     questions=topics[half:])  # fmt: skip
    assert score_answer(SPARSE_CASE, split).outcomes == ()
    partial = Decision("routine", "none", "radiculopathy", safety_net=topics[1:])
    assert MISSING_SAFETY_NET in score_answer(SPARSE_CASE, partial).outcomes
    always = Decision("routine", "none", "radiculopathy", safety_net=SAFETY_NET_TOPICS)
    assert score_answer(SPARSE_CASE, always).outcomes == ()


def test_an_error_misses_the_safety_net_too() -> None:
    assert MISSING_SAFETY_NET in score_answer(SPARSE_CASE, None).outcomes
    assert MISSED_IMAGING not in score_answer(SPARSE_CASE, None).outcomes


def test_the_reference_asks_the_open_questions_and_says_so() -> None:
    answer = ReferenceTriage().triage(Presentation("", SPARSE_CASE.presentation.findings))
    assert answer.questions == SPARSE_CASE.open_questions
    assert "would ask about: bladder" in (answer.rationale or "")
    assert MISSING_SAFETY_NET not in score_answer(SPARSE_CASE, answer).outcomes


def test_a_vignette_made_right_after_another_asks_its_own_findings_not_the_last_ones() -> None:
    # from_dict hands the questions it asked to the vignette it makes, by the frozen findings'
    # identity; a vignette made another way, even next, asks its own findings.
    asked = _vignette("sparse-sciatica", findings(leg_pain="one_side", **SPARSE))
    assert asked.open_questions == open_questions(asked.presentation.findings) != ()
    mine = findings(leg_pain="one_side", **COMPLETE)
    built = dataclasses.replace(asked, presentation=Presentation("x", mine))
    assert built.open_questions == ()
    mine.update(SPARSE)  # a plain mapping can change; each vignette made from it asks again
    again = dataclasses.replace(asked, presentation=Presentation("x", mine))
    assert again.open_questions == asked.open_questions
    assert dataclasses.replace(asked, title="t").open_questions == asked.open_questions
