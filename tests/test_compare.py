"""`backtriage compare`: changed vignettes in safety order, metric deltas, McNemar, gates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.api import run
from backtriage.harness.cli.main import main
from backtriage.harness.loading import load_corpus
from backtriage.harness.runs.evaluation import results_document
from backtriage.scoring.compare import (
    ADDED,
    FIXED_CRITICAL_MISS,
    NEW_CRITICAL_MISS,
    NEW_MAJOR_MISS,
    NEW_OVER_IMAGING,
    REMOVED,
    compare_runs,
)
from backtriage.scoring.mcnemar import mcnemar, mcnemar_exact_p
from backtriage.scoring.policy import load_policy
from tests.support.ci_fixtures import ci_corpus, faulty_system
from tests.support.factory import emergency_vignette, write_corpus


@pytest.mark.parametrize(
    ("regressed", "improved", "p"),
    [
        (0, 0, 1.0),
        (1, 0, 1.0),  # one discordant pair can never be significant
        (3, 3, 1.0),
        (0, 5, 0.0625),  # 2 * (1/2)^5
        (10, 0, 0.001953125),  # 2 * (1/2)^10
        (1, 7, 0.0703125),  # 2 * (1 + 8) / 256
        (2, 10, 0.03857421875),  # 2 * (1 + 12 + 66) / 4096
        (10, 2, 0.03857421875),  # symmetric
        (6, 9, 0.60723876953125),  # 2 * sum_{i<=6} C(15, i) / 2^15
    ],
)
def test_mcnemar_exact_p_values(regressed: int, improved: int, p: float) -> None:
    assert mcnemar_exact_p(regressed, improved) == pytest.approx(p, rel=1e-12)


def test_mcnemar_counts_pairs_and_rejects_negative_counts() -> None:
    result = mcnemar([(True, True), (True, False), (True, False), (False, True), (False, False)])
    assert (result.both_correct, result.regressed, result.improved, result.both_wrong) == (
        1,
        2,
        1,
        1,
    )
    assert result.p_value == 1.0 and result.discordant == 3
    with pytest.raises(ValueError):
        mcnemar_exact_p(-1, 2)


def _run(tmp_path: Path, name: str, spec: str, corpus: Path, policy: str = "default") -> Path:
    out = tmp_path / name
    main(
        [
            "run",
            "--system",
            spec,
            "--corpus",
            str(corpus),
            "--policy",
            policy,
            "--output",
            str(out),
            "--quiet",
        ]
    )
    return out / "results.json"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return ci_corpus(tmp_path / "corpus")


def test_a_missed_cauda_equina_is_a_new_critical_miss_and_fails_the_release_policy(
    tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _run(tmp_path, "base", "reference", corpus)
    new = _run(tmp_path, "new", faulty_system(tmp_path, miss=("t-ces-2",)), corpus)
    capsys.readouterr()

    status = main(["compare", str(base), str(new), "--policy", "release", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert report["changes"][0]["id"] == "t-ces-2"
    assert report["changes"][0]["kinds"] == [NEW_CRITICAL_MISS]
    assert report["counts"][NEW_CRITICAL_MISS] == 1
    failed = [g for g in report["gates"] if not g["passed"]]
    assert [g["name"] for g in failed] == ["new critical misses = 0"]
    assert "t-ces-2" in failed[0]["detail"]
    assert report["mcnemar"]["regressed"] == 1 and report["mcnemar"]["improved"] == 0

    assert main(["compare", str(base), str(new), "--policy", "release"]) == 1
    table = capsys.readouterr().out
    assert "CHANGES  1 new critical miss" in table
    assert "new critical miss" in table and "t-ces-2" in table
    assert "FAIL new critical misses = 0: 1 FAILS (t-ces-2)" in table

    # The other way round the same vignette is a fixed miss, and nothing fails.
    assert main(["compare", str(new), str(base), "--policy", "release"]) == 0
    assert "1 fixed critical miss" in capsys.readouterr().out


def test_changes_are_listed_safety_first(tmp_path: Path, corpus: Path) -> None:
    base_spec = faulty_system(tmp_path, "base_sys", miss=("t-emergency",))
    new_spec = faulty_system(
        tmp_path, "new_sys", miss=("t-ces-2",), over_image=("t-selfcare",), crash=("t-urgent",)
    )
    base = json.loads(_run(tmp_path, "base", base_spec, corpus).read_text())
    new = json.loads(_run(tmp_path, "new", new_spec, corpus).read_text())
    comparison = compare_runs(base, new, load_policy("release"))
    assert [(c.id, c.kind) for c in comparison.changes] == [
        ("t-ces-2", NEW_CRITICAL_MISS),
        ("t-urgent", NEW_MAJOR_MISS),  # a crash fails closed: a major miss on an urgent case
        ("t-emergency", FIXED_CRITICAL_MISS),
        ("t-selfcare", NEW_OVER_IMAGING),
    ]
    # The error's other outcomes (missed imaging, error) show in the outcome columns, not as kinds.
    assert comparison.changes[1].kinds == (NEW_MAJOR_MISS,)
    assert comparison.changes[1].new_outcomes == (
        "major_miss",
        "missed_imaging",
        "wrong_modality",
        "over_triage",
        "error",
    )
    assert not comparison.passed


def test_over_imaging_rise_gate(
    tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _run(tmp_path, "base", "reference", corpus)
    new = _run(tmp_path, "new", faulty_system(tmp_path, over_image=("t-selfcare",)), corpus)
    capsys.readouterr()
    # Development tolerates 5 points of rise; one of the three eligible vignettes is 33 points.
    assert (
        main(["compare", str(base), str(new), "--policy", "development", "--format", "markdown"])
        == 1
    )
    md = capsys.readouterr().out
    assert "## backtriage compare: FAIL ❌" in md
    assert "over-imaging rise <= 5 points" in md and "+33.3 points FAILS" in md
    assert "| over_imaging_rate | 0.0% | 33.3% | +33.3 pts |" in md
    assert "| new over-imaging | t-selfcare |" in md


def test_contested_changes_are_listed_but_do_not_gate_a_consensus_policy(
    tmp_path: Path, corpus: Path
) -> None:
    base = json.loads(_run(tmp_path, "base", "reference", corpus).read_text())
    new = json.loads(
        _run(tmp_path, "new", faulty_system(tmp_path, crash=("t-contested",)), corpus).read_text()
    )
    comparison = compare_runs(base, new, load_policy("release"))
    assert [c.id for c in comparison.changes] == ["t-contested"]
    assert not comparison.changes[0].in_scope
    assert comparison.passed


def _doc(corpus: Path, spec: str) -> dict[str, Any]:
    return results_document(run(spec, load_corpus([corpus])))


def test_an_added_vignette_that_is_missed_counts_as_a_new_critical_miss(tmp_path: Path) -> None:
    old_corpus = write_corpus(tmp_path / "old", [emergency_vignette("t-a")])
    new_corpus = write_corpus(
        tmp_path / "new", [emergency_vignette("t-a"), emergency_vignette("t-b")]
    )
    faulty = faulty_system(tmp_path, miss=("t-b",))
    comparison = compare_runs(
        _doc(old_corpus, "reference"), _doc(new_corpus, faulty), load_policy("default")
    )
    assert [(c.id, c.kinds) for c in comparison.changes] == [("t-b", (NEW_CRITICAL_MISS, ADDED))]
    assert not comparison.passed
    assert any("different corpora" in w for w in comparison.warnings)

    back = compare_runs(
        _doc(new_corpus, faulty), _doc(old_corpus, "reference"), load_policy("default")
    )
    assert [(c.id, c.kinds) for c in back.changes] == [("t-b", (REMOVED,))]
    assert back.passed


def test_the_default_policy_is_the_one_recorded_in_new(
    tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _run(tmp_path, "base", "reference", corpus)
    new = _run(
        tmp_path, "new", faulty_system(tmp_path, miss=("t-ces-2",)), corpus, policy="release"
    )
    assert main(["compare", str(base.parent), str(new.parent)]) == 1
    assert "policy release" in capsys.readouterr().out


def test_compare_writes_markdown_and_json_files(tmp_path: Path, corpus: Path) -> None:
    base = _run(tmp_path, "base", "reference", corpus)
    new = _run(tmp_path, "new", "reference", corpus)
    md, js = tmp_path / "c.md", tmp_path / "c.json"
    assert main(["compare", str(base), str(new), "--markdown", str(md), "--json", str(js)]) == 0
    assert "No vignette changed outcome." in md.read_text()
    assert json.loads(js.read_text())["mcnemar"]["p_value"] == 1.0


@pytest.mark.parametrize("which", ["base", "new"])
def test_compare_bad_input_exits_2(
    tmp_path: Path, corpus: Path, which: str, capsys: pytest.CaptureFixture[str]
) -> None:
    good = str(_run(tmp_path, "good", "reference", corpus))
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    args = [str(bad), good] if which == "base" else [good, str(bad)]
    assert main(["compare", *args]) == 2
    assert "bad.json" in capsys.readouterr().err
