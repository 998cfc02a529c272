"""The shortcut audit: surface features alone must not predict expected urgency."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.loading import load_corpus
from backtriage.scoring.shortcuts import LIMIT, audit, surface_features
from tests.support.factory import case_label, emergency_vignette, make_vignette, write_corpus


def _leaky_corpus(folder: Path) -> Path:
    # Emergencies are long, set in an ambulance and end on a minimising question; the rest are
    # short and plain. The form gives the label away without any clinical reading.
    vignettes = []
    for i in range(30):
        vid = f"t-emergency-{i}"
        filler = " ".join(case_label(f"{vid}-{k}") for k in range(3))
        vignettes.append(
            emergency_vignette(
                vid,
                narrative=(
                    f"A 40-year-old woman with back pain and urinary retention. {filler} "
                    f"{case_label(vid)} Can this wait until Monday?"
                ),
            )
        )
    for i in range(30):
        vid = f"t-self-{i}"
        vignettes.append(
            make_vignette(
                vid,
                narrative=(
                    f"A 40-year-old woman with low back pain for 5 days. Pain stable. No fever, no "
                    f"cancer history, bladder and bowel normal, no weakness. {case_label(vid)}"
                ),
            )
        )
    return write_corpus(folder, vignettes)


def test_a_corpus_whose_form_gives_the_label_away_fails_the_audit(tmp_path: Path) -> None:
    corpus = load_corpus([_leaky_corpus(tmp_path / "leaky")])
    result = audit(corpus.vignettes)
    assert result is not None
    assert result.majority_rate == 0.5 and result.accuracy > 0.9
    assert not result.passed and result.gain > LIMIT


def test_validate_strict_fails_on_a_leaky_corpus_and_names_the_audit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _leaky_corpus(tmp_path / "leaky")
    assert main(["validate", str(folder)]) == 0  # valid, but ...
    capsys.readouterr()
    assert main(["validate", "--strict", str(folder)]) == 2  # ... its form leaks its labels
    assert "shortcut audit" in capsys.readouterr().err


def test_corpus_stats_reports_the_audit_with_both_rates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["corpus", "stats", "--format", "json", str(_leaky_corpus(tmp_path / "c"))]) == 0
    report = json.loads(capsys.readouterr().out)["shortcut_audit"]
    assert {"surface_accuracy", "majority_rate", "gain", "limit", "passed"} <= set(report)
    assert report["passed"] is False


def test_the_bundled_corpus_passes_the_audit() -> None:
    result = audit(load_corpus().vignettes)
    assert result is not None and result.passed, result.to_dict()


def test_surface_features_read_no_clinical_word() -> None:
    corpus = load_corpus()
    for v in corpus.vignettes[:80]:
        text = v.presentation.narrative
        swapped = (
            text.replace("numb", "sore")
            .replace("bladder", "kitchen")
            .replace("saddle", "garden")
            .replace("fever", "rainy")
            .replace("weak", "tall")
        )
        changed = type(v.presentation)(swapped, v.presentation.findings, v.register)
        other = dataclasses.replace(v, presentation=changed)
        assert surface_features(other) == surface_features(v), v.id


def test_a_corpus_too_small_to_split_gets_no_verdict(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "small", [make_vignette(f"t-{i}") for i in range(5)])
    assert audit(load_corpus([folder]).vignettes) is None
