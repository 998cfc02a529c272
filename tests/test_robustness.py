"""Metamorphic robustness: the transformations, their relations, and the command that runs them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.cli.main import main
from backtriage.harness.loading import load_corpus
from backtriage.harness.robustness import EMERGENCY, TRANSFORMATIONS, variants_of
from backtriage.harness.robustness import text_edits as edits
from backtriage.harness.systems.reference import ReferenceTriage

CORPUS = load_corpus()
REFERENCE = ReferenceTriage()
vignettes = st.sampled_from(sorted(CORPUS.vignettes, key=lambda v: v.id))
transformations = st.sampled_from(TRANSFORMATIONS)


# --- the relations hold for the reference triage (properties over the real corpus) -----------


@settings(max_examples=300, deadline=None)
@given(vignette=vignettes, transformation=transformations)
def test_the_reference_keeps_every_transformations_relation(vignette, transformation) -> None:  # type: ignore[no-untyped-def]
    for variant in variants_of(vignette, (transformation,)):
        before = REFERENCE.triage(vignette.presentation)
        after = REFERENCE.triage(variant.vignette.presentation)
        if transformation.relation == EMERGENCY:
            assert after.urgency == "emergency", variant.vignette.id
        else:
            assert (after.urgency, after.imaging) == (before.urgency, before.imaging), (
                variant.vignette.id
            )


@settings(max_examples=200, deadline=None)
@given(vignette=vignettes, transformation=transformations)
def test_a_variant_never_changes_what_the_system_is_not_shown(vignette, transformation) -> None:  # type: ignore[no-untyped-def]
    # Labels, sources and register stay the original's: a variant is the same case, retold.
    for variant in variants_of(vignette, (transformation,)):
        v = variant.vignette
        assert v.id == f"{vignette.id}~{transformation.name}"
        assert (v.expected, v.acceptable, v.label_status) == (
            vignette.expected,
            vignette.acceptable,
            vignette.label_status,
        )
        assert v.presentation.register == vignette.presentation.register
        assert v.presentation.to_dict() != vignette.presentation.to_dict()


# --- the wording edits ---------------------------------------------------------------------


def test_a_sex_swap_rewrites_pronouns_and_nouns_in_both_directions() -> None:
    text = "A 45-year-old woman. She says her back hurts and her husband drove her here."
    male = edits.swap_sex(text, "male")
    assert male == "A 45-year-old man. He says his back hurts and his wife drove him here."
    assert edits.swap_sex("He lifted his son. It hurt him.", "female") == (
        "She lifted her daughter. It hurt her."
    )


def test_a_sex_swap_refuses_sex_specific_content() -> None:
    assert edits.swap_sex("She is 30 weeks pregnant with back pain.", "male") is None
    assert edits.swap_sex("Known prostate cancer, new back pain.", "female") is None


def test_an_age_is_replaced_only_when_stated_exactly_once() -> None:
    assert edits.replace_age("A 43-year-old man, pain for 43 days.", 43, 44) is None
    assert edits.replace_age("I'm 43 and my back hurts.", 43, 44) == "I'm 44 and my back hurts."
    assert edits.replace_age("A 43-year-old man.", 43, 41) == "A 41-year-old man."


def test_durations_idiom_and_typos_are_reworded_without_touching_negations() -> None:
    assert edits.reword_duration("pain for 2 weeks") == "pain for 14 days"
    assert edits.reword_duration("pain for 3 days") == "pain for three days"
    assert edits.swap_idiom("Should I go to A&E? It hurts to wee.") == (
        "Should I go to the ER? It hurts to pee."
    )
    assert edits.swap_idiom("Should I go to the ER?") == "Should I go to A&E?"
    typo = edits.add_typos("I cannot feel anything without numbness", seed="x")
    assert typo is not None and "cannot" in typo and "without" in typo


# --- the command -----------------------------------------------------------------------------


def test_robustness_of_the_reference_reports_zero_flips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rob"
    status = main(
        [
            "robustness",
            "--system",
            "reference",
            "--limit",
            "60",
            "--output",
            str(out),
            "--no-progress",
            "--max-flip-rate",
            "0",
        ]
    )
    assert status == 0, capsys.readouterr()
    report = json.loads((out / "robustness.json").read_text())
    assert {t["name"] for t in report["transformations"]} == {t.name for t in TRANSFORMATIONS}
    assert all(t["flips"] == [] for t in report["transformations"])
    assert all(t["applied"] > 0 for t in report["transformations"])
    assert "flips 0/" in capsys.readouterr().out


FRAGILE = textwrap.dedent(
    """
    def triage(presentation):
        text = presentation["narrative"]
        # Fragile on purpose: keyed on wording and on length, not on the clinical findings.
        words = text.lower().replace(".", " ").replace(",", " ").split()
        if "woman" in words or "wee" in words or len(text) > 700:
            return {"urgency": "emergency", "imaging": "mri", "category": "serious_pathology",
                    "suspected_conditions": ["cauda_equina_syndrome"]}
        return {"urgency": "routine", "imaging": "none", "category": "nonspecific",
                "suspected_conditions": []}
    """
)


def test_a_fragile_system_gets_flip_rates_that_name_the_flipped_vignettes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    system = tmp_path / "fragile.py"
    system.write_text(FRAGILE)
    out = tmp_path / "rob"
    status = main(
        [
            "robustness",
            "--system",
            f"python:{system}:triage",
            "--limit",
            "80",
            "--output",
            str(out),
            "--no-progress",
            "--max-flip-rate",
            "0.05",
        ]
    )
    assert status == 1
    report = {
        t["name"]: t for t in json.loads((out / "robustness.json").read_text())["transformations"]
    }
    assert report["sex-swap"]["flips"], "a sex swap must flip a system keyed on 'woman'"
    assert report["uk-us-idiom"]["flips"], "an idiom swap must flip a system keyed on 'wee'"
    assert report["add-cauda-equina-feature"]["flip_rate"]["value"] > 0
    flipped = report["sex-swap"]["flips"][0]
    assert flipped["variant_id"] == f"{flipped['original_id']}~sex-swap"
    assert flipped["variant_id"] in capsys.readouterr().out


def test_bad_robustness_flags_exit_2_naming_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["robustness", "--system", "reference", "--output", str(tmp_path / "o")]
    assert main([*base, "--transform", "nope"]) == 2
    assert "--transform" in capsys.readouterr().err
    assert main([*base, "--max-flip-rate", "nan"]) == 2
    assert "--max-flip-rate" in capsys.readouterr().err
