"""`backtriage run` on the bundled corpus: the foundation's must-show figures and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main


def _run(tmp_path: Path, spec: str, *extra: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    out = tmp_path / spec.replace(":", "_")
    status = main(["run", "--system", spec, "--output", str(out), "--quiet", *extra])
    return status, json.loads((out / "results.json").read_text())


def test_reference_passes_with_no_critical_miss(tmp_path: Path) -> None:
    status, doc = _run(tmp_path, "reference")
    m = doc["metrics"]
    assert status == 0
    assert m["n_vignettes"] >= 40 and m["critical_misses"] == 0
    for key in (
        "n_vignettes",
        "n_emergency",
        "critical_misses",
        "major_misses",
        "over_imaging_rate",
        "error_rate",
    ):
        assert key in m
    assert len(doc["corpus"]["content_hash"]) == 64
    assert doc["system"]["spec"] == "reference" and doc["harness_version"]
    assert doc["started_at"] <= doc["finished_at"]
    assert [v["id"] for v in doc["vignettes"]] == sorted(v["id"] for v in doc["vignettes"])


def test_always_emergency_mri_misses_nothing_but_over_images_and_fails(tmp_path: Path) -> None:
    status, doc = _run(tmp_path, "baseline:always-emergency-mri")
    assert status == 1
    assert doc["metrics"]["critical_misses"] == 0
    assert doc["metrics"]["over_imaging_rate"] >= 0.9


def test_never_image_misses_every_emergency_and_fails(tmp_path: Path) -> None:
    status, doc = _run(tmp_path, "baseline:never-image")
    assert status == 1
    assert doc["metrics"]["critical_misses"] == doc["metrics"]["n_emergency"] > 0
    assert doc["metrics"]["over_imaging_rate"] == 0


def test_keyword_baseline_misses_lay_cauda_equina_cases(tmp_path: Path) -> None:
    _, doc = _run(tmp_path, "baseline:keyword")
    lay_ces_misses = [
        v
        for v in doc["vignettes"]
        if v["register"] == "lay"
        and "cauda_equina_syndrome" in v["expected"]["suspected_conditions"]
        and "critical_miss" in v["outcomes"]
    ]
    assert lay_ces_misses


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["run", "--system", "no-such-kind"], 2),
        (["run", "--system", "baseline:nope"], 2),
        (["run", "--system", "python:no_such_module_xyz:f"], 2),
        (["run", "--system", "reference", "--epochs", "0"], 2),
        (["run", "--system", "reference", "--policy", "/no/such/policy.yaml"], 2),
        (["run"], 2),
        (["frobnicate"], 2),
    ],
)
def test_bad_usage_exits_2(
    tmp_path: Path, argv: list[str], status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main([*argv, "--output", str(tmp_path)] if argv[0] == "run" and len(argv) > 1 else argv)
        == status
    )
    assert "Traceback" not in capsys.readouterr().err


def test_a_bad_policy_names_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    policy = tmp_path / "p.yaml"
    policy.write_text('schema_version: "1.0.0"\nname: x\nthresholds:\n  critical_mises: {max: 0}\n')
    assert (
        main(["run", "--system", "reference", "--policy", str(policy), "--output", str(tmp_path)])
        == 2
    )
    err = capsys.readouterr().err
    assert "p.yaml:/thresholds/critical_mises" in err and "unknown metric" in err


def test_a_crashing_system_is_scored_as_errors_not_a_harness_failure(
    tmp_path: Path, small_corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "crashy.py").write_text(
        "def triage(p):\n    raise RuntimeError('model exploded')\n"
    )
    monkeypatch.chdir(tmp_path)
    status, doc = _run(tmp_path, "python:crashy:triage", "--corpus", str(small_corpus_dir))
    assert status == 1
    assert doc["metrics"]["error_rate"] == 1.0 and doc["metrics"]["critical_misses"] == 1
    assert "model exploded" in doc["vignettes"][0]["answers"][0]["error"]


def test_config_file_settings_yield_to_cli_flags(tmp_path: Path, small_corpus_dir: Path) -> None:
    config = tmp_path / "bt.yaml"
    config.write_text(f"system: baseline:never-image\ncorpus: {small_corpus_dir}\nepochs: 2\n")
    out = tmp_path / "o"
    assert (
        main(
            [
                "run",
                "--config",
                str(config),
                "--system",
                "reference",
                "--output",
                str(out),
                "--quiet",
            ]
        )
        == 0
    )  # the reference answers every case of the small corpus correctly
    doc = json.loads((out / "results.json").read_text())
    assert doc["system"]["spec"] == "reference"  # flag beats file
    assert doc["options"]["epochs"] == 2  # file beats default
    assert doc["metrics"]["n_vignettes"] == 5
