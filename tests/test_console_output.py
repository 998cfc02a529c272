"""The console scorecard and compare table: gate values, scopes, worst list, colour, width."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backtriage.harness.cli.console_args import colour_wanted
from backtriage.harness.cli.main import main
from backtriage.scoring.formatting import pct_beside
from backtriage.scoring.reports.text_table import WIDTH, fit_table, visible_width
from tests.support.ci_fixtures import ci_corpus, faulty_system

PROSE = ("backtriage scorecard", "SAFETY", "OVER-IMAGING", "ERRORS", "EPOCHS", "GATES", "  ok",
         "  FAIL", "results:", "junit:", "markdown:", "backtriage compare", "CHANGES",
         "warning:", "McNemar")
"""Sentences, which a terminal wraps like any text; everything else is a table and must fit."""

ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(autouse=True)
def _no_colour_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Colour decided by each test, not by the environment the suite runs in."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def _run(capsys: pytest.CaptureFixture[str], out: Path, *argv: str) -> tuple[int, str, dict]:  # type: ignore[type-arg]
    status = main(["run", "--output", str(out), "--no-progress", *argv])
    text = capsys.readouterr().out
    return status, text, json.loads((out / "results.json").read_text())


def _too_wide(text: str) -> list[str]:
    return [line for line in text.splitlines()
            if visible_width(line) > WIDTH and not line.startswith(PROSE)]


def test_gate_lines_show_count_denominator_percent_and_scope(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, text, doc = _run(capsys, tmp_path / "o", "--system", "baseline:always-emergency-mri")
    assert status == 1
    r = doc["metrics_by_status"]["consensus"]["rates"]["over_imaging_rate"]
    n = r["denominator"]
    assert r["count"] == n > 0
    line = f"  FAIL over_imaging_rate {n}/{n} = 100.0% (consensus) > 10.0% FAILS"
    assert line in text.splitlines()
    crit = doc["metrics_by_status"]["consensus"]["rates"]["critical_miss_rate"]
    assert f"critical_misses 0/{crit['denominator']} = 0.0% (consensus) <= 0 passes" in text
    # The headline reads all vignettes and says so; the gate says it read consensus ones.
    safety = next(line for line in text.splitlines() if line.startswith("SAFETY"))
    assert safety.endswith("— all vignettes")
    gate = next(g for g in doc["gates"] if g["name"].startswith("over_imaging_rate"))
    assert (gate["shown"], gate["scope"]) == (f"{n}/{n} = 100.0%", "consensus")


def test_scorecard_and_compare_tables_fit_100_columns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outs = []
    for spec in ("baseline:keyword", "baseline:always-emergency-mri"):
        out = tmp_path / spec.replace(":", "_")
        _, text, _ = _run(capsys, out, "--system", spec, "--all")
        assert not _too_wide(text)
        assert "all vignettes" in text and "worst vignettes" in text
        outs.append(out)
    assert main(["compare", str(outs[1]), str(outs[0])]) == 1
    text = capsys.readouterr().out
    assert "new critical miss (" in text and not _too_wide(text)


def test_long_error_messages_wrap_inside_the_worst_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = ci_corpus(tmp_path / "corpus")
    (tmp_path / "wordy.py").write_text(
        "def triage(p):\n    raise RuntimeError('the model said ' + 'very ' * 40 + 'long')\n"
    )
    monkeypatch.chdir(tmp_path)
    _, text, _ = _run(capsys, tmp_path / "o", "--system", "python:wordy:triage",
                      "--corpus", str(corpus))
    assert "error" in text and not _too_wide(text)


def test_fit_table_wraps_only_the_columns_it_may_and_keeps_every_cell() -> None:
    rows = [["id-" + "x" * 20, "word " * 30, "fixed"]]
    text = fit_table(rows, ["id", "text", "keep"], wrap=[1], width=60)
    assert max(visible_width(line) for line in text.splitlines()) <= 60
    assert "id-" + "x" * 20 in text and "fixed" in text
    assert " ".join(text.split()).count("word") == 30


def test_top_and_all_choose_how_many_worst_vignettes_are_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = ci_corpus(tmp_path / "corpus")
    base = ["--system", "baseline:never-image", "--corpus", str(corpus)]
    _, text, doc = _run(capsys, tmp_path / "a", *base)
    bad = sum(1 for v in doc["vignettes"] if v["outcomes"])
    assert bad > 2
    assert f"worst vignettes ({bad} of {bad} with an outcome)" in text
    _, text, _ = _run(capsys, tmp_path / "b", *base, "--top", "2")
    assert f"worst vignettes (2 of {bad} with an outcome; --top N or --all for more)" in text
    _, text, _ = _run(capsys, tmp_path / "c", *base, "--top", "0")
    assert f"worst vignettes (0 of {bad}" in text
    _, text, _ = _run(capsys, tmp_path / "d", *base, "--all")
    assert f"({bad} of {bad} with an outcome)" in text
    assert main(["run", *base, "--top", "-1", "--output", str(tmp_path / "e")]) == 2
    assert "--top" in capsys.readouterr().err
    assert main(["run", *base, "--top", "3", "--all"]) == 2


def test_colour_only_on_a_terminal_or_when_forced_and_never_with_no_color(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = ci_corpus(tmp_path / "corpus")
    spec = faulty_system(tmp_path, miss=("t-ces-2",), crash=(), over_image=())
    argv = ["--system", spec, "--corpus", str(corpus), "--quiet"]
    _, plain, _ = _run(capsys, tmp_path / "a", *argv)
    assert not ANSI.search(plain)  # captured output is not a terminal
    monkeypatch.setenv("FORCE_COLOR", "1")
    _, forced, _ = _run(capsys, tmp_path / "b", *argv)
    assert "\x1b[1;31mFAILS\x1b[0m" in forced and "\x1b[32mpasses\x1b[0m" in forced
    assert "\x1b[1;31mcritical misses 1\x1b[0m" in forced
    assert ANSI.sub("", forced) == plain.replace(str(tmp_path / "a"), str(tmp_path / "b"))
    monkeypatch.setenv("NO_COLOR", "1")
    _, quiet, _ = _run(capsys, tmp_path / "c", *argv)
    assert not ANSI.search(quiet)


class _Stream(io.StringIO):
    def __init__(self, tty: bool):
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


@pytest.mark.parametrize(
    ("tty", "env", "wanted"),
    [
        (True, {}, True),
        (False, {}, False),
        (True, {"NO_COLOR": "1"}, False),
        (True, {"NO_COLOR": ""}, True),  # an empty NO_COLOR is no request (no-color.org)
        (False, {"FORCE_COLOR": "0"}, True),  # any non-empty value forces (force-color.org)
        (False, {"FORCE_COLOR": ""}, False),
        (True, {"NO_COLOR": "1", "FORCE_COLOR": "1"}, False),
        (True, {"TERM": "dumb"}, False),
        (False, {"TERM": "dumb", "FORCE_COLOR": "1"}, True),
    ],
)
def test_colour_follows_no_color_and_force_color(
    tty: bool, env: dict[str, str], wanted: bool
) -> None:
    assert colour_wanted(_Stream(tty), env) is wanted


@given(
    value=st.floats(0, 1, allow_nan=False),
    bound=st.floats(0, 1, allow_nan=False),
)
def test_a_value_on_the_other_side_of_a_bound_never_prints_equal_to_it(
    value: float, bound: float
) -> None:
    """Property: when a value differs from its bound, its printed percentage differs too
    (up to four decimals), so no line reads 10.0% > 10.0%."""
    shown = pct_beside(value, bound)
    if abs(value - bound) * 100 >= 1e-4:
        assert shown != pct_beside(bound, bound)
    assert shown.endswith("%")
