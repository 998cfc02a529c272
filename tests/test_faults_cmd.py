"""Faults of cmd: programs: stray stdout lines, programs without ids, orphaned grandchildren."""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

import pytest

from backtriage.harness.systems import resolve_system
from tests.support.engine_corpus import engine_corpus
from tests.support.engine_helpers import run_all

SCRIPT = Path(__file__).parent / "support" / "chatty_triage_cmd.py"


def cmd(mode: str, via_bash: bool = False) -> str:
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(SCRIPT))} {mode}"
    return f"cmd:bash -c {shlex.quote(command)}" if via_bash else f"cmd:{command}"


def test_a_banner_log_lines_and_decoys_never_move_an_answer_to_another_vignette(
    tmp_path: Path,
) -> None:
    """Defect 1: every answer is the one the program gave for that very presentation."""
    corpus = engine_corpus(tmp_path / "corpus", 9)
    log = tmp_path / "stderr.log"
    records = run_all(resolve_system(cmd("chatty"), {"stderr_log": str(log), "processes": 2}),
                      corpus, concurrency=2)
    assert [r.error for r in records] == [None] * 9
    for record in records:
        number = int(record.vignette_id.removeprefix("e-"))
        assert record.decision is not None
        assert record.decision.rationale == f"case {number}"
        assert record.decision.urgency == ("emergency" if number % 3 == 0 else "self_care")
    text = log.read_text()
    assert "ignored a stdout line that answers no request: triage server ready" in text
    assert text.count("INFO handling case") == 9 and text.count('"not-yours"') == 9


def test_a_reply_without_the_id_is_an_error_of_that_vignette_not_an_answer(
    tmp_path: Path,
) -> None:
    """Defect 1: a program that does not echo ids fails closed at once (no wait, no retry)."""
    corpus = engine_corpus(tmp_path / "corpus", 3)
    start = time.monotonic()
    records = run_all(resolve_system(cmd("legacy")), corpus, concurrency=1)
    assert time.monotonic() - start < 10
    assert all(r.decision is None and 'has no "id"' in (r.error or "") for r in records)
    assert all(len(r.attempts) == 1 for r in records)


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="process groups are POSIX")
def test_a_timeout_through_bash_leaves_no_orphan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect 10: the whole process group dies on a timeout, grandchildren included."""
    pid_file = tmp_path / "grandchild.pid"
    monkeypatch.setenv("HANG_PID_FILE", str(pid_file))
    corpus = engine_corpus(tmp_path / "corpus", 1)
    records = run_all(resolve_system(cmd("spawn-hang", via_bash=True), {"timeout": 1.0}),
                      corpus, retries=0)
    assert records[0].decision is None and "no reply within 1 s" in (records[0].error or "")
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split()[2] != "Z"  # a zombie is dead, only not yet reaped
    except FileNotFoundError:
        return False
