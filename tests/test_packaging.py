"""The wheel carries the corpus, schemas and policies, so an installed package works anywhere."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = "backtriage/_bundled/vignettes/"


@pytest.fixture(scope="module")
def wheel_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Build the wheel once and unpack it as an installed site folder; also its file names."""
    root = tmp_path_factory.mktemp("wheel")
    # Build from a copy: setuptools builds in the source tree, and two xdist workers building
    # in one tree at once break each other's build folder.
    source = root / "source"
    shutil.copytree(
        ROOT,
        source,
        symlinks=True,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "build", "*.egg-info", "__pycache__", ".hypothesis", "backtriage-out"
        ),
    )
    wheels = root / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("backtriage-*.whl")
    site = root / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    return site, names


def test_the_wheel_bundles_data_and_runs_from_an_unrelated_folder(
    tmp_path: Path, wheel_site: tuple[Path, list[str]]
) -> None:
    site, names = wheel_site
    assert "backtriage/_bundled/schemas/vignette.schema.json" in names
    assert "backtriage/_bundled/vignettes/sources.json" in names
    assert "backtriage/_bundled/policies/default.yaml" in names
    assert "backtriage/harness/loading/consistency_lexicon.yaml" in names
    # the HTML report's style and script, inlined into every report
    assert "backtriage/scoring/reports/html/report.css" in names
    assert "backtriage/scoring/reports/html/report.js" in names
    assert "backtriage/harness/loading/consistency_allowances.yaml" in names
    # the LLM prompt template
    assert "backtriage/harness/systems/adapters/prompts/triage-v2.txt" in names
    # free-text and judge prompts, and the extractor's labelled validation set
    for prompt in ("answer-lay-v1", "answer-clinician-v1", "judge-v1"):
        assert f"backtriage/harness/systems/adapters/prompts/{prompt}.txt" in names
    for labelled in ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9"):
        assert f"backtriage/harness/extraction/labelled/{labelled}.jsonl" in names
    # Every data file the packages read ships, not only the ones named above: the mutants
    # command's equivalents list was missing from the wheel, so it failed when installed.
    for package in ("harness", "scoring"):
        for data in (ROOT / package).rglob("*"):
            if data.is_file() and data.suffix not in (".py", ".pyc") and \
                    "__pycache__" not in data.parts:
                assert f"backtriage/{data.relative_to(ROOT).as_posix()}" in names, data
    n_source = len([p for p in (ROOT / "vignettes").rglob("*.json") if p.name != "sources.json"])
    assert sum(1 for n in names if n.startswith(BUNDLED) and n.endswith(".json")) == n_source + 1

    probe = (
        "import backtriage.harness.resources as r\n"
        "from backtriage.harness.loading import load_corpus\n"
        "assert '_bundled' in str(r.corpus_dir()), r.corpus_dir()\n"
        "print(len(load_corpus()))\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=elsewhere,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) == n_source


def test_the_wheel_claims_one_import_name_and_agrees_on_its_version(
    tmp_path: Path, wheel_site: tuple[Path, list[str]]
) -> None:
    site, _ = wheel_site
    top_level = sorted(p.name for p in site.iterdir() if not p.name.endswith(".dist-info"))
    assert top_level == ["backtriage"]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}

    def python(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    version = python("-c", "import backtriage; print(backtriage.__version__)")
    assert version.returncode == 0, version.stderr
    from_main = python("-m", "backtriage", "--version")
    assert from_main.returncode == 0, from_main.stderr
    assert from_main.stdout.strip() == f"backtriage {version.stdout.strip()}"
    for generic in ("harness", "scoring"):
        assert python("-c", f"import {generic}").returncode != 0, generic


def test_a_project_with_its_own_harness_and_scoring_packages_still_tests_green(
    tmp_path: Path, wheel_site: tuple[Path, list[str]]
) -> None:
    # The pytest11 entry point of the installed backtriage loads in every pytest session of the
    # environment; it must never import a top-level ``harness`` or ``scoring`` of the user's.
    site, _ = wheel_site
    project = tmp_path / "userproject"
    for package in ("harness", "scoring"):
        (project / package).mkdir(parents=True)
        (project / package / "__init__.py").write_text(f"NAME = {package!r}\n")
    (project / "test_mine.py").write_text(
        "from harness import NAME\nfrom scoring import NAME as OTHER\n\n"
        "def test_mine():\n    assert (NAME, OTHER) == ('harness', 'scoring')\n"
    )
    env = {"PYTHONPATH": f"{project}:{site}", "PATH": "/usr/bin:/bin"}

    def pytest_in_project(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    # The plugin is really loaded in that session (or this test could not fail) ...
    assert "--backtriage-system" in pytest_in_project("--help").stdout
    # ... and the user's own suite runs green beside it.
    out = pytest_in_project("-q", "test_mine.py")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed" in out.stdout


def test_no_source_file_imports_a_generic_top_level_name() -> None:
    # From a checkout, ``import harness`` happens to work (the folder is on sys.path) and would
    # load a second copy of every module; only ``backtriage.*`` exists once installed.
    import re

    generic = re.compile(r"^\s*(?:from|import)\s+(?:harness|scoring)\b", re.MULTILINE)
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("backtriage", "harness", "scoring", "tests", "benchmarks", "examples")
        for path in (ROOT / folder).rglob("*.py")
        if generic.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
