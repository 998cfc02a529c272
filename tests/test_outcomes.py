"""Scoring one answer: the outcome table of contract section 3, as examples and properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backtriage.harness.model import Decision, Vignette
from backtriage.harness.vocabulary import CATEGORIES, IMAGING, URGENCIES, urgency_rank
from backtriage.scoring.outcomes import (
    CRITICAL_MISS,
    ERROR,
    MAJOR_MISS,
    MINOR_UNDER_TRIAGE,
    MISSED_IMAGING,
    OVER_IMAGING,
    OVER_TRIAGE,
    WRONG_MODALITY,
    score_answer,
)
from tests.support.factory import make_vignette


def vignette(**kw: Any) -> Vignette:
    return Vignette.from_dict(make_vignette("t-x", **kw))


CES = vignette(
    urgency="emergency",
    imaging="mri",
    category="serious_pathology",
    conditions=("cauda_equina_syndrome",),
    acceptable={"imaging": ["ct"]},
)
CANCER = vignette(
    urgency="urgent",
    imaging="mri",
    category="serious_pathology",
    conditions=("malignancy",),
    acceptable={"imaging": ["radiograph"]},
)
SCIATICA = vignette(urgency="routine", imaging="none", category="radiculopathy")
STRAIN = vignette()


def d(urgency: str, imaging: str = "none", category: str = "nonspecific") -> Decision:
    return Decision(urgency, imaging, category)


@pytest.mark.parametrize(
    ("case", "answer", "outcomes"),
    [
        (CES, d("emergency", "mri", "serious_pathology"), ()),
        (CES, d("emergency", "ct", "serious_pathology"), ()),
        (CES, d("urgent", "mri"), (CRITICAL_MISS,)),
        (CES, d("self_care"), (CRITICAL_MISS, MISSED_IMAGING)),
        (CES, d("emergency", "radiograph"), (WRONG_MODALITY,)),
        (CANCER, d("routine", "mri"), (MAJOR_MISS,)),
        (CANCER, d("urgent", "radiograph"), ()),
        (CANCER, d("emergency", "mri"), (OVER_TRIAGE,)),
        (SCIATICA, d("self_care"), (MINOR_UNDER_TRIAGE,)),
        (SCIATICA, d("routine", "mri"), (OVER_IMAGING,)),
        (STRAIN, d("emergency", "mri"), (OVER_IMAGING, OVER_TRIAGE)),
        (STRAIN, d("self_care"), ()),
    ],
)
def test_outcome_table(case: Vignette, answer: Decision, outcomes: tuple[str, ...]) -> None:
    assert score_answer(case, answer).outcomes == outcomes


def test_an_error_on_an_emergency_vignette_is_a_critical_miss() -> None:
    score = score_answer(CES, None)
    # every denominator the vignette sits in counts the error as a failure, modality included
    assert set(score.outcomes) == {ERROR, CRITICAL_MISS, MISSED_IMAGING, WRONG_MODALITY}
    assert not score.urgency_ok and score.under_triaged


def test_an_error_on_a_no_imaging_vignette_counts_as_over_imaging() -> None:
    assert set(score_answer(STRAIN, None).outcomes) == {ERROR, OVER_IMAGING, OVER_TRIAGE}


def test_over_imaging_is_never_counted_on_a_red_flag_vignette() -> None:
    gbs = vignette(
        urgency="emergency",
        imaging="none",
        category="non_spinal",
        conditions=("guillain_barre_syndrome",),
    )
    assert OVER_IMAGING not in score_answer(gbs, d("emergency", "mri")).outcomes


def test_contested_acceptable_urgency_is_not_a_miss() -> None:
    contested = vignette(
        urgency="emergency",
        imaging="mri",
        category="serious_pathology",
        conditions=("cauda_equina_syndrome",),
        acceptable={"urgency": ["routine"], "imaging": ["none"]},
    )
    assert score_answer(contested, d("routine", "none")).outcomes == ()


# --- properties -------------------------------------------------------------------------------

urgencies = st.sampled_from(URGENCIES)
imagings = st.sampled_from(IMAGING)
decisions = st.builds(d, urgencies, imagings, st.sampled_from(CATEGORIES))


@st.composite
def vignettes(draw: st.DrawFn) -> Vignette:
    urgency = draw(urgencies)
    imaging = draw(imagings)
    acc_u = draw(st.lists(urgencies.filter(lambda u: u != urgency), unique=True, max_size=2))
    acc_i = draw(st.lists(imagings.filter(lambda i: i != imaging), unique=True, max_size=2))
    conditions = ("cauda_equina_syndrome",) if urgency == "emergency" else ()
    category = "serious_pathology" if conditions else "nonspecific"
    return vignette(
        urgency=urgency,
        imaging=imaging,
        category=category,
        conditions=conditions,
        acceptable={"urgency": acc_u, "imaging": acc_i},
    )


UNDER = {CRITICAL_MISS, MAJOR_MISS, MINOR_UNDER_TRIAGE}


@given(vignettes())
def test_the_expected_decision_always_scores_clean(v: Vignette) -> None:
    assert score_answer(v, v.expected).outcomes == ()


@given(vignettes(), decisions, urgencies)
def test_raising_urgency_never_adds_an_under_triage_outcome(
    v: Vignette, answer: Decision, higher: str
) -> None:
    if urgency_rank(higher) < urgency_rank(answer.urgency):
        return
    raised = Decision(higher, answer.imaging, answer.category)
    assert not (set(score_answer(v, raised).outcomes) & UNDER) - (
        set(score_answer(v, answer).outcomes) & UNDER
    )


@given(vignettes(), decisions)
def test_an_error_is_at_least_as_bad_as_any_answer_on_safety(v: Vignette, answer: Decision) -> None:
    error_outcomes = set(score_answer(v, None).outcomes)
    answer_outcomes = set(score_answer(v, answer).outcomes)
    assert answer_outcomes & (UNDER | {MISSED_IMAGING}) <= error_outcomes
    assert ERROR in error_outcomes


@given(vignettes(), decisions)
def test_a_critical_miss_happens_only_on_emergency_vignettes(v: Vignette, answer: Decision) -> None:
    if CRITICAL_MISS in score_answer(v, answer).outcomes:
        assert v.expected.urgency == "emergency"


@given(vignettes(), decisions)
def test_under_and_over_triage_never_coincide_for_one_answer(v: Vignette, answer: Decision) -> None:
    outcomes = set(score_answer(v, answer).outcomes)
    assert not (outcomes & UNDER and OVER_TRIAGE in outcomes)
