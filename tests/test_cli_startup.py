"""Start-up structure: a command imports what it runs, and nothing for the commands it does not.

Not timed (speed is measured by ``benchmarks/startup.py``): these tests fail when someone puts
a heavy import back at the top of the command line, or of a module it registers, by looking at
what a fresh interpreter has loaded after the command.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import backtriage
from backtriage.harness.cli import robustness_cmd
from backtriage.harness.cli.main import COMMANDS
from backtriage.harness.resources import corpus_dir
from backtriage.harness.robustness.transforms import TRANSFORMATIONS

THIRD_PARTY = ("jsonschema", "referencing", "yaml", "tabulate", "httpx", "hypothesis")
"""Libraries a command imports only when it uses them."""
MACHINERY = (
    "backtriage.harness.loading.corpus",
    "backtriage.harness.loading.schema_check",
    "backtriage.harness.loading.lexicon",
    "backtriage.harness.engine.session",
    "backtriage.harness.runs",
    "backtriage.harness.systems.registry",
    "backtriage.harness.extraction.",
    "backtriage.harness.mutation.",
    "backtriage.harness.robustness.",
    "backtriage.scoring.reports.",
    "backtriage.scoring.scorecard",
    "backtriage.scoring.policy",
)
"""Harness modules that load, validate, run or report; registering a command needs none."""
NOT_FOR_A_RUN = (
    "httpx",
    "hypothesis",
    "jsonschema",  # a valid file never meets the full validator: the compiled predicate says yes
    "referencing",
    "backtriage.harness.extraction.",
    "backtriage.harness.mutation.",
    "backtriage.harness.robustness.",
    "backtriage.harness.grading.grade",
    "backtriage.harness.runs.merge",
    "backtriage.harness.runs.population",
    "backtriage.scoring.compare",
    "backtriage.scoring.coverage",
    "backtriage.scoring.reports.html",
    "backtriage.scoring.reports.junit",
    "backtriage.scoring.reports.markdown",
)
"""What a plain reference run never uses: other commands' machinery, the network, reports
it was not asked for."""


def loaded_after(code: str) -> list[str]:
    """The modules a fresh interpreter holds after running ``code`` (with stdout discarded)."""
    script = (
        "import contextlib, io, json, sys\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        + "".join(f"    {line}\n" for line in code.splitlines())
        + "sys.__stdout__.write(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr[-3000:]
    modules: list[str] = json.loads(out.stdout)
    return modules


def matching(modules: list[str], names: tuple[str, ...]) -> list[str]:
    """The modules that are, or sit under, one of ``names`` (a trailing dot: under it only)."""
    return [
        m for m in modules
        for n in names
        if (m.startswith(n) if n.endswith(".") else m == n or m.startswith(n + "."))
    ]


@pytest.mark.parametrize("argv", [["--version"], ["--help"], [], ["no-such-command"]])
def test_the_top_level_loads_no_machinery(argv: list[str]) -> None:
    code = (
        "from backtriage.harness.cli.main import main\n"
        f"status = main({argv!r})\n"
    )
    modules = loaded_after(code)
    assert matching(modules, THIRD_PARTY) == []
    assert matching(modules, MACHINERY) == []


def test_every_command_help_loads_no_machinery() -> None:
    # argparse prints --help while parsing: every command's flags are registered and shown,
    # yet no command's handler has run, so nothing heavy may have been imported.
    names = [c.__name__.rsplit(".", 1)[1].removesuffix("_cmd").replace("_", "-")
             for c in COMMANDS]
    code = (
        "from backtriage.harness.cli.main import main\n"
        f"for name in {names!r}:\n"
        "    assert main([name, '--help']) == 0, name\n"
        "assert main(['corpus', 'stats', '--help']) == 0\n"
    )
    modules = loaded_after(code)
    assert matching(modules, THIRD_PARTY) == []
    assert matching(modules, MACHINERY) == []


@pytest.mark.parametrize("quiet", [False, True])
def test_a_reference_run_loads_only_what_it_uses(tmp_path: Path, quiet: bool) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(corpus_dir() / "sources.json", corpus)
    # One vignette that stands alone (a member of a contrast pair needs its partner).
    alone = next(f for f in sorted(corpus_dir().glob("*/*.json"))
                 if not any(t.startswith("contrast-")
                            for t in json.loads(f.read_text(encoding="utf-8")).get("tags", [])))
    shutil.copy(alone, corpus)
    argv = ["run", "--system", "reference", "--corpus", str(corpus),
            "--output", str(tmp_path / "out"), *(["--quiet"] if quiet else [])]
    modules = loaded_after(
        "from backtriage.harness.cli.main import main\n"
        f"status = main({argv!r})\n"
        "assert status in (0, 1), status\n"  # scored and gated
    )
    assert "backtriage.harness.runs.evaluation" in modules  # it did run
    assert matching(modules, NOT_FOR_A_RUN) == []
    # The quiet scorecard (a CI log) draws no table: tabulate is imported for tables only.
    assert ("tabulate" in modules) is not quiet


def test_importing_the_command_line_defines_every_command_cheaply() -> None:
    modules = loaded_after("import backtriage.harness.cli.main")
    assert matching(modules, THIRD_PARTY) == []
    assert matching(modules, MACHINERY) == []


def test_the_robustness_help_lists_every_transformation() -> None:
    assert tuple(t.name for t in TRANSFORMATIONS) == robustness_cmd.TRANSFORMATION_NAMES


def test_the_version_is_the_installed_one() -> None:
    # backtriage/_version.py is read at run time and by the build: an install made before the
    # version changed would print one version and record another in its metadata.
    try:
        installed = metadata.version("backtriage")
    except metadata.PackageNotFoundError:
        pytest.skip("backtriage is not installed")
    assert backtriage.__version__ == installed


def test_a_rerun_answered_from_the_cache_imports_no_http_client_event_loop_or_tls(
    tmp_path: Path,
) -> None:
    from tests.support.scripted_server import ScriptedServer, openai_model

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(corpus_dir() / "sources.json", corpus)
    alone = [f for f in sorted(corpus_dir().glob("*/*.json"))
             if not any(t.startswith("contrast-")
                        for t in json.loads(f.read_text(encoding="utf-8")).get("tags", []))]
    for f in alone[:3]:  # (a member of a contrast pair needs its partner)
        shutil.copy(f, corpus)
    with ScriptedServer(openai_model) as server:
        argv = ["run", "--system", "openai:m", "-M", f"base_url={server.url}",
                "--corpus", str(corpus), "--output", str(tmp_path / "out"),
                "--cache", str(tmp_path / "cache")]
        code = ("from backtriage.harness.cli.main import main\n"
                f"status = main({argv!r})\n"
                "assert status in (0, 1), status\n")
        first = loaded_after(code)
        asked = len(server.requests)
        again = loaded_after(code)
        assert len(server.requests) == asked > 0  # the rerun asked nothing
    assert "httpx" in first and "asyncio" in first
    assert "httpx" not in again and "asyncio" not in again
    assert "ssl" not in again  # (no TLS was made: http://, and no call at all)


def test_a_command_leaves_the_garbage_collector_as_it_found_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import gc

    from backtriage.harness.cli.main import YOUNG_GC_THRESHOLD, main

    before = gc.get_threshold()
    assert before[0] != YOUNG_GC_THRESHOLD
    assert main(["--version"]) == 0
    assert main(["no-such-command"]) == 2
    assert gc.get_threshold() == before
