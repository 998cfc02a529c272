"""The pytest plugin: one item per vignette, faithful verdicts, gates set the exit status, xdist."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.ci_fixtures import CI_IDS, ci_corpus, faulty_system
from tests.support.scripted_server import refused_url

pytest_plugins = ["pytester"]

DEFAULT_GATES = 3
"""The default policy's gates, each reported as a test case ``backtriage::gates::<metric>``."""

LENIENT = """\
schema_version: "1.0.0"
name: lenient
thresholds:
  critical_misses: {max: 5}
  error_rate: {max: 0.5}
"""


@pytest.fixture
def corpus(pytester: pytest.Pytester) -> Path:
    return ci_corpus(pytester.path / "corpus")


def _verdicts(junit: Path) -> dict[str, str]:
    """Map each test case name to passed / failure / error from a JUnit file."""
    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        out[case.get("name", "")] = kinds[0] if kinds else "passed"
    return out


def test_inert_without_a_system(pytester: pytest.Pytester, corpus: Path) -> None:
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    # In a process of its own, as a user's suite runs: in process, pytest 9.2 warns that the
    # plugin's module, imported by this session, cannot be rewritten, naming the package.
    result = pytester.runpytest_subprocess("-v")
    result.assert_outcomes(passed=1)
    # pytest lists installed plugins by name; beyond that line the plugin says nothing.
    lines = [line for line in result.stdout.lines if not line.startswith("plugins:")]
    assert not [line for line in lines if "backtriage" in line]
    assert result.ret == 0
    assert pytester.parseconfigure().pluginmanager.get_plugin("backtriage-session") is None
    switched_on = pytester.parseconfigure(
        "--backtriage-system", "reference", "--backtriage-corpus", str(corpus)
    )
    assert switched_on.pluginmanager.get_plugin("backtriage-session") is not None


def test_collects_one_item_per_vignette_named_by_id(
    pytester: pytest.Pytester, corpus: Path
) -> None:
    result = pytester.runpytest(
        "--backtriage-system", "reference", "--backtriage-corpus", str(corpus), "--co", "-q"
    )
    collected = [line for line in result.stdout.lines if line.startswith("backtriage::")]
    assert collected == [f"backtriage::{vid}" for vid in CI_IDS]
    assert result.ret == 0


def test_reference_passes_every_item_and_the_gates(pytester: pytest.Pytester, corpus: Path) -> None:
    result = pytester.runpytest(
        "--backtriage-system", "reference", "--backtriage-corpus", str(corpus)
    )
    result.assert_outcomes(passed=len(CI_IDS) + DEFAULT_GATES)
    result.stdout.fnmatch_lines(
        ["*SAFETY  critical misses 0 of 2 emergency vignettes*", "*GATES  policy default*PASS*"]
    )
    assert result.ret == 0


def test_a_broken_system_fails_exactly_the_expected_items(
    pytester: pytest.Pytester, corpus: Path
) -> None:
    spec = faulty_system(
        pytester.path, miss=("t-ces-2",), crash=("t-selfcare",), over_image=("t-selfcare-2",)
    )
    junit = pytester.path / "j.xml"
    result = pytester.runpytest(
        "--backtriage-system",
        spec,
        "--backtriage-corpus",
        str(corpus),
        f"--junitxml={junit}",
        "-rfE",
    )
    # Every default gate fails too: the miss, the error and the over-imaging.
    result.assert_outcomes(passed=len(CI_IDS) - 3, failed=2 + DEFAULT_GATES, errors=1)
    verdicts = _verdicts(junit)
    assert {k: v for k, v in verdicts.items() if v != "passed"} == {
        "t-ces-2": "failure",
        "t-selfcare-2": "failure",
        "t-selfcare": "error",
        "critical_misses": "failure",
        "error_rate": "failure",
        "over_imaging_rate": "failure",
    }
    out = result.stdout.str()
    # The failure message: outcome, expected and actual decision, rationale and cited source.
    assert "outcome:  critical_miss, missed_imaging" in out
    assert "expected: emergency / mri / serious_pathology [cauda_equina_syndrome]" in out
    assert "answered: routine / none / radiculopathy" in out
    assert "system's rationale: sciatica, no red flag seen" in out
    assert "why:      Written for a unit test" in out
    assert "source:   acp-2007, R2 — Chou R" in out
    assert "outcome:  over_imaging" in out
    assert "system error on 1 of 1 answer(s)" in out and "deliberate crash" in out
    # The system's own traceback is shown (issue 8), none of the harness's frames.
    assert "faulty.py" in out and 'raise RuntimeError("deliberate crash")' in out
    assert "calling.py" not in out and "python_worker.py" not in out
    # The default policy fails on the critical miss, the error and the over-imaging.
    assert "FAIL critical_misses 1/2 = 50.0% (consensus) > 0 FAILS" in out
    assert result.ret == 1


def test_exit_status_follows_the_policy(pytester: pytest.Pytester, corpus: Path) -> None:
    spec = faulty_system(pytester.path, miss=("t-ces-2",))
    (pytester.path / "lenient.yaml").write_text(LENIENT)
    args = ["--backtriage-system", spec, "--backtriage-corpus", str(corpus)]

    strict = pytester.runpytest(*args, "--backtriage-policy", "release")
    assert strict.parseoutcomes()["failed"] > 1  # the vignette and the release gates it breaks
    strict.stdout.fnmatch_lines(["FAILED backtriage::gates::critical_misses - *"])
    assert strict.ret == 1

    lenient = pytester.runpytest(*args, "--backtriage-policy", str(pytester.path / "lenient.yaml"))
    lenient.assert_outcomes(failed=1, passed=len(CI_IDS) - 1 + 2)  # both lenient gates pass
    lenient.stdout.fnmatch_lines(
        ["*exit status 0: the gates of policy lenient pass (1 vignette item(s) failed)*"]
    )
    assert lenient.ret == 0


def test_a_gate_can_fail_when_every_item_passes(pytester: pytest.Pytester, corpus: Path) -> None:
    (pytester.path / "many.yaml").write_text(
        'schema_version: "1.0.0"\nname: many\nthresholds:\n  n_emergency: {min: 30}\n'
    )
    result = pytester.runpytest(
        "--backtriage-system",
        "reference",
        "--backtriage-corpus",
        str(corpus),
        "--backtriage-policy",
        str(pytester.path / "many.yaml"),
    )
    result.assert_outcomes(passed=len(CI_IDS), failed=1)  # the gate's own test case
    result.stdout.fnmatch_lines(["*FAIL n_emergency 2 (consensus) < 30 FAILS*"])
    assert result.ret == 1


def test_an_ordinary_failing_test_keeps_the_session_failed(
    pytester: pytest.Pytester, corpus: Path
) -> None:
    pytester.makepyfile(test_mine="def test_broken():\n    assert 1 == 2\n")
    result = pytester.runpytest(
        "--backtriage-system", "reference", "--backtriage-corpus", str(corpus)
    )
    result.assert_outcomes(passed=len(CI_IDS) + DEFAULT_GATES, failed=1)
    assert result.ret == 1


def test_markers_and_keywords_select_strata(pytester: pytest.Pytester, corpus: Path) -> None:
    base = ["--backtriage-system", "reference", "--backtriage-corpus", str(corpus), "--co", "-q"]

    def selected(*extra: str) -> list[str]:
        result = pytester.runpytest(*base, *extra)
        return [
            line.removeprefix("backtriage::")
            for line in result.stdout.lines
            if line.startswith("backtriage::")
        ]

    assert selected("-m", "cauda_equina_syndrome") == ["t-ces-2", "t-emergency"]
    assert selected("-m", "routine and contested") == ["t-contested"]
    assert selected("-m", "self_care") == ["t-selfcare", "t-selfcare-2"]
    assert selected("-m", "red_flag and not emergency") == ["t-urgent"]
    assert selected("-k", "t-urgent or t-ces-2") == ["t-ces-2", "t-urgent"]


def test_a_partial_selection_does_not_fail_gates_it_has_no_data_for(
    pytester: pytest.Pytester, corpus: Path
) -> None:
    result = pytester.runpytest(
        "--backtriage-system",
        "reference",
        "--backtriage-corpus",
        str(corpus),
        "-m",
        "emergency",
    )
    # Two vignettes and two gates pass; over-imaging has no data here and is skipped.
    result.assert_outcomes(passed=2 + 2, skipped=1)
    result.stdout.fnmatch_lines(
        ["*over_imaging_rate <= 0.1: no vignettes in this selection, not applied*"]
    )
    assert result.ret == 0


def test_xdist_gives_the_same_verdicts_and_status(pytester: pytest.Pytester, corpus: Path) -> None:
    spec = faulty_system(pytester.path, miss=("t-ces-2",), crash=("t-selfcare",))
    args = [
        "--backtriage-system",
        spec,
        "--backtriage-corpus",
        str(corpus),
        "-p",
        "no:cacheprovider",
    ]
    serial = pytester.runpytest_subprocess(*args, f"--junitxml={pytester.path / 'serial.xml'}")
    parallel = pytester.runpytest_subprocess(
        *args, "-n", "2", f"--junitxml={pytester.path / 'parallel.xml'}"
    )
    assert _verdicts(pytester.path / "serial.xml") == _verdicts(pytester.path / "parallel.xml")
    assert _verdicts(pytester.path / "parallel.xml")["t-ces-2"] == "failure"
    # The controller reports each gate once, as its own test case.
    names = [c.get("name") for c in ET.parse(pytester.path / "parallel.xml").iter("testcase")]
    assert sorted(n for n in names if n not in CI_IDS) == [
        "critical_misses",
        "error_rate",
        "over_imaging_rate",
    ]
    assert serial.ret == parallel.ret == 1
    # The controller, not a worker, saw every answer: the gates read all vignettes.
    parallel.stdout.fnmatch_lines(
        ["*SAFETY  critical misses 1 of 2 emergency vignettes*", "*FAIL error_rate*"]
    )

    (pytester.path / "lenient.yaml").write_text(LENIENT)
    lenient = pytester.runpytest_subprocess(
        *args, "-n", "2", "--backtriage-policy", str(pytester.path / "lenient.yaml")
    )
    assert lenient.ret == 0


def test_ini_keys_switch_the_plugin_on(pytester: pytest.Pytester, corpus: Path) -> None:
    (pytester.path / "gate.yaml").write_text(LENIENT)
    pytester.makepyprojecttoml(
        "[tool.pytest.ini_options]\n"
        'backtriage_system = "reference"\n'
        'backtriage_corpus = ["corpus"]\n'
        'backtriage_policy = "gate.yaml"\n'
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=len(CI_IDS) + 2)
    result.stdout.fnmatch_lines(["*backtriage: system reference, 7 vignette(s)*policy lenient*"])
    assert result.ret == 0


def test_results_and_markdown_outputs(pytester: pytest.Pytester, corpus: Path) -> None:
    spec = faulty_system(pytester.path, miss=("t-ces-2",))
    result = pytester.runpytest(
        "--backtriage-system",
        spec,
        "--backtriage-corpus",
        str(corpus),
        "--backtriage-output",
        "out",
        "--backtriage-markdown",
        "out/summary.md",
    )
    assert result.ret == 1
    doc = json.loads((pytester.path / "out" / "results.json").read_text())
    assert doc["metrics"]["critical_misses"] == 1 and doc["metrics"]["n_vignettes"] == len(CI_IDS)
    summary = (pytester.path / "out" / "summary.md").read_text()
    assert "FAIL ❌" in summary and "`t-ces-2`" in summary


def test_a_bad_system_spec_is_a_usage_error(pytester: pytest.Pytester, corpus: Path) -> None:
    result = pytester.runpytest(
        "--backtriage-system", "no-such-kind", "--backtriage-corpus", str(corpus)
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*backtriage: system spec 'no-such-kind': unknown kind*"])


def test_a_users_own_test_can_call_the_python_api(pytester: pytest.Pytester, corpus: Path) -> None:
    spec = faulty_system(pytester.path, miss=("t-ces-2",))
    pytester.makepyfile(
        test_api=f"""
        from backtriage.harness import run

        def test_reference_has_no_critical_miss():
            result = run("reference", {str(corpus)!r})
            assert result.metrics["consensus"]["critical_misses"] == 0
            assert result.passed

        def test_the_faulty_system_is_caught():
            result = run({spec!r}, {str(corpus)!r}, policy="release")
            assert result.metrics["all"]["critical_misses"] == 1
            missed = [s.vignette.id for s in result.scores if not s.combined.safe]
            assert missed == ["t-ces-2"]
            assert not result.passed
    """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2)


def test_a_shard_collects_its_slice(pytester: pytest.Pytester, corpus: Path) -> None:
    result = pytester.runpytest(
        "--backtriage-system", "reference", "--backtriage-corpus", str(corpus),
        "--backtriage-shard", "2/3", "--co", "-q",
    )  # fmt: skip
    collected = [line for line in result.stdout.lines if line.startswith("backtriage::")]
    assert collected == [f"backtriage::{vid}" for vid in CI_IDS[1::3]]


def test_an_unreachable_system_ends_the_session_with_no_verdict(
    pytester: pytest.Pytester, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", refused_url())
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    result = pytester.runpytest("--backtriage-system", "openai:m", "--backtriage-corpus",
                                str(corpus))
    assert result.ret == 4
    result.stdout.fnmatch_lines(["*system unavailable: no verdict: openai:m: connection refused*"])
    assert "GATES" not in result.stdout.str()  # no verdict, so no gates
