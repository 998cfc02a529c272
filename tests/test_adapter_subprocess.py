"""The subprocess (JSON lines) adapter against real child processes."""

from __future__ import annotations

import shlex
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.engine import run_system
from backtriage.harness.loading import Corpus
from backtriage.harness.systems import SpecError, resolve_system
from backtriage.harness.systems.adapters.subprocess_jsonl import SubprocessSystem
from tests.support.engine_corpus import engine_corpus
from tests.support.engine_helpers import outcomes, quick, run_all

SCRIPT = Path(__file__).parent / "support" / "fake_triage_cmd.py"


def cmd(mode: str) -> str:
    return f"cmd:{shlex.quote(sys.executable)} {shlex.quote(str(SCRIPT))} {mode}"


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    return engine_corpus(tmp_path / "corpus", 6)


@pytest.fixture
def log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "calls.log"
    monkeypatch.setenv("FAKE_TRIAGE_LOG", str(path))
    return path


def _pids(log: Path) -> set[str]:
    return {line.split()[0] for line in log.read_text().splitlines()}


def test_one_long_running_process_answers_every_presentation(corpus: Corpus, log: Path) -> None:
    records = run_all(resolve_system(cmd("ok")), corpus)
    assert outcomes(records) == ["emergency", "self_care", "self_care"] * 2
    assert len(log.read_text().splitlines()) == 6 and len(_pids(log)) == 1
    assert records[0].raw and records[0].raw.startswith('{"urgency": "emergency"')


def test_invalid_json_and_wrong_vocabulary_are_errors(corpus: Corpus) -> None:
    garbage = run_all(resolve_system(cmd("garbage")), corpus)
    assert all("not a valid decision" in (r.error or "") and '"answer": "urgent"' in (r.raw or "")
               for r in garbage)
    vocab = run_all(resolve_system(cmd("vocab")), corpus)
    assert all("urgency" in (r.error or "") and len(r.attempts) == 1 for r in vocab)


def test_a_process_that_crashes_mid_run_is_restarted(
    corpus: Corpus, log: Path, tmp_path: Path
) -> None:
    stderr_log = tmp_path / "stderr.log"
    system = resolve_system(cmd("crash"), {"stderr_log": str(stderr_log)})
    records = run_all(system, corpus, concurrency=1)
    assert outcomes(records) == ["emergency", "self_care", "self_care"] * 2
    failed = [a for r in records for a in r.attempts if not a.ok]
    assert len(failed) == 2  # the 3rd and 5th request each met a crash, then succeeded
    assert all("exited with status 3" in (a.error or "") for a in failed)
    assert all("fatal: simulated crash" in (a.error or "") for a in failed)  # stderr captured
    assert len(_pids(log)) == 3
    assert stderr_log.read_text().count("fatal: simulated crash") == 2


def test_a_hung_request_times_out_and_the_process_is_replaced(
    corpus: Corpus, log: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_TRIAGE_MARKER", str(tmp_path / "hung"))
    start = time.monotonic()
    records = run_all(resolve_system(cmd("hang-once"), {"timeout": 0.5}), corpus, concurrency=1)
    assert time.monotonic() - start < 5
    assert outcomes(records) == ["emergency", "self_care", "self_care"] * 2
    first = records[0].attempts
    assert [a.ok for a in first] == [False, True]
    assert "no reply within 0.5 s" in (first[0].error or "")
    assert len(_pids(log)) == 1  # the hung process never answered: it was killed


def test_several_processes_serve_calls_in_parallel(
    corpus: Corpus, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLOW_SECONDS", "0.2")
    start = time.monotonic()
    records = run_all(resolve_system(cmd("slow"), {"processes": 3}), corpus, concurrency=3)
    elapsed = time.monotonic() - start
    assert outcomes(records) == ["emergency", "self_care", "self_care"] * 2
    assert len(_pids(log)) == 3 and elapsed < 6 * 0.3


def test_close_stops_every_process(corpus: Corpus) -> None:
    system = resolve_system(cmd("ok"), {"processes": 2})
    assert isinstance(system, SubprocessSystem)
    run_system(system, corpus.vignettes, quick(concurrency=2))
    popens: list[Any] = [p.popen for p in system._pool._all]
    assert len(popens) == 2 and all(p.poll() is None for p in popens)
    system.close()
    assert all(p.poll() is not None for p in popens)


@pytest.mark.parametrize("spec", ["cmd:", "cmd:/no/such/program --flag", "cmd:'unbalanced"])
def test_a_command_that_cannot_start_is_a_spec_error(spec: str) -> None:
    with pytest.raises(SpecError):
        resolve_system(spec)


def test_cli_exit_2_for_a_bad_command(
    tmp_path: Path, small_corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["run", "--system", "cmd:/no/such/program", "--output", str(tmp_path / "o"),
                   "--corpus", str(small_corpus_dir)])
    assert status == 2 and "cannot start" in capsys.readouterr().err


def test_the_cli_runs_one_process_per_call_in_flight_unless_told(
    tmp_path: Path, log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.support.engine_corpus import engine_corpus_dir

    # Each answer takes long enough that three calls are in flight at once; with instant
    # answers a fast machine serves them all from two copies (a live copy is reused first).
    monkeypatch.setenv("SLOW_SECONDS", "0.2")
    corpus = engine_corpus_dir(tmp_path / "c", 9)
    argv = ["run", "--system", cmd("slow"), "--corpus", str(corpus), "--quiet", "--no-progress"]
    assert main([*argv, "--concurrency", "3", "--output", str(tmp_path / "a")]) == 0
    assert len(_pids(log)) == 3
    log.unlink()
    config = tmp_path / "bt.yaml"
    config.write_text("adapter:\n  processes: 1\n")
    assert main([*argv, "--concurrency", "3", "--config", str(config),
                 "--output", str(tmp_path / "b")]) == 0
    assert len(_pids(log)) == 1
