"""Kill the harness half-way (SIGKILL or Ctrl-C), resume, and get an uninterrupted run's results."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from tests.support.engine_corpus import engine_corpus_dir

SCRIPT = Path(__file__).parent / "support" / "fake_triage_cmd.py"
SYSTEM = f"cmd:{shlex.quote(sys.executable)} {shlex.quote(str(SCRIPT))} slow"
N = 30


def _argv(corpus: Path, out: Path, *extra: str) -> list[str]:
    return ["run", "--system", SYSTEM, "--corpus", str(corpus), "--output", str(out),
            "--concurrency", "2", "--epochs", "1", "--quiet", *extra]


def _launch(argv: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "backtriage.harness.cli.main", *argv], env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=Path(__file__).parent.parent,
    )


def _wait_for_answers(journal: Path, at_least: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if journal.exists() and journal.read_text().count("\n") - 1 >= at_least:
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    raise AssertionError("the run journaled too few answers in time")


def _comparable(doc: dict[str, Any]) -> dict[str, Any]:
    """Everything but timings: metrics, gates and every per-vignette record."""
    vignettes = []
    for v in doc["vignettes"]:
        answers = [
            {**{k: a[k] for k in a if k != "seconds"},
             "attempts": [{k: t[k] for k in t if k != "seconds"} for t in a["attempts"]]}
            for a in v["answers"]
        ]
        vignettes.append({**v, "answers": answers})
    return {"metrics": doc["metrics"], "metrics_by_status": doc["metrics_by_status"],
            "gates": doc["gates"], "vignettes": vignettes, "corpus": doc["corpus"],
            "system": doc["system"]}


def _calls(log: Path) -> int:
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, str]]:
    corpus = engine_corpus_dir(tmp_path / "corpus", N)
    monkeypatch.setenv("SLOW_SECONDS", "0.05")
    monkeypatch.setenv("FAKE_TRIAGE_LOG", str(tmp_path / "baseline.log"))
    assert main(_argv(corpus, tmp_path / "baseline", "--no-progress")) == 0
    env = {**os.environ, "FAKE_TRIAGE_LOG": str(tmp_path / "interrupted.log"),
           "PYTHONPATH": str(Path(__file__).parent.parent)}
    return corpus, env


def test_sigkill_half_way_then_resume_equals_an_uninterrupted_run(
    tmp_path: Path, setup: tuple[Path, dict[str, str]]
) -> None:
    corpus, env = setup
    out = tmp_path / "killed"
    journal = out / "journal.jsonl"
    process = _launch(_argv(corpus, out), env)
    _wait_for_answers(journal, 8, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    assert not (out / "results.json").exists()  # it really died before the end
    journaled_ids = {json.loads(line)["vignette_id"]
                     for line in journal.read_text().splitlines()[1:] if line.endswith("}")}
    journaled = len(journaled_ids)
    assert 8 <= journaled < N

    # The resumed run logs its calls apart: the killed run's orphaned system may still finish
    # the request it held when the harness died.
    resumed = _launch(_argv(corpus, out, "--resume"),
                      {**env, "FAKE_TRIAGE_LOG": str(tmp_path / "resumed.log")})
    _, stderr = resumed.communicate(timeout=60)
    assert resumed.returncode == 0, stderr
    assert f"resuming: {journaled} of {N} answers" in stderr
    asked_again = {f"e-{int(line.split()[1]):04d}"
                   for line in (tmp_path / "resumed.log").read_text().splitlines()}
    assert _calls(tmp_path / "resumed.log") == N - journaled  # each missing answer asked once
    assert asked_again.isdisjoint(journaled_ids)  # nothing journaled is asked again

    baseline = json.loads((tmp_path / "baseline" / "results.json").read_text())
    result = json.loads((out / "results.json").read_text())
    assert _comparable(result) == _comparable(baseline)
    assert result["run"]["resumed"] == journaled and result["run"]["asked"] == N - journaled
    lines = journal.read_text().splitlines()
    assert len(lines) == 1 + N and all(json.loads(line) for line in lines)


def test_ctrl_c_keeps_the_answers_and_says_how_to_resume(
    tmp_path: Path, setup: tuple[Path, dict[str, str]]
) -> None:
    corpus, env = setup
    out = tmp_path / "interrupted"
    process = _launch(_argv(corpus, out), env)
    _wait_for_answers(out / "journal.jsonl", 4, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130
    assert "continue with --resume" in stderr and "Traceback" not in stderr
    # One line, said once: no second "interrupted", no traceback, no progress noise.
    assert len(stderr.splitlines()) == 1 and stderr.startswith("interrupted: "), stderr
    assert main(_argv(corpus, out, "--resume", "--no-progress")) == 0
    baseline = json.loads((tmp_path / "baseline" / "results.json").read_text())
    result = json.loads((out / "results.json").read_text())
    assert _comparable(result) == _comparable(baseline)
