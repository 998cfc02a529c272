"""Run metrics: stated denominators, errors kept in them, strata reported apart."""

from __future__ import annotations

from pathlib import Path

from backtriage.harness.engine import AnswerRecord, EngineOptions
from backtriage.harness.loading import load_corpus
from backtriage.harness.model import Decision
from backtriage.harness.runs.evaluation import result_from_records
from backtriage.scoring.policy import load_policy


def _result(corpus_dir: Path, answers: dict[str, Decision | None]):  # type: ignore[no-untyped-def]
    corpus = load_corpus([corpus_dir])
    records = [
        AnswerRecord(
            v.id,
            0,
            answers.get(v.id, v.expected),
            None if answers.get(v.id, v.expected) else "boom",
        )
        for v in corpus.vignettes
    ]
    return result_from_records("test", {}, corpus, EngineOptions(), load_policy(), records, "t0")


def test_perfect_answers_give_zero_misses_and_full_accuracy(small_corpus_dir: Path) -> None:
    m = _result(small_corpus_dir, {}).metrics["all"]
    assert m["n_vignettes"] == 5 and m["n_emergency"] == 1
    assert m["critical_misses"] == 0 and m["urgency_accuracy"] == 1.0
    assert m["critical_miss_upper95"] == 0.95  # 0 of 1: a very weak claim, and it says so
    assert m["rates"]["critical_miss_rate"]["denominator_is"] == "emergency vignettes"


def test_an_error_stays_in_every_denominator(small_corpus_dir: Path) -> None:
    m = _result(small_corpus_dir, {"t-emergency": None, "t-selfcare": None}).metrics["all"]
    assert m["rates"]["error_rate"]["denominator"] == 5 and m["errors"] == 2
    assert m["critical_misses"] == 1
    assert m["rates"]["over_imaging_rate"]["count"] == 1  # the self-care error counts against
    assert m["rates"]["urgency_accuracy"]["count"] == 3
    assert m["urgency_confusion"]["emergency"]["error"] == 1


def test_consensus_and_contested_are_reported_apart(small_corpus_dir: Path) -> None:
    wrong = Decision("emergency", "mri", "serious_pathology")
    by = _result(small_corpus_dir, {"t-contested": wrong}).metrics
    assert by["contested"]["n_vignettes"] == 1 and by["consensus"]["n_vignettes"] == 4
    assert by["contested"]["rates"]["over_triage_rate"]["count"] == 1
    assert by["consensus"]["rates"]["over_triage_rate"]["count"] == 0


def test_per_condition_sensitivity_counts_under_triage(small_corpus_dir: Path) -> None:
    late = Decision("routine", "mri", "serious_pathology", ("malignancy",))
    per = _result(small_corpus_dir, {"t-urgent": late}).metrics["all"]["per_condition"]
    assert per["malignancy"]["sensitivity"]["value"] == 0.0
    assert per["cauda_equina_syndrome"]["sensitivity"]["value"] == 1.0


def test_gates_fail_on_a_critical_miss_under_the_default_policy(small_corpus_dir: Path) -> None:
    result = _result(
        small_corpus_dir, {"t-emergency": Decision("self_care", "none", "nonspecific")}
    )
    assert not result.passed
    assert any(not g.passed and g.name.startswith("critical_misses") for g in result.gates)


def test_the_flat_metric_names_are_exactly_what_compute_metrics_writes(
    small_corpus_dir: Path,
) -> None:
    from backtriage.scoring.metrics import FLAT_METRICS, RATE_METRICS

    m = _result(small_corpus_dir, {}).metrics["all"]
    flat = {k for k, v in m.items() if not isinstance(v, dict)}
    assert flat == set(FLAT_METRICS)
    assert set(RATE_METRICS) == set(m["rates"])


def test_a_quiet_scorecard_keeps_only_headlines_and_gates(small_corpus_dir: Path) -> None:
    from backtriage.harness.runs import results_document
    from backtriage.scoring.scorecard import QUIET_PREFIXES, render_scorecard

    doc = results_document(_result(small_corpus_dir, {}))
    quiet = render_scorecard(doc, quiet=True).splitlines()
    assert quiet and all(line.startswith(QUIET_PREFIXES) for line in quiet)
    assert quiet[0].startswith("SAFETY") and any(line.startswith("GATES") for line in quiet)
    assert len(render_scorecard(doc).splitlines()) > len(quiet)


def test_contrast_consistency_counts_pairs_with_both_members_right(tmp_path: Path) -> None:
    from tests.support.factory import make_vignette, write_corpus

    pair = [
        make_vignette("t-pair-absent", "self_care"),
        make_vignette(
            "t-pair-present",
            "emergency",
            "mri",
            "serious_pathology",
            ("cauda_equina_syndrome",),
            findings={"bladder": ["retention"]},
        ),
        make_vignette("t-other", "self_care"),
    ]
    for v in pair[:2]:
        v["tags"] = ["test", "contrast-saddle"]
    folder = write_corpus(tmp_path / "c", pair)
    right = _result(folder, {}).metrics["all"]
    assert right["contrast_consistency"] == 1.0
    assert right["rates"]["contrast_consistency"]["denominator"] == 1
    one_wrong = _result(folder, {"t-pair-present": Decision("self_care", "none", "nonspecific")})
    assert one_wrong.metrics["all"]["contrast_consistency"] == 0.0
