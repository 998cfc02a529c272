"""The corpus version: recorded in results, never compared or merged across versions silently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.api import run
from backtriage.harness.cli.main import main
from backtriage.harness.loading import load_corpus
from backtriage.harness.runs.evaluation import results_document
from backtriage.scoring.compare import compare_runs
from backtriage.scoring.policy import load_policy
from tests.support.factory import emergency_vignette, make_vignette, write_corpus


def with_version(folder: Path, version: str | None) -> Path:
    bib = folder / "sources.json"
    data = json.loads(bib.read_text(encoding="utf-8"))
    if version is None:
        data.pop("corpus_version", None)
    else:
        data["corpus_version"] = version
    bib.write_text(json.dumps(data), encoding="utf-8")
    return folder


def corpus(folder: Path, version: str | None) -> Path:
    return with_version(write_corpus(folder, [emergency_vignette("t-a"), make_vignette("t-b")]),
                        version)


def document(folder: Path) -> dict[str, Any]:
    return results_document(run("reference", load_corpus([folder])))


def test_the_bundled_corpus_declares_its_version_and_results_record_it() -> None:
    # 2.2.0: vignettes added (session 3); 2.1.0 added vignettes after the issue 10 relabelling
    # (2.0.0); see the guide's changelog.
    assert load_corpus().version == "2.2.0"


def test_results_record_the_version_distinct_from_the_hash(tmp_path: Path) -> None:
    doc = document(corpus(tmp_path / "c", "3.1.0"))
    assert doc["corpus"]["corpus_version"] == "3.1.0"
    assert doc["corpus"]["content_hash"] != "3.1.0"
    assert document(corpus(tmp_path / "none", None))["corpus"]["corpus_version"] is None


def test_a_malformed_version_is_a_bibliography_error(tmp_path: Path) -> None:
    folder = corpus(tmp_path / "c", "two")
    assert main(["validate", str(folder)]) == 2


@pytest.mark.parametrize(("base", "new"), [("2.0.0", "3.0.0"), (None, "2.0.0")])
def test_compare_warns_when_the_corpus_versions_differ(
    tmp_path: Path, base: str | None, new: str | None
) -> None:
    before = document(corpus(tmp_path / "base", base))
    after = document(corpus(tmp_path / "new", new))
    comparison = compare_runs(before, after, load_policy("default"))
    (warning,) = [w for w in comparison.warnings if "corpus versions" in w]
    assert (base or "none recorded") in warning and str(new) in warning
    same = compare_runs(after, after, load_policy("default"))
    assert not [w for w in same.warnings if "corpus versions" in w]


def test_merge_refuses_shards_of_different_corpus_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = corpus(tmp_path / "c", "2.0.0")
    paths = []
    for i in (1, 2):
        out = tmp_path / f"s{i}"
        main(["run", "--system", "reference", "--corpus", str(folder), "--output", str(out),
              "--quiet", "--shard", f"{i}/2"])
        paths.append(out / "results.json")
    doc = json.loads(paths[1].read_text(encoding="utf-8"))
    doc["corpus"]["corpus_version"] = "3.0.0"
    paths[1].write_text(json.dumps(doc), encoding="utf-8")
    status = main(["merge", *map(str, paths), "--output", str(tmp_path / "m"), "--quiet"])
    assert status == 2
    assert "corpus version differs" in capsys.readouterr().err
