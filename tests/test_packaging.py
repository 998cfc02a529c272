"""The wheel carries the corpus, schemas and policies, so an installed package works anywhere."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_bundles_data_and_runs_from_an_unrelated_folder(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("backtriage-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    assert "harness/_bundled/schemas/vignette.schema.json" in names
    assert "harness/_bundled/vignettes/sources.json" in names
    assert "harness/_bundled/policies/default.yaml" in names
    assert "harness/loading/consistency_lexicon.yaml" in names
    assert "harness/loading/consistency_allowances.yaml" in names
    assert "harness/systems/adapters/prompts/triage-v1.txt" in names  # the LLM prompt template
    n_source = len([p for p in (ROOT / "vignettes").rglob("*.json") if p.name != "sources.json"])
    assert (
        sum(1 for n in names if n.startswith("harness/_bundled/vignettes/") and n.endswith(".json"))
        == n_source + 1
    )

    probe = (
        "import harness.resources as r, harness\n"
        "from harness.loading import load_corpus\n"
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
