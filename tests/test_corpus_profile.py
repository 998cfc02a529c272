"""What corpus stats measures of the narratives: numbness, sparse messages, pairs, lay writing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.model import Vignette
from backtriage.harness.vocabulary import URGENCIES
from backtriage.scoring.corpus_profile import (
    contrast_pairs,
    has_back_numbness,
    has_numbness,
    is_sparse,
    profile,
)
from tests.support.factory import make_vignette

UNKNOWN = {
    "fever": "not_stated",
    "cancer_history": "not_stated",
    "bladder": ["not_stated"],
    "bowel": ["not_stated"],
    "saddle_sensation": "not_stated",
    "weakness": "not_stated",
}


def vignette(
    vid: str, narrative: str, register: str = "lay", tags: tuple[str, ...] = (), **findings: Any
) -> Vignette:
    data = make_vignette(vid, narrative=narrative, register=register, findings=findings)
    data["tags"] = ["test", *tags]
    return Vignette.from_dict(data)


def test_numbness_is_read_from_the_findings_not_from_a_negated_word() -> None:
    assert not has_numbness(vignette("a", "Back ache, no numbness at all."))
    assert has_numbness(vignette("b", "my back feels numb", numbness_sites=["localised_back"]))


def test_back_numbness_counts_only_sites_on_the_back_itself() -> None:
    for site in ("localised_back", "back_one_side", "back_band", "truncal_band"):
        assert has_back_numbness(vignette(site, "numb", numbness_sites=[site]))
    assert not has_back_numbness(vignette("leg", "numb", numbness_sites=["one_leg_dermatomal"]))


def test_a_sparse_message_is_short_lay_and_leaves_most_negatives_unstated() -> None:
    short = "my lower back has gone numb on the left side since yesterday, is that bad"
    assert is_sparse(vignette("s", short, numbness_sites=["back_one_side"], **UNKNOWN))
    assert not is_sparse(vignette("told", short, numbness_sites=["back_one_side"]))
    assert not is_sparse(vignette("clin", short, register="clinician", **UNKNOWN))
    assert not is_sparse(vignette("long", " ".join([short] * 5), **UNKNOWN))


def test_contrast_pairs_are_complete_tag_pairs() -> None:
    vs = [
        vignette("p1", "x", tags=("contrast-saddle",)),
        vignette("p2", "y", tags=("contrast-saddle",)),
        vignette("lonely", "z", tags=("contrast-fever",)),
    ]
    assert contrast_pairs(vs) == {"saddle": ("p1", "p2")}


def test_lay_writing_features_are_counted() -> None:
    vs = [
        vignette("uk", "Should I go to A&E? It stings when I wee."),
        vignette("us", "should i go to the ER or urgent care", tags=("writer-partner",)),
        vignette("dx", "I think it's a pinched nerve, I read about sciatica."),
    ]
    p = profile(vs, URGENCIES).to_dict()
    assert (p["uk_idiom"], p["us_idiom"], p["self_diagnosis"]) == (1, 1, 1)
    assert p["written_by_relative"] == 1 and p["informal_lay"] == 1


def test_corpus_stats_json_reports_the_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "stats", "--format", "json"]) == 0
    p = json.loads(capsys.readouterr().out)["profile"]
    assert 0 < p["numbness_share"] <= 1 and p["back_numbness"] > 0
    assert set(p["back_numbness_by_urgency"]) == set(URGENCIES)
