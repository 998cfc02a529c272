"""Metamorphic properties of the reference triage, stated as sentences.

Each property perturbs a real vignette's findings the way a clinician would and states what
must (or must not) happen to the decision.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.loading import load_corpus
from backtriage.harness.model import Presentation
from backtriage.harness.systems.reference import ReferenceTriage
from backtriage.harness.vocabulary import urgency_rank
from tests.support.factory import BASE_FINDINGS

CORPUS = load_corpus()
REFERENCE = ReferenceTriage()
findings_of_cases = st.sampled_from([dict(v.presentation.findings) for v in CORPUS.vignettes])


def triage(findings: dict[str, Any]) -> Any:
    return REFERENCE.triage(Presentation("(findings only)", findings))


@settings(max_examples=200)
@given(findings_of_cases, st.sampled_from(["retention", "difficulty_starting", "incontinence"]))
def test_a_new_bladder_red_flag_always_makes_it_an_emergency(
    f: dict[str, Any], bladder: str
) -> None:
    changed = {**f, "bladder": [bladder], "sphincter_or_saddle_symptom_days": 1}
    changed.pop("sphincter_or_saddle_trajectory", None)
    assert triage(changed).urgency == "emergency"


@settings(max_examples=200)
@given(findings_of_cases)
def test_new_saddle_numbness_never_lowers_urgency(f: dict[str, Any]) -> None:
    sites = (
        [*f["numbness_sites"], "saddle_perineal"]
        if "saddle_perineal" not in f["numbness_sites"]
        else f["numbness_sites"]
    )
    changed = {
        **f,
        "numbness_sites": list(dict.fromkeys(sites)),
        "saddle_sensation": "altered",
        "sphincter_or_saddle_symptom_days": 2,
    }
    changed.pop("sphincter_or_saddle_trajectory", None)
    assert urgency_rank(triage(changed).urgency) >= urgency_rank(triage(f).urgency)
    assert triage(changed).urgency == "emergency"


@settings(max_examples=200)
@given(findings_of_cases, st.integers(1, 40))
def test_being_older_alone_never_lowers_urgency(f: dict[str, Any], years: int) -> None:
    older = {**f, "age": min(110, f["age"] + years)}
    assert urgency_rank(triage(older).urgency) >= urgency_rank(triage(f).urgency)


@settings(max_examples=200)
@given(findings_of_cases)
def test_the_order_of_findings_does_not_change_the_decision(f: dict[str, Any]) -> None:
    reordered = dict(reversed(list(f.items())))
    assert triage(reordered) == triage(f)


@settings(max_examples=200)
@given(findings_of_cases)
def test_a_case_stripped_of_every_red_flag_is_not_imaged_in_the_acute_phase(
    f: dict[str, Any],
) -> None:
    plain = {
        **BASE_FINDINGS,
        "age": min(f["age"], 49),
        "sex": f["sex"],
        "pain_duration_days": min(f["pain_duration_days"], 20),
    }
    decision = triage(plain)
    assert (decision.urgency, decision.imaging) == ("self_care", "none")


@settings(max_examples=200)
@given(findings_of_cases, st.sampled_from(["retention", "none", "unknown"]),
       st.sampled_from([True, False, None]))
def test_a_decision_handed_out_again_is_the_one_a_fresh_reference_makes(
    f: dict[str, Any], bladder: str, contraindicated: bool | None
) -> None:
    """The reference keeps the decisions it made; one it hands out again equals a fresh one."""
    changed = {**f, "bladder": [bladder]}
    if contraindicated is not None:
        changed["mri_contraindicated"] = contraindicated
    presentation = Presentation("(findings only)", changed)
    again = REFERENCE.triage(presentation)  # the shared instance has seen many cases
    assert again == ReferenceTriage().triage(presentation)
    assert REFERENCE.triage(Presentation("(other words)", dict(changed))) is again
