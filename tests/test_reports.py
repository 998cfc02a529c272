"""CI reports: JUnit XML (failure vs error, suite properties, gates) and the Markdown summary."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from backtriage.scoring.reports.junit import SUITE_GATES, SUITE_VIGNETTES, junit_xml
from backtriage.scoring.reports.markdown import render_markdown
from tests.support.ci_fixtures import CI_IDS, ci_corpus, faulty_system


@pytest.fixture
def faulty_run(tmp_path: Path) -> tuple[int, Path]:
    corpus = ci_corpus(tmp_path / "corpus")
    spec = faulty_system(
        tmp_path, miss=("t-ces-2",), crash=("t-selfcare",), over_image=("t-selfcare-2",)
    )
    out = tmp_path / "out"
    status = main(
        [
            "run",
            "--system",
            spec,
            "--corpus",
            str(corpus),
            "--output",
            str(out),
            "--quiet",
            "--junit",
            str(out / "junit.xml"),
            "--markdown",
            str(out / "summary.md"),
        ]
    )
    return status, out


def _suite(root: ET.Element, name: str) -> ET.Element:
    (suite,) = [s for s in root.iter("testsuite") if s.get("name") == name]
    return suite


def test_junit_maps_wrong_decisions_to_failures_and_system_errors_to_errors(
    faulty_run: tuple[int, Path],
) -> None:
    status, out = faulty_run
    assert status == 1
    root = ET.parse(out / "junit.xml").getroot()
    suite = _suite(root, SUITE_VIGNETTES)
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == (
        str(len(CI_IDS)),
        "2",
        "1",
    )
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert list(cases) == list(CI_IDS)

    (failure,) = cases["t-ces-2"].findall("failure")
    assert failure.get("type") == "critical_miss"
    assert failure.get("message") == (
        "critical_miss, missed_imaging: expected emergency / mri / serious_pathology "
        "[cauda_equina_syndrome], answered routine / none / radiculopathy"
    )
    assert "why:      Written for a unit test" in (failure.text or "")
    assert "source:   acp-2007, R2" in (failure.text or "")
    assert cases["t-ces-2"].get("classname") == "backtriage.emergency"

    (error,) = cases["t-selfcare"].findall("error")
    assert error.get("type") == "system_error" and "deliberate crash" in (
        error.get("message") or ""
    )
    assert not cases["t-selfcare"].findall("failure")
    assert cases["t-selfcare-2"].find("failure").get("type") == "over_imaging"  # type: ignore[union-attr]
    assert not list(cases["t-urgent"])

    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    doc = json.loads((out / "results.json").read_text())
    assert props["system"] == doc["system"]["spec"]
    assert props["corpus_hash"] == doc["corpus"]["content_hash"]
    assert props["policy"] == "default" and props["gates_passed"] == "false"
    assert props["harness_version"] == doc["harness_version"]


def test_junit_has_a_test_case_per_gate(faulty_run: tuple[int, Path]) -> None:
    _, out = faulty_run
    gates = _suite(ET.parse(out / "junit.xml").getroot(), SUITE_GATES)
    verdicts = {c.get("name"): bool(c.findall("failure")) for c in gates.iter("testcase")}
    assert verdicts == {
        "critical_misses <= 0": True,
        "error_rate <= 0": True,
        "over_imaging_rate <= 0.1": True,
    }


def test_junit_of_a_clean_run_has_no_failure(tmp_path: Path) -> None:
    corpus = ci_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    assert (
        main(
            [
                "run",
                "--system",
                "reference",
                "--corpus",
                str(corpus),
                "--output",
                str(out),
                "--quiet",
                "--junit",
                str(out / "j.xml"),
            ]
        )
        == 0
    )
    root = ET.parse(out / "j.xml").getroot()
    assert root.get("failures") == "0" and root.get("errors") == "0"
    assert root.get("tests") == str(len(CI_IDS) + 3)


def test_markdown_summary(faulty_run: tuple[int, Path]) -> None:
    _, out = faulty_run
    md = (out / "summary.md").read_text()
    assert md.startswith("## backtriage: FAIL ❌")
    assert "- **Safety:** critical misses 1 of 2 emergency vignettes" in md
    assert "- **Over-imaging:** 2/3 = 66.7%" in md
    assert "- **Errors:** 1 (14.3% of all vignettes" in md
    assert "| ❌ | critical_misses <= 0 | 1/2 = 50.0% |" in md
    worst = md.split("### Worst vignettes")[1]
    # Errors first, then critical misses, then over-imaging.
    assert worst.index("`t-selfcare`") < worst.index("`t-ces-2`") < worst.index("`t-selfcare-2`")
    assert "3 of 3 with an outcome" in worst


def test_markdown_escapes_table_cells() -> None:
    doc: dict[str, Any] = {
        "system": {"spec": "python:a|b:f"},
        "harness_version": "0",
        "gates_passed": True,
        "corpus": {"content_hash": "0" * 64, "n_vignettes": 0},
        "options": {"epochs": 1},
        "policy": {"name": "p", "scope": "all"},
        "metrics": {
            "n_vignettes": 0,
            "n_epochs": 0,
            "errors": 0,
            "error_rate": None,
            "critical_misses": 0,
            "critical_miss_upper95": None,
            "major_misses": 0,
            "rates": {
                name: {
                    "count": 0,
                    "denominator": 0,
                    "value": None,
                    "ci95_low": None,
                    "ci95_high": None,
                    "denominator_is": "x",
                }
                for name in ("critical_miss_rate", "major_miss_rate", "over_imaging_rate")
            },
        },
        "gates": [{"name": "a|b", "value": None, "passed": True, "detail": "x|y"}],
        "vignettes": [],
        "started_at": "",
        "finished_at": "",
    }
    md = render_markdown(doc)
    assert "| ✅ | a\\|b | — | x\\|y |" in md
    assert junit_xml(doc).get("tests") == "1"


def test_markdown_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = ci_corpus(tmp_path / "corpus")
    main(
        [
            "run",
            "--system",
            "reference",
            "--corpus",
            str(corpus),
            "--output",
            str(tmp_path / "o"),
            "--quiet",
            "--markdown",
            "-",
        ]
    )
    assert "## backtriage: PASS ✅" in capsys.readouterr().out
