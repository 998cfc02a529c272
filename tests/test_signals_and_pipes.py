"""A closed pipe ends a run quietly; ``--markdown -`` keeps stdout for the Markdown alone.

(Ctrl-C, exit 130 and a resumable journal: tests/test_resume.py.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main

ROOT = Path(__file__).parent.parent
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
ENV.pop("CI", None)


def test_head_1_on_the_full_corpus_leaves_stderr_empty(tmp_path: Path) -> None:
    # The command of the README, through a real shell pipe into a real `head`.
    command = (f"{sys.executable} -m backtriage run --system reference "
               f"--output {tmp_path / 'out'} | head -1")
    done = subprocess.run(["sh", "-c", command], env=ENV, capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.stdout.startswith("backtriage scorecard — system reference — ")
    assert done.stdout.count("\n") == 1
    # A run longer than ten seconds (a loaded machine) prints plain progress lines, by design;
    # anything else on stderr (a traceback, BrokenPipeError, "Exception ignored") is the bug.
    assert all(line.startswith("progress: ") for line in done.stderr.splitlines()), done.stderr


def test_a_reader_that_has_gone_away_gets_no_traceback(
    tmp_path: Path, small_corpus_dir: Path
) -> None:
    # `| head -0`: the read end is closed before the first write, so that write meets EPIPE
    # for certain (with `head -1` the output may fit the pipe before head exits).
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "backtriage", "run", "--system", "reference", "--corpus",
             str(small_corpus_dir), "--output", str(tmp_path / "out")],
            env=ENV, stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 141  # 128 + SIGPIPE, what a shell shows for a piped-off command
    assert (tmp_path / "out" / "results.json").exists()  # written before the scorecard


def test_markdown_to_stdout_is_only_markdown(
    tmp_path: Path, small_corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["run", "--system", "reference", "--corpus", str(small_corpus_dir),
                   "--output", str(tmp_path / "out"), "--junit", str(tmp_path / "j.xml"),
                   "--markdown", "-", "--no-progress"])
    captured = capsys.readouterr()
    assert status == 0
    assert captured.out.startswith("## backtriage: PASS")
    assert "backtriage scorecard" not in captured.out and "results:" not in captured.out
    assert "junit:" not in captured.out
    # The scorecard and the notes still reach the log, on stderr.
    assert "backtriage scorecard" in captured.err and "SAFETY" in captured.err
    assert "results: " in captured.err and "junit: " in captured.err
