"""The pytest plugin follows pytest's conventions.

Vignettes are collected only when asked for; a FAILED line's node id runs that vignette again;
gates are JUnit test cases; calls are bounded by a timeout, retried and run concurrently as
told; and an inert plugin imports nothing heavy.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.ci_fixtures import CI_IDS, ci_corpus, faulty_system

pytest_plugins = ["pytester"]

DEFAULT_GATES = 3
NO_CACHE = ("-p", "no:cacheprovider")


@pytest.fixture
def corpus(pytester: pytest.Pytester) -> Path:
    return ci_corpus(pytester.path / "corpus")


def _ini(pytester: pytest.Pytester, system: str, corpus: str = "corpus") -> None:
    pytester.makepyprojecttoml(
        "[tool.pytest.ini_options]\n"
        f"backtriage_system = {system!r}\n"
        f"backtriage_corpus = [{corpus!r}]\n"
    )


def _collected(result: pytest.RunResult) -> list[str]:
    return [line for line in result.stdout.lines if "::" in line and " " not in line]


def _system_file(folder: Path, name: str, body: str) -> str:
    """Write a python: system that answers like the reference after running ``body``."""
    path = folder / f"{name}.py"
    path.write_text(
        textwrap.dedent(
            """\
            import threading, time
            from pathlib import Path
            from backtriage.harness.model import Presentation
            from backtriage.harness.systems.protocol import TransientError
            from backtriage.harness.systems.reference import ReferenceTriage

            HERE = Path(__file__).parent
            _REFERENCE = ReferenceTriage()
            _LOCK = threading.Lock()

            def triage(presentation):
                narrative = presentation["narrative"]
            {body}
                p = Presentation(narrative, presentation["findings"])
                return _REFERENCE.triage(p).to_dict()
            """
        ).format(body=textwrap.indent(textwrap.dedent(body), "    ")),
        encoding="utf-8",
    )
    return f"python:{path}:triage"


# -- collected only when asked for ---------------------------------------------------------


def test_an_ini_switched_plugin_leaves_an_explicit_test_path_alone(
    pytester: pytest.Pytester,
) -> None:
    # The corpus folder is broken: were it loaded, the session would end with a usage error.
    (pytester.path / "corpus").mkdir()
    (pytester.path / "corpus" / "broken.json").write_text("{not json")
    _ini(pytester, "reference")
    pytester.makepyfile(test_unit="def test_unit():\n    assert True\n")
    result = pytester.runpytest("test_unit.py")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["backtriage: system reference from the ini file; vignettes not*"])
    assert result.ret == 0


def test_the_whole_suite_and_the_explicit_option_collect_the_vignettes(
    pytester: pytest.Pytester, corpus: Path
) -> None:
    _ini(pytester, "reference")
    pytester.makepyfile(test_unit="def test_unit():\n    assert True\n")
    whole = pytester.runpytest()
    whole.assert_outcomes(passed=1 + len(CI_IDS) + DEFAULT_GATES)
    explicit = pytester.runpytest("test_unit.py", "--backtriage-system", "reference")
    explicit.assert_outcomes(passed=1 + len(CI_IDS) + DEFAULT_GATES)
    assert whole.ret == explicit.ret == 0


def test_without_a_system_a_vignette_node_id_is_a_usage_error(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("backtriage::t-ces-2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*backtriage::... names a vignette, but no system is named*"])


def test_an_unknown_vignette_id_is_a_usage_error_naming_it(
    pytester: pytest.Pytester, corpus: Path
) -> None:
    _ini(pytester, "reference")
    result = pytester.runpytest("backtriage::no-such-id")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*backtriage: no vignette 'no-such-id' in the corpus*"])


# -- re-runnable node ids ------------------------------------------------------------------


def test_the_node_id_on_a_failed_line_reruns_exactly_that_vignette(
    pytester: pytest.Pytester, corpus: Path
) -> None:
    spec = faulty_system(pytester.path, miss=("t-ces-2",))
    _ini(pytester, spec)
    first = pytester.runpytest_subprocess(*NO_CACHE, "-rf")
    failed = [
        m.group(1)
        for line in first.stdout.lines
        if (m := re.match(r"FAILED (backtriage::[^ ]+) - ", line))
    ]
    vignette_ids = [n for n in failed if not n.startswith("backtriage::gates::")]
    assert vignette_ids == ["backtriage::t-ces-2"]

    again = pytester.runpytest_subprocess(*NO_CACHE, vignette_ids[0], "-v")
    # The vignette fails and so does the critical-miss gate; over-imaging has no data here.
    again.assert_outcomes(failed=2, passed=1, skipped=1)
    ran = [line.split(" ")[0] for line in again.stdout.lines if line.startswith("backtriage::")]
    assert [n for n in ran if not n.startswith("backtriage::gates::")] == ["backtriage::t-ces-2"]
    # With other paths and the command-line option, the id still picks that one vignette.
    pytester.makepyfile(test_unit="def test_unit():\n    assert True\n")
    mixed = pytester.runpytest(
        "test_unit.py", vignette_ids[0], "--backtriage-system", spec, "--co", "-q"
    )
    assert _collected(mixed) == ["test_unit.py::test_unit", "backtriage::t-ces-2"]


def test_a_gate_node_id_reruns_every_vignette_the_gate_reads(
    pytester: pytest.Pytester, corpus: Path
) -> None:
    _ini(pytester, "reference")
    result = pytester.runpytest("backtriage::gates::critical_misses", "--co", "-q")
    assert _collected(result) == [f"backtriage::{vid}" for vid in CI_IDS]


# -- gates as JUnit test cases -------------------------------------------------------------


def test_a_gate_only_failure_is_a_failing_junit_test_case(
    pytester: pytest.Pytester, corpus: Path
) -> None:
    (pytester.path / "many.yaml").write_text(
        'schema_version: "1.0.0"\nname: many\nthresholds:\n  n_emergency: {min: 30}\n'
    )
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest(
        "--backtriage-system", "reference", "--backtriage-corpus", str(corpus),
        "--backtriage-policy", str(pytester.path / "many.yaml"), f"--junitxml={junit}",
    )  # fmt: skip
    assert result.ret == 1
    result.stdout.fnmatch_lines(["FAILED backtriage::gates::n_emergency - gate failed: *"])
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    cases = {(c.get("classname"), c.get("name")): c for c in suite.iter("testcase")}
    gate = cases[("backtriage.gates", "n_emergency")]
    failure = gate.find("failure")
    assert failure is not None
    assert "n_emergency 2 (consensus) < 30 FAILS" in failure.get("message", "")
    vignettes = [c for (cls, _), c in cases.items() if cls == "backtriage"]
    assert len(vignettes) == len(CI_IDS) and not any(len(c) for c in vignettes)


# -- timeout, retries, concurrency ---------------------------------------------------------


def test_a_hung_system_fails_its_vignette_within_the_timeout(
    pytester: pytest.Pytester, corpus: Path
) -> None:
    spec = _system_file(
        pytester.path,
        "hangs",
        """\
        if "(t-ces-2)" in narrative:
            threading.Event().wait()  # never answers
        """,
    )
    junit = pytester.path / "junit.xml"
    # The subprocess's own timeout guards the suite: without the option the run would hang.
    result = pytester.runpytest_subprocess(
        *NO_CACHE, "--backtriage-system", spec, "--backtriage-corpus", str(corpus),
        "--backtriage-timeout", "1", "--backtriage-retries", "0", f"--junitxml={junit}",
        timeout=120,
    )  # fmt: skip
    assert result.ret == 1
    # The worker's own timeout kills it (python: systems run isolated); the engine's may speak
    # first on a loaded machine.
    result.stdout.fnmatch_lines(["*within 1 s*"])
    errors = [
        c.get("name")
        for c in ET.parse(junit).getroot().iter("testcase")
        if c.find("error") is not None
    ]
    assert errors == ["t-ces-2"]


def test_retries_turn_a_transient_failure_into_an_answer(
    pytester: pytest.Pytester, corpus: Path
) -> None:
    spec = _system_file(
        pytester.path,
        "flaky",
        """\
        marker = HERE / ("called-" + narrative.split("(")[-1].split(")")[0])
        if not marker.exists():
            marker.write_text("once")
            raise TransientError("first call fails")
        """,
    )
    args = ["--backtriage-system", spec, "--backtriage-corpus", str(corpus), "-k", "t-urgent"]
    once = pytester.runpytest(*args, "--backtriage-retries", "0")
    once.assert_outcomes(errors=1, failed=1, skipped=1, passed=1)  # gates: error_rate fails
    once.stdout.fnmatch_lines(["*first call fails*"])
    (pytester.path / "called-t-urgent").unlink()
    retried = pytester.runpytest(*args, "--backtriage-retries", "1")
    retried.assert_outcomes(passed=1 + 2, skipped=1)


def test_concurrency_sets_the_calls_in_flight(pytester: pytest.Pytester, corpus: Path) -> None:
    spec = _system_file(
        pytester.path,
        "counts",
        """\
        # Calls may run in several worker processes: count them with files, not globals.
        import os, uuid
        flight = HERE / "in-flight"
        flight.mkdir(exist_ok=True)
        mine = flight / uuid.uuid4().hex
        mine.write_text("")
        def seen():
            count = len(os.listdir(flight))
            (HERE / f"seen-{mine.name}").write_text(str(count))
            return count
        seen()
        # Wait (when told to) until two calls have overlapped once, so overlap can be seen.
        if (HERE / "wait").exists():
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and seen() < 2:
                time.sleep(0.01)
        mine.unlink()
        """,
    )
    args = ["--backtriage-system", spec, "--backtriage-corpus", str(corpus)]
    (pytester.path / "wait").write_text("")
    pytester.runpytest_subprocess(
        *NO_CACHE, *args, "--backtriage-concurrency", "4"
    ).assert_outcomes(passed=len(CI_IDS) + DEFAULT_GATES)
    assert 2 <= _peak(pytester.path) <= 4
    (pytester.path / "wait").unlink()
    for seen in pytester.path.glob("seen-*"):
        seen.unlink()
    # A fresh process: the module's counters start again from zero.
    pytester.runpytest_subprocess(
        *NO_CACHE, *args, "--backtriage-concurrency", "1"
    ).assert_outcomes(passed=len(CI_IDS) + DEFAULT_GATES)
    assert _peak(pytester.path) == 1


def _peak(folder: Path) -> int:
    """The most calls any call saw in flight at once."""
    return max(int(p.read_text()) for p in folder.glob("seen-*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--backtriage-timeout", "0"), "--backtriage-timeout must be a number above 0, got 0.0"),
        (
            ("--backtriage-concurrency", "0"),
            "--backtriage-concurrency must be an integer at least 1",
        ),
        (("-o", "backtriage_retries=-1"), "ini backtriage_retries must be an integer at least 0"),
        (("-o", "backtriage_timeout=soon"), "ini backtriage_timeout must be a number above 0"),
    ],
)
def test_engine_settings_out_of_range_are_usage_errors(
    pytester: pytest.Pytester, corpus: Path, args: tuple[str, ...], message: str
) -> None:
    result = pytester.runpytest("--backtriage-system", "reference", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"*backtriage: {message}*"])


def test_ini_engine_settings_reach_the_engine(pytester: pytest.Pytester, corpus: Path) -> None:
    pytester.makepyprojecttoml(
        "[tool.pytest.ini_options]\n"
        'backtriage_system = "reference"\nbacktriage_corpus = ["corpus"]\n'
        'backtriage_timeout = "7.5"\nbacktriage_retries = "0"\nbacktriage_concurrency = "2"\n'
    )
    result = pytester.runpytest("--co", "--backtriage-retries", "5")  # CLI > ini
    result.stdout.fnmatch_lines(["*timeout 7.5 s, 5 retries, 2 call(s) in flight*"])


# -- nothing heavy until switched on -------------------------------------------------------

HEAVY = ("jsonschema", "yaml", "httpx", "tabulate")
CORPUS_MODULES = ("backtriage.harness.loading", "backtriage.harness.engine", "backtriage.scoring")


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, backtriage.harness.pytest_plugin\n"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}"
        f" or m.startswith({CORPUS_MODULES!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_an_inert_session_imports_nothing_heavy(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_modules=f"""
        import sys

        def test_nothing_heavy_is_loaded():
            loaded = [m for m in sys.modules
                      if m.split(".")[0] in {HEAVY!r} or m.startswith({CORPUS_MODULES!r})]
            assert loaded == []
        """
    )
    pytester.runpytest_subprocess(*NO_CACHE, "-p", "no:xdist").assert_outcomes(passed=1)
