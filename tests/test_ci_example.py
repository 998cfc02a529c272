"""The example GitHub Actions workflow stays in step with the CLI it calls."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import yaml

from backtriage.harness.cli.main import build_parser

WORKFLOW = Path(__file__).resolve().parents[1] / "examples" / "github-actions" / "backtriage.yml"


def _steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in doc["jobs"].values() for step in job["steps"]]


def _commands(doc: dict[str, Any]) -> list[str]:
    lines = [line.strip() for step in _steps(doc) for line in str(step.get("run", "")).splitlines()]
    return [line for line in lines if line.startswith("backtriage ")]


def test_the_workflow_shards_merges_gates_and_reports() -> None:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert doc["jobs"]["shard"]["strategy"]["matrix"]["shard"] == [1, 2, 3]
    assert doc["jobs"]["gate"]["needs"] == "shard"
    commands = _commands(doc)
    assert [c.split()[1] for c in commands] == ["run", "merge", "compare"]
    merge = commands[1]
    assert "--junit" in merge and "--markdown" in merge
    assert any("GITHUB_STEP_SUMMARY" in str(s.get("run", "")) for s in _steps(doc))
    assert any(
        "upload-artifact" in str(s.get("uses", "")) and s["with"]["path"] == "merged/"
        for s in _steps(doc)
    )


def test_every_backtriage_command_in_the_workflow_parses() -> None:
    doc = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    parser = build_parser()
    for command in _commands(doc):
        text = command.replace("${{ matrix.shard }}", "1").replace("$SHARDS", "3")
        args = parser.parse_args(shlex.split(text)[1:])
        assert args.handler
