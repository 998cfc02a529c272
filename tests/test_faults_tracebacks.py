"""Errors a user can debug: a system's traceback in results, CLI, JUnit and pytest (issue 8)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from tests.support.ci_fixtures import ci_corpus
from tests.support.engine_corpus import engine_corpus_dir

CRASHING = (
    "def triage(p):\n"
    "    return helper(p)\n"
    "\n"
    "def helper(p):\n"
    "    return p['findings']['bladdr']\n"
)


@pytest.mark.parametrize("isolate", ["--isolate", "--no-isolate"])
def test_the_traceback_is_kept_shown_first_and_the_outcome_is_named_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolate: str
) -> None:
    module = tmp_path / "crashing.py"
    module.write_text(CRASHING)
    corpus = engine_corpus_dir(tmp_path / "corpus", 3)
    out = tmp_path / "out"
    status = main(["run", "--system", f"python:{module}:triage", "--corpus", str(corpus),
                   "--output", str(out), "--no-progress", "--junit", str(out / "junit.xml"),
                   "--markdown", str(out / "summary.md"), isolate])
    assert status == 1
    captured = capsys.readouterr()
    doc = json.loads((out / "results.json").read_text())
    answer = doc["vignettes"][0]["answers"][0]
    assert answer["error"] == "KeyError: 'bladdr'"
    trace = answer["traceback"]
    assert 'crashing.py", line 2, in triage' in trace and 'line 5, in helper' in trace
    assert trace.endswith("KeyError: 'bladdr'")
    assert "backtriage" not in trace and "harness" not in trace  # only the user's frames
    assert "first error: vignette e-0000, epoch 0: KeyError: 'bladdr'" in captured.err
    assert "in helper" in captured.err
    worst = captured.out.split("worst vignettes")[1].split("GATES")[0]
    assert "over_triage" not in worst and " error " in worst
    assert "over_triage" not in (out / "summary.md").read_text().split("worst")[-1]
    errors = ET.parse(out / "junit.xml").getroot().iter("error")
    assert all("in helper" in (e.text or "") for e in errors)


def test_the_pytest_failure_shows_the_traceback(pytester: pytest.Pytester) -> None:
    (pytester.path / "crashing.py").write_text(CRASHING)
    corpus = ci_corpus(pytester.path / "corpus")
    result = pytester.runpytest_subprocess(
        "--backtriage-system", f"python:{pytester.path / 'crashing.py'}:triage",
        "--backtriage-corpus", str(corpus),
    )
    text = result.stdout.str()
    assert "KeyError: 'bladdr'" in text and 'line 5, in helper' in text
    assert "outcome:  error" in text
    assert "INTERNALERROR" not in text
