"""An unreachable system is no safety result: the run stops early with exit 4, resumable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.engine import NoVerdict
from backtriage.harness.engine.availability import FIRST_CALLS, WINDOW, AvailabilityWatch
from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.model import Decision
from tests.support.engine_corpus import engine_corpus_dir
from tests.support.scripted_server import (
    Scripted,
    ScriptedServer,
    Sequence,
    openai_model,
    refused_url,
)

ROOT = Path(__file__).parent.parent
PASSWORD = "hunter2-password"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    status = main(["run", "--quiet", "--no-progress", *argv])
    return status, capsys.readouterr().err


def test_openai_on_a_closed_port_ends_quickly_with_exit_4_naming_the_url(tmp_path: Path) -> None:
    # Nothing listens on the port refused_url() picked (it bound the port, then let it go).
    url = refused_url().replace("http://", f"http://user:{PASSWORD}@") + "/v1"
    env = {**os.environ, "OPENAI_BASE_URL": url, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "out"
    process = subprocess.run(  # the whole bundled corpus; timeout bounds a hang, times nothing
        [sys.executable, "-m", "backtriage", "run", "--system", "openai:gpt-test",
         "--output", str(out)],
        env=env, capture_output=True, text=True, timeout=30, cwd=tmp_path,
    )
    assert process.returncode == 4, process.stderr
    port = url.rsplit(":", 1)[1].split("/")[0]
    where = f"http://[REDACTED]@127.0.0.1:{port}/v1/chat/completions"
    assert process.stderr.splitlines() == [
        f"backtriage: system unavailable: no verdict: openai:gpt-test: connection refused: "
        f"{where} ({FIRST_CALLS} call(s) in a row); 0 answer(s) kept in "
        f"{out / 'journal.jsonl'}; continue with --resume"
    ]
    assert PASSWORD not in process.stderr + process.stdout
    assert process.stdout == ""  # no scorecard: there is no verdict to show
    assert not (out / "results.json").exists()


@pytest.mark.parametrize(("status", "phrase"), [(401, "HTTP 401 Unauthorized"),
                                                (403, "HTTP 403 Forbidden"),
                                                (404, "HTTP 404 Not Found")])
def test_401_403_and_404_servers_end_with_exit_4(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], status: int, phrase: str
) -> None:
    corpus = engine_corpus_dir(tmp_path / "corpus", 40)
    with ScriptedServer(lambda r: Scripted(status, {"error": {"message": "nope"}})) as server:
        code, err = _run(capsys, "--system", "openai:gpt-test", "--output", str(tmp_path / "o"),
                         "--corpus", str(corpus), "--config", str(_config(tmp_path, server.url)))
    assert code == 4
    assert f"system unavailable: no verdict: openai:gpt-test: {phrase} from {server.url}" in err
    assert len(server.requests) <= FIRST_CALLS + 3  # the first calls, and those in flight
    assert not (tmp_path / "o" / "results.json").exists()


def _config(folder: Path, base_url: str) -> Path:
    path = folder / "bt.yaml"
    path.write_text(f"adapter:\n  base_url: {base_url}\n")
    return path


def test_a_system_that_goes_away_stops_after_a_window_and_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = engine_corpus_dir(tmp_path / "corpus", 40)
    out = tmp_path / "out"
    argv = ["--system", "openai:m", "--corpus", str(corpus), "--output", str(out),
            "--concurrency", "1"]
    # Five answers, then the key is revoked: 401 for ever after.
    script = Sequence([*[openai_model] * 5, Scripted(401, {"error": "revoked"})])
    with ScriptedServer(script) as server:
        config = str(_config(tmp_path, server.url))
        code, err = _run(capsys, *argv, "--config", config)
        assert code == 4 and "HTTP 401" in err
        assert "5 answer(s) kept" in err and "continue with --resume" in err
        assert script.calls == 5 + WINDOW
        server.script = openai_model  # a new key
        code, err = _run(capsys, *argv, "--resume", "--config", config)
    assert code == 0, err
    # The 401s are asked again, the five answers are not.
    assert len(server.requests) == 5 + WINDOW + 40 - 5
    doc = json.loads((out / "results.json").read_text())
    assert doc["run"]["resumed"] == 5 and doc["run"]["asked"] == 35
    assert all(v["answers"][0]["error"] is None for v in doc["vignettes"])


def _record(unavailable: bool, cached: bool = False) -> AnswerRecord:
    if unavailable:
        return AnswerRecord("v", 0, None, "SystemUnavailable: connection refused: http://x",
                            unavailable=True)
    return AnswerRecord("v", 0, Decision("self_care", "none", "nonspecific"), None, cached=cached)


def test_the_watch_stops_on_the_first_calls_or_a_window_never_on_isolated_failures() -> None:
    # The first calls all unreachable: stop at FIRST_CALLS (or sooner, in a smaller run).
    watch = AvailabilityWatch(jobs=100)
    assert [watch.observe(_record(True)) for _ in range(FIRST_CALLS)] == [False] * (
        FIRST_CALLS - 1) + [True]
    assert AvailabilityWatch(jobs=1).observe(_record(True))
    verdict = watch.verdict()
    assert isinstance(verdict, NoVerdict) and verdict.reason == "connection refused: http://x"
    # Once the system has answered, only a whole window of failures in a row stops the run;
    # cached answers say nothing either way.
    watch = AvailabilityWatch(jobs=100)
    watch.observe(_record(False))
    for _ in range(3):
        assert not any(watch.observe(_record(True)) for _ in range(WINDOW - 1))
        assert not watch.observe(_record(False))
    assert not watch.observe(_record(False, cached=True))
    assert [watch.observe(_record(True)) for _ in range(WINDOW)][-1]
