"""Progress: a live bar on a terminal, sparse plain lines elsewhere (CI logs)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.engine import progress as progress_module
from backtriage.harness.engine.progress import Progress, interactive
from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.model import Decision

OK = AnswerRecord("v", 0, Decision("self_care", "none", "nonspecific"), None)
ERR = AnswerRecord("v", 0, None, "boom")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_detection_respects_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert interactive(Tty()) and not interactive(io.StringIO())
    monkeypatch.setenv("CI", "true")
    assert not interactive(Tty())


def test_live_bar_shows_count_rate_misses_errors_and_eta() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, is_miss=lambda r: r.decision is None, live=True, clock=clock)
    progress.start(10, 0)
    for i in range(4):
        clock.now += 0.5
        progress.update(ERR if i == 0 else OK)
    text = stream.getvalue()
    assert "\r" in text and "[#########" in text
    last = text.split("\r")[-1]
    assert "4/10 (40%) 2.0/s misses 1 errors 1 ETA 0:03" in last
    progress.finish()
    assert stream.getvalue().endswith("\r\x1b[2K")  # the scorecard takes over a clean line


def test_plain_lines_every_tenth_and_a_final_line() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, live=False, clock=clock)
    progress.start(100, 0)
    for _ in range(100):
        clock.now += 0.5
        progress.update(OK)
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    # Nothing in the first 10 seconds, then one line per tenth, plus the final line.
    assert 8 <= len(lines) <= 10
    assert lines[-1].startswith("progress: 100/100 (100%)")


def test_a_run_over_within_the_quiet_start_prints_nothing() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, live=False, clock=clock)
    progress.start(50, 0)
    for _ in range(50):
        clock.now += 0.1
        progress.update(OK)
    progress.finish()
    assert stream.getvalue() == ""


def test_a_slow_run_still_shows_signs_of_life() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress(stream, live=False, clock=clock)
    progress.start(1000, 0)
    for _ in range(5):
        clock.now += 20
        progress.update(OK)
    assert len(stream.getvalue().splitlines()) == 5


def test_resumed_answers_are_announced(capsys: pytest.CaptureFixture[str]) -> None:
    stream = io.StringIO()
    Progress(stream, live=False).start(10, 4)
    assert "resuming: 4 of 10 answers already in the journal" in stream.getvalue()


def test_cli_progress_goes_to_stderr_and_can_be_switched_off(
    tmp_path: Path, small_corpus_dir: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["run", "--system", "reference", "--corpus", str(small_corpus_dir), "--quiet"]
    monkeypatch.setattr(progress_module, "_QUIET_START_SECONDS", 0.0)
    main([*argv, "--output", str(tmp_path / "a")])
    captured = capsys.readouterr()
    assert "progress: 5/5 (100%)" in captured.err and "progress: " not in captured.out
    main([*argv, "--output", str(tmp_path / "b"), "--no-progress"])
    assert "progress: " not in capsys.readouterr().err
