"""`backtriage corpus stats`: coverage counts and the safety claims each stratum supports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.loading import load_corpus
from backtriage.scoring.coverage import coverage, stratum
from backtriage.scoring.coverage_report import render_coverage
from backtriage.scoring.stats import smallest_n_for_upper_bound
from tests.support.factory import emergency_vignette, make_vignette, write_corpus


def _tagged(data: dict[str, Any], *tags: str, register: str | None = None) -> dict[str, Any]:
    data["tags"] = [*data["tags"], *tags]
    if register:
        data["register"] = register
    return data


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """3 cauda equina emergencies (one lay, one a trap), 2 urgent malignancies, 1 routine
    radiculopathy (contested), 2 self-care nonspecific (one a trap, one lay)."""
    return write_corpus(tmp_path / "small", [
        emergency_vignette("t-ces-1"),
        _tagged(emergency_vignette("t-ces-2"), register="lay"),
        _tagged(emergency_vignette("t-ces-3"), "trap"),
        make_vignette("t-mal-1", "urgent", "mri", "serious_pathology", ("malignancy",),
                      findings={"cancer_history": True}),
        make_vignette("t-mal-2", "urgent", "mri", "serious_pathology", ("malignancy",),
                      findings={"cancer_history": True, "age": 70}),
        make_vignette("t-rad", "routine", "none", "radiculopathy", label_status="contested",
                      acceptable={"imaging": ["mri"], "urgency": ["urgent"]},
                      findings={"leg_pain": "one_side"}),
        _tagged(make_vignette("t-ns-1"), "trap"),
        _tagged(make_vignette("t-ns-2"), register="lay"),
    ])


def test_counts_of_a_small_corpus(small: Path) -> None:
    corpus = load_corpus([small])
    cov = coverage(corpus.vignettes, corpus.roots)
    assert cov.total == 8
    assert cov.category_by_urgency["serious_pathology"] == {
        "emergency": 3, "urgent": 2, "routine": 0, "self_care": 0
    }
    assert cov.category_by_urgency["radiculopathy"]["routine"] == 1
    assert cov.category_by_urgency["nonspecific"]["self_care"] == 2
    assert sum(sum(row.values()) for row in cov.category_by_urgency.values()) == 8
    assert cov.by_condition["cauda_equina_syndrome"] == 3
    assert cov.by_condition["malignancy"] == 2
    assert cov.by_condition["herpes_zoster"] == 0  # a gap shows as a zero
    assert cov.by_condition["(none)"] == 3
    # The contested radiculopathy counts among all vignettes but not among consensus ones.
    assert cov.consensus_by_condition["(none)"] == 2
    assert cov.consensus_by_condition["cauda_equina_syndrome"] == 3
    assert cov.by_register == {"clinician": 6, "lay": 2}
    assert cov.by_label_status == {"consensus": 7, "contested": 1}
    assert cov.by_review_status == {"draft": 8, "reviewed": 0, "validated": 0}
    assert cov.traps == 2 and cov.traps_by_urgency["emergency"] == 1
    assert cov.by_area == {".": 8}


def test_strata_give_the_exact_zero_miss_bound(small: Path) -> None:
    corpus = load_corpus([small])
    strata = {(s.kind, s.name): s for s in coverage(corpus.vignettes).strata}
    ces = strata[("condition", "cauda_equina_syndrome")]
    assert ces.n == 3
    assert ces.claim() == (
        "cauda_equina_syndrome: n=3, 0 misses would bound the miss rate below 63.2% (95%)"
    )
    assert ces.warning() is not None and "needs n >= 29 (26 more)" in (ces.warning() or "")
    # self care cannot be under-triaged: no claim and no warning
    self_care = strata[("urgency", "self_care")]
    assert self_care.total == 2 and self_care.n == 0 and self_care.warning() is None
    # a category mixing self care and routine counts only what can be missed
    assert strata[("category", "nonspecific")].n == 0
    assert strata[("emergency", "all emergency vignettes")].n == 3
    # a condition with no vignette at all is the weakest stratum of all
    zoster = strata[("condition", "herpes_zoster")]
    assert zoster.n == 0 and "no claim at all" in (zoster.warning() or "")


def test_the_brief_s_example_and_the_29_vignette_boundary() -> None:
    assert smallest_n_for_upper_bound(0.10) == 29
    ces = stratum("condition", "cauda_equina_syndrome", _emergencies(37), 0.10)
    assert ces.claim() == (
        "cauda_equina_syndrome: n=37, 0 misses would bound the miss rate below 7.8% (95%)"
    )
    assert stratum("urgency", "emergency", _emergencies(29), 0.10).supports_target
    assert not stratum("urgency", "emergency", _emergencies(28), 0.10).supports_target


def _emergencies(n: int) -> list[Any]:
    from backtriage.harness.model import Vignette

    return [Vignette.from_dict(emergency_vignette(f"t-{i}")) for i in range(n)]


def test_table_output_and_exit_0(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "stats", str(small)]) == 0
    out = capsys.readouterr().out
    assert "CATEGORY X EXPECTED URGENCY" in out
    assert "cauda_equina_syndrome: n=3, 0 misses would bound the miss rate below 63.2% (95%)" in out
    assert "WARNING condition cauda_equina_syndrome" in out
    assert "TRAPS (TAG 'TRAP'): 2" in out


def test_json_output(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "stats", str(small), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["total"] == 8 and doc["needed_n"] == 29
    assert doc["category_by_urgency"]["serious_pathology"]["emergency"] == 3
    assert doc["traps"] == {"total": 2, "by_urgency": {
        "emergency": 1, "urgent": 0, "routine": 0, "self_care": 1}}
    ces = next(s for s in doc["strata"] if s["name"] == "cauda_equina_syndrome")
    assert ces["n"] == 3 and abs(ces["upper95_if_no_misses"] - 0.6316) < 1e-3
    assert any("cauda_equina_syndrome" in w for w in doc["warnings"])


def test_markdown_output(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus", "stats", str(small), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Corpus coverage: 8 vignettes")
    assert "## Safety-claim strength" in out and "| category" in out
    assert "- condition cauda_equina_syndrome: n=3" in out


def test_an_invalid_corpus_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_corpus(tmp_path / "bad", [make_vignette("t-ok")])
    (folder / "broken.json").write_text("{", encoding="utf-8")
    assert main(["corpus", "stats", str(folder)]) == 2
    assert "broken.json" in capsys.readouterr().err


def test_a_missing_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["corpus"]) == 2


def test_the_bundled_corpus_renders_in_every_format() -> None:
    corpus = load_corpus()
    cov = coverage(corpus.vignettes, corpus.roots)
    for fmt in ("table", "markdown", "json"):
        assert str(cov.total) in render_coverage(cov, fmt)
    with pytest.raises(ValueError):
        render_coverage(cov, "html")
