"""The reference triage agrees with every consensus vignette, and every rule is cited."""

from __future__ import annotations

import json
import re

import pytest

from backtriage.harness.loading import load_corpus
from backtriage.harness.resources import corpus_dir
from backtriage.harness.systems.reference import RULES, ReferenceTriage
from backtriage.scoring.outcomes import score_answer

CORPUS = load_corpus()
REFERENCE = ReferenceTriage()
CONSENSUS = [v for v in CORPUS.vignettes if v.label_status == "consensus"]


@pytest.mark.parametrize("vignette", CONSENSUS, ids=[v.id for v in CONSENSUS])
def test_reference_agrees_with_every_consensus_vignette(vignette) -> None:  # type: ignore[no-untyped-def]
    answer = REFERENCE.triage(vignette.presentation)
    score = score_answer(vignette, answer)
    assert score.outcomes == (), f"{answer.rationale}"
    assert score.urgency_ok and score.imaging_ok and score.category_ok, answer
    assert score.conditions_ok, f"expected {vignette.expected.suspected_conditions}, got {answer}"


def test_every_rule_cites_sources_in_the_bibliography() -> None:
    bibliography = {
        s["id"] for s in json.loads((corpus_dir() / "sources.json").read_text())["sources"]
    }
    for rule in RULES:
        assert rule.sources and set(rule.sources) <= bibliography, rule.id


def test_every_rule_is_a_row_of_the_labeling_guide() -> None:
    from pathlib import Path

    guide = (Path(__file__).parents[1] / "docs" / "labeling-guide.md").read_text()
    rows = set(re.findall(r"^\| ([A-Z]+\d*) \|", guide, flags=re.MULTILINE))
    for rule in RULES:
        assert rule.id.split("-")[0] in rows, rule.id


def test_the_last_rule_always_matches() -> None:
    assert RULES[-1].when({}) is True


def test_mri_contraindication_swaps_to_ct() -> None:
    from backtriage.harness.model import Presentation
    from tests.support.factory import BASE_FINDINGS

    findings = {**BASE_FINDINGS, "bladder": ["retention"], "mri_contraindicated": True}
    answer = REFERENCE.triage(Presentation("n", findings))
    assert (answer.urgency, answer.imaging) == ("emergency", "ct")


def test_an_unknown_pertinent_negative_is_never_read_as_present() -> None:
    from backtriage.harness.model import Presentation
    from tests.support.factory import BASE_FINDINGS

    unknown = {
        **BASE_FINDINGS,
        "fever": "not_stated",
        "cancer_history": "not_stated",
        "bladder": ["not_stated"],
        "bowel": ["not_stated"],
        "saddle_sensation": "not_stated",
        "weakness": "not_stated",
    }
    answer = REFERENCE.triage(Presentation("n", unknown))
    assert "spinal_infection" not in answer.suspected_conditions
    assert "malignancy" not in answer.suspected_conditions
    assert "cauda_equina_syndrome" not in answer.suspected_conditions
