"""Engine settings on the command line and in config files: precedence, paths, bad values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from tests.support.engine_corpus import engine_corpus_dir
from tests.support.scripted_server import ScriptedServer, openai_model


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return engine_corpus_dir(tmp_path / "corpus", 4)


def _run(*argv: str) -> int:
    return main(["run", "--quiet", "--no-progress", *argv])


def test_flag_beats_config_which_beats_adapter_setting_and_default(
    corpus_dir: Path, tmp_path: Path
) -> None:
    config = tmp_path / "bt.yaml"
    config.write_text(f"system: reference\ncorpus: {corpus_dir}\nretries: 1\nretry_backoff: 0.5\n"
                      "max_total_seconds: 100\nadapter:\n  timeout: 7\n")
    out = tmp_path / "o"
    assert _run("--config", str(config), "--output", str(out)) == 0
    options = json.loads((out / "results.json").read_text())["options"]
    assert options["timeout"] == 7 and options["retries"] == 1 and options["backoff"] == 0.5
    assert options["max_total_seconds"] == 100
    config.write_text(config.read_text() + "timeout: 9\n")
    assert _run("--config", str(config), "--output", str(out)) == 0
    assert json.loads((out / "results.json").read_text())["options"]["timeout"] == 9
    assert _run("--config", str(config), "--output", str(out), "--timeout", "3",
                "--retries", "0") == 0
    options = json.loads((out / "results.json").read_text())["options"]
    assert options["timeout"] == 3 and options["retries"] == 0


def test_config_resume_and_cache_paths_relative_to_the_config_file(
    corpus_dir: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "prompt.txt").write_text("[user]\n$narrative\nJSON please.\n")
    with ScriptedServer(openai_model) as server:
        (folder / "bt.yaml").write_text(
            f"system: openai:m\ncorpus: {corpus_dir}\noutput: out\ncache: cache\nresume: true\n"
            f"adapter:\n  base_url: {server.url}\n  prompt_template: prompt.txt\n"
        )
        assert _run("--config", str(folder / "bt.yaml")) == 0
        assert _run("--config", str(folder / "bt.yaml")) == 0
    assert len(server.requests) == 4  # the second run resumed from the journal
    assert server.requests[0].json["messages"][-1]["content"].endswith("JSON please.")
    assert list((folder / "cache").rglob("*.jsonl"))
    doc = json.loads((folder / "out" / "results.json").read_text())
    assert doc["run"]["resumed"] == 4
    assert doc["system"]["prompt_template"]["version"] == "file:prompt.txt"


@pytest.mark.parametrize("argv", [
    ["--timeout", "0"], ["--retries", "-1"], ["--max-total-seconds", "0"],
    ["--retry-backoff", "-1"], ["--concurrency", "0"],
])
def test_out_of_range_values_exit_2(corpus_dir: Path, tmp_path: Path, argv: list[str]) -> None:
    assert _run("--system", "reference", "--corpus", str(corpus_dir),
                "--output", str(tmp_path / "o"), *argv) == 2


@pytest.mark.parametrize("line", ["retries: yes", "resume: 1", "cache: [a]", "progress: maybe"])
def test_wrong_types_in_the_config_exit_2(
    corpus_dir: Path, tmp_path: Path, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bt.yaml"
    config.write_text(f"system: reference\ncorpus: {corpus_dir}\n{line}\n")
    assert _run("--config", str(config), "--output", str(tmp_path / "o")) == 2
    assert "wrong type" in capsys.readouterr().err


def test_an_api_key_in_the_config_file_is_refused(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "bt.yaml"
    config.write_text(f"system: openai:m\ncorpus: {corpus_dir}\nadapter:\n"
                      "  base_url: http://127.0.0.1:9\n  api_key: sk-do-not-put-me-here\n")
    assert _run("--config", str(config), "--output", str(tmp_path / "o")) == 2
    err = capsys.readouterr().err
    assert "only from the environment" in err and "sk-do-not-put-me-here" not in err
