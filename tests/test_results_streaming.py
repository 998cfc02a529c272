"""results.json is written one vignette at a time and holds exactly the document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backtriage.harness.engine import EngineOptions
from backtriage.harness.loading import load_corpus
from backtriage.harness.runs.evaluation import evaluate, results_document
from backtriage.harness.runs.results_io import read_results, safe_document, write_results
from backtriage.harness.safe_json import json_safe
from backtriage.harness.systems import resolve_system
from backtriage.scoring.policy import load_policy
from tests.support.factory import mixed_corpus


def _document(folder: Path) -> dict[str, Any]:
    result = evaluate(resolve_system("reference"), load_corpus([folder]), load_policy(None),
                      EngineOptions())
    return results_document(result)


def test_the_streamed_file_reads_back_as_the_whole_document(tmp_path: Path) -> None:
    document = _document(mixed_corpus(tmp_path / "corpus"))
    path = write_results(tmp_path / "out", document, jsonl=True)
    expected = json_safe({**document, "vignettes": list(document["vignettes"])}).value
    assert read_results(path) == expected  # the strict reader and the schema accept it too
    lines = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == expected["vignettes"]


def test_the_safe_document_shows_the_entries_the_file_holds(tmp_path: Path) -> None:
    document = _document(mixed_corpus(tmp_path / "corpus"))
    safe = safe_document(document)
    path = write_results(tmp_path / "out", safe)
    assert list(safe["vignettes"]) == read_results(path)["vignettes"]
    assert len(safe["vignettes"]) == len(document["vignettes"]) == 5
    assert safe["vignettes"][1:3] == read_results(path)["vignettes"][1:3]


def test_an_empty_run_writes_an_empty_list(tmp_path: Path) -> None:
    document = {**_document(mixed_corpus(tmp_path / "corpus")), "vignettes": []}
    path = write_results(tmp_path / "out", document)
    assert json.loads(path.read_text(encoding="utf-8"))["vignettes"] == []


def test_a_value_that_is_not_json_is_replaced_and_listed_by_its_pointer(tmp_path: Path) -> None:
    document = _document(mixed_corpus(tmp_path / "corpus"))
    entries = list(document["vignettes"])
    entries[2]["answers"][0]["metadata"] = {"cost": float("nan"), "tags": {"b", "a"}}
    path = write_results(tmp_path / "out", {**document, "vignettes": entries})
    written = read_results(path)
    assert written["vignettes"][2]["answers"][0]["metadata"] == {"cost": None, "tags": ["a", "b"]}
    pointers = {r["pointer"] for r in written["json_replacements"]}
    assert pointers == {"/vignettes/2/answers/0/metadata/cost",
                        "/vignettes/2/answers/0/metadata/tags"}
