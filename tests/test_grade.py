"""``backtriage grade``: collected answers are scored exactly like a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.loading import Corpus
from tests.support.prose_triage import reference_prose


def _write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _results(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "results.json").read_text())
    return data


def _run_and_grade(tmp_path: Path, system: str, answers: Path, *extra: str) -> tuple[
        dict[str, Any], dict[str, Any], int, int]:
    run_status = main(["run", "--system", system, "--output", str(tmp_path / "run"),
                       "--no-progress", "--quiet", "--concurrency", "1"])
    grade_status = main(["grade", str(answers), "--output", str(tmp_path / "grade"), "--quiet",
                         *extra])
    return _results(tmp_path / "run"), _results(tmp_path / "grade"), run_status, grade_status


def test_json_vocabulary_answers_grade_to_the_run_metrics(
    tmp_path: Path, bundled_corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    """Grading the reference's own decisions, collected as JSON text, equals running it."""
    main(["run", "--system", "reference", "--output", str(tmp_path / "first"), "--no-progress",
          "--quiet"])
    rows = [{"vignette_id": v["id"], "answer": json.dumps(v["answers"][0]["decision"]),
             "system": "reference"} for v in _results(tmp_path / "first")["vignettes"]]
    run, graded, run_status, grade_status = _run_and_grade(
        tmp_path, "reference", _write(tmp_path / "a.jsonl", rows))
    assert graded["metrics_by_status"] == run["metrics_by_status"]
    assert graded["gates"] == run["gates"] and grade_status == run_status
    assert [v["outcomes"] for v in graded["vignettes"]] == [v["outcomes"] for v in run["vignettes"]]


def test_prose_answers_grade_to_the_metrics_of_the_decisions_they_state(
    tmp_path: Path, bundled_corpus: Corpus
) -> None:
    """Prose saying X, read by the extractor, scores as a python: system answering X."""
    rows = [{"vignette_id": v.id, "answer": reference_prose(v.presentation.to_dict())}
            for v in bundled_corpus.vignettes]
    run, graded, run_status, grade_status = _run_and_grade(
        tmp_path, "python:tests.support.prose_triage:prose_decision",
        _write(tmp_path / "a.jsonl", rows), "--answer-format", "text")
    assert graded["metrics_by_status"] == run["metrics_by_status"]
    assert grade_status == run_status
    assert graded["system"]["extractor"] == "rules-v1"
    answer = graded["vignettes"][0]["answers"][0]
    assert answer["raw"] == rows[0]["answer"] and answer["metadata"]["extraction"]["evidence"]


def test_unknown_and_duplicate_ids_are_bad_input_naming_line_and_id(
    tmp_path: Path, bundled_corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    vid = bundled_corpus.vignettes[0].id
    path = _write(tmp_path / "a.jsonl", [
        {"vignette_id": vid, "answer": "Rest at home."},
        {"vignette_id": "no-such-case", "answer": "Rest at home."},
        {"vignette_id": vid, "answer": "Go to A&E."},
        {"vignette_id": vid, "answer": "x", "epoch": -1},
        {"vignette_id": vid, "text": "x"},
    ])
    assert main(["grade", str(path), "--output", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "line 2 [no-such-case]: no such vignette" in err
    assert f"line 3 [{vid}]: duplicate answer for epoch 0 (first on line 1)" in err
    assert "line 4" in err and "line 5" in err and "unknown field(s) text" in err
    assert not (tmp_path / "o" / "results.json").exists()


def test_a_vignette_without_an_answer_is_an_error_unless_subset(
    tmp_path: Path, bundled_corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    first = bundled_corpus.vignettes[0]
    path = _write(tmp_path / "a.jsonl", [{"vignette_id": first.id, "answer": "Call 999 now."}])
    assert main(["grade", str(path), "--output", str(tmp_path / "all"), "--quiet"]) == 1
    whole = _results(tmp_path / "all")
    assert whole["metrics"]["n_vignettes"] == len(bundled_corpus)
    assert whole["metrics"]["errors"] == len(bundled_corpus) - 1
    missing = whole["vignettes"][1]["answers"][0]
    assert missing["decision"] is None and "no answer" in missing["error"]
    main(["grade", str(path), "--output", str(tmp_path / "one"), "--quiet", "--subset"])
    one = _results(tmp_path / "one")
    assert one["metrics"]["n_vignettes"] == 1 and one["corpus"]["subset"] is True
    assert "--subset: grading the 1 vignette(s)" in capsys.readouterr().err


def test_unmappable_prose_is_an_error_with_its_raw_text(
    tmp_path: Path, bundled_corpus: Corpus
) -> None:
    first = bundled_corpus.vignettes[0]
    path = _write(tmp_path / "a.jsonl",
                  [{"vignette_id": first.id, "answer": "Back pain is very common."}])
    main(["grade", str(path), "--output", str(tmp_path / "o"), "--quiet", "--subset"])
    answer = _results(tmp_path / "o")["vignettes"][0]["answers"][0]
    assert answer["decision"] is None and answer["raw"] == "Back pain is very common."
    assert "ExtractionFailed" in answer["error"]
