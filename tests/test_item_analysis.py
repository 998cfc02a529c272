"""Item analysis: difficulty and item-rest discrimination over a population of systems."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.loading import load_corpus
from backtriage.scoring.item_analysis import analyse
from tests.support.factory import mixed_corpus


def test_difficulty_is_the_share_of_systems_answering_wrongly_and_discrimination_follows_skill(
    small_corpus_dir: Path,
) -> None:
    vignettes = load_corpus([small_corpus_dir]).vignettes
    ids = [v.id for v in vignettes]
    easy, hard, backwards, *rest = ids
    # Four systems of rising skill: each better one gets more of the rest right.
    correct = {}
    for skill in range(4):
        answers = {vid: k < skill for k, vid in enumerate(rest)}
        answers[easy] = True  # everyone
        answers[hard] = skill == 3  # only the best
        answers[backwards] = skill == 0  # only the worst: a suspect label
        correct[f"s{skill}"] = answers
    items = {i.id: i for i in analyse(vignettes, correct).items}
    assert items[easy].difficulty == 0.0 and items[easy].discrimination is None
    assert items[hard].difficulty == 0.75 and (items[hard].discrimination or 0) > 0.5
    assert (items[backwards].discrimination or 0) < 0


def test_a_system_without_an_answer_counts_as_wrong(small_corpus_dir: Path) -> None:
    vignettes = load_corpus([small_corpus_dir]).vignettes
    analysis = analyse(vignettes, {"a": {}, "b": {v.id: True for v in vignettes}})
    assert all(i.difficulty == 0.5 for i in analysis.items)


def test_corpus_quality_adds_recorded_runs_and_prints_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = mixed_corpus(tmp_path / "corpus")
    assert main(
        [
            "run",
            "--system",
            "baseline:keyword",
            "--corpus",
            str(corpus),
            "--output",
            str(tmp_path / "run"),
            "--no-progress",
        ]
    ) in (0, 1)
    capsys.readouterr()
    results = str(tmp_path / "run" / "results.json")
    assert (
        main(
            [
                "corpus",
                "quality",
                str(corpus),
                "--no-mutants",
                "--results",
                results,
                "--format",
                "json",
            ]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["n_systems"] == 4 and report["n_items"] == 5
    assert any(s.startswith("run:") for s in report["systems"])
    assert main(["corpus", "quality", str(corpus), "--no-mutants"]) == 0
    assert "item analysis" in capsys.readouterr().out


def test_corpus_quality_refuses_a_results_file_of_another_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = mixed_corpus(tmp_path / "corpus")
    other = tmp_path / "other.json"
    other.write_text("{}")
    assert main(["corpus", "quality", str(corpus), "--no-mutants", "--results", str(other)]) == 2
    assert "other.json" in capsys.readouterr().err
