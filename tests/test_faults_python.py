"""Faults of python: systems: exits at import or in a call, hangs, and what is left behind."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.systems import SpecError, resolve_system
from tests.support.engine_corpus import engine_corpus, engine_corpus_dir
from tests.support.engine_helpers import run_all

ANSWER = ("{'urgency': 'emergency' if 'retention' in p['narrative'] else 'self_care', "
          "'imaging': 'none', 'category': 'nonspecific', 'suspected_conditions': []}")


def _module(folder: Path, body: str, at_import: str = "") -> Path:
    path = folder / "user_triage.py"
    path.write_text(f"import os, sys, time\n{at_import}\n"
                    f"def triage(p):\n{body}\n    return {ANSWER}\n")
    return path


def _run(tmp_path: Path, module: Path, *extra: str) -> int:
    corpus = engine_corpus_dir(tmp_path / "corpus", 3)
    return main(["run", "--system", f"python:{module}:triage", "--corpus", str(corpus),
                 "--output", str(tmp_path / "out"), "--no-progress", "--retry-backoff", "0.01",
                 *extra])


@pytest.mark.parametrize("isolate", ["--isolate", "--no-isolate"])
@pytest.mark.parametrize("code", [0, 5])
def test_sys_exit_at_import_is_a_usage_error_naming_the_module(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], code: int, isolate: str
) -> None:
    """Defect 2: not exit 0 (or 5) with no results, but exit 2 and what happened."""
    module = _module(tmp_path, "    pass", at_import=f"sys.exit({code})")
    assert _run(tmp_path, module, isolate) == 2
    err = capsys.readouterr().err
    assert "user_triage" in err and f"sys.exit({code}) while being imported" in err
    assert "Traceback" not in err


def test_os_exit_at_import_is_a_usage_error_when_isolated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = _module(tmp_path, "    pass", at_import="os._exit(0)")
    assert _run(tmp_path, module) == 2
    assert "ended the worker process while being imported (exit status 0)" in (
        capsys.readouterr().err)


@pytest.mark.parametrize("ending", ["os._exit(0)", "sys.exit(0)", "raise SystemExit(5)"])
def test_an_exit_in_a_call_is_that_vignettes_error_and_the_run_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], ending: str
) -> None:
    """Defect 2: ``os._exit`` in a call does not end the run with 0."""
    module = _module(tmp_path, f"    if 'Case 1.' in p['narrative']:\n        {ending}")
    assert _run(tmp_path, module) == 1  # an error fails closed: the gates fail
    doc = json.loads((tmp_path / "out" / "results.json").read_text())
    errors = {v["id"]: v["answers"][0]["error"] for v in doc["vignettes"]}
    assert errors["e-0000"] is None and errors["e-0002"] is None
    assert errors["e-0001"] and ("exit" in errors["e-0001"].lower())
    assert "Traceback" not in capsys.readouterr().err.split("first error")[0]


def test_a_hung_isolated_call_is_killed_and_leaves_no_thread(tmp_path: Path) -> None:
    """Defect 30: three runs of a hanging system leave no threads and no processes."""
    module = _module(tmp_path, "    if 'retention' in p['narrative']:\n        time.sleep(60)")
    corpus = engine_corpus(tmp_path / "corpus", 3)
    before = threading.active_count()
    for _ in range(3):
        system = resolve_system(f"python:{module}:triage", {"timeout": 0.5})
        records = run_all(system, corpus, retries=0, timeout=0.5)
        assert [r.decision is None for r in records] == [True, False, False]
        # The worker's own timeout kills it; under load the engine's may speak first.
        assert "within 0.5 s" in (records[0].error or "")
    deadline = threading.Event()
    for _ in range(50):
        if threading.active_count() <= before:
            break
        deadline.wait(0.1)
    assert threading.active_count() <= before


def test_an_in_process_system_exiting_at_import_is_a_spec_error(tmp_path: Path) -> None:
    module = _module(tmp_path, "    pass", at_import="sys.exit(0)")
    with pytest.raises(SpecError, match=r"sys\.exit\(0\) while being imported"):
        resolve_system(f"python:{module}:triage", {"isolate": False})


def test_the_pytest_plugin_reports_an_exit_at_import_as_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    """Defect 2: no INTERNALERROR; the message names the module."""
    module = _module(pytester.path, "    pass", at_import="sys.exit(0)")
    corpus = engine_corpus_dir(pytester.path / "corpus", 3)
    result = pytester.runpytest_subprocess(
        "--backtriage-system", f"python:{module}:triage", "--backtriage-corpus", str(corpus)
    )
    text = result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in text
    assert "sys.exit(0) while being imported" in text
    assert result.ret == pytest.ExitCode.USAGE_ERROR


def test_the_pytest_plugin_bounds_a_hung_system(pytester: pytest.Pytester) -> None:
    """Defect 13: a hung call is killed at the timeout, not waited on for minutes."""
    hang = "    if 'retention' in p['narrative']:\n        time.sleep(120)"
    module = _module(pytester.path, hang)
    corpus = engine_corpus_dir(pytester.path / "corpus", 3)
    start = time.monotonic()
    result = pytester.runpytest_subprocess(
        "--backtriage-system", f"python:{module}:triage", "--backtriage-corpus", str(corpus),
        "--backtriage-timeout", "1", "--backtriage-retries", "0", "-p", "no:cacheprovider",
        timeout=60,
    )
    assert result.parseoutcomes()["errors"] == 1  # the hung vignette, and only it
    assert "within 1 s" in result.stdout.str()
    assert time.monotonic() - start < 40
