"""Gate policies: the shipped policies, validation with clear errors, and the documented format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.loading import InputError
from backtriage.harness.loading.schema_check import schema_problems
from backtriage.harness.resources import policies_dir
from backtriage.scoring.gates import apply_gates, not_applied_without_data
from backtriage.scoring.policy import (
    GATEABLE_METRICS,
    bundled_policy_names,
    load_policy,
    policy_from_dict,
)

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_policies_load_by_name_and_by_path() -> None:
    assert {"default", "release", "development"} <= set(bundled_policy_names())
    for name in ("default", "release", "development"):
        assert load_policy(name).name == name
        assert load_policy(policies_dir() / f"{name}.yaml").name == name


def test_the_release_policy_is_strict() -> None:
    release = load_policy("release")
    assert release.scope == "consensus"
    assert release.thresholds["critical_misses"].max == 0
    assert release.thresholds["critical_miss_upper95"].max is not None
    assert release.thresholds["error_rate"].max == 0
    assert release.per_condition_min_sensitivity["cauda_equina_syndrome"] == 1.0
    assert release.per_condition_min_sensitivity["spinal_cord_compression"] == 1.0
    assert release.compare["no_new_critical_misses"] is True
    assert release.compare["max_over_imaging_rise_points"] <= 2


def test_the_development_policy_is_more_lenient_than_release() -> None:
    dev, release = load_policy("development"), load_policy("release")
    assert not dev.per_condition_min_sensitivity
    assert dev.thresholds["over_imaging_rate"].max > release.thresholds["over_imaging_rate"].max  # type: ignore[operator]
    assert dev.compare["no_new_critical_misses"] is True  # lenient, but no safety regression


def test_a_policy_round_trips_through_its_document_form() -> None:
    for name in ("default", "release", "development"):
        policy = load_policy(name)
        doc = policy.to_dict()
        assert not schema_problems("policy", doc, "x")
        again = policy_from_dict(doc, policy.source)
        assert again == policy


def _problems(data: Any) -> list[str]:
    with pytest.raises(InputError) as exc:
        policy_from_dict(data, "p.yaml")
    return [str(p) for p in exc.value.problems]


BASE: dict[str, Any] = {"schema_version": "1.0.0", "name": "p"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {**BASE, "thresholds": {"critical_misses": 0}},
            "p.yaml:/thresholds/critical_misses: "
            "a threshold is a bound, e.g. {max: 0} or {min: 0}; got 0",
        ),
        (
            {**BASE, "thresholds": {"critical_misses": {"maximum": 0}}},
            "p.yaml:/thresholds/critical_misses: a threshold takes only 'max' and 'min'",
        ),
        (
            {**BASE, "thresholds": {"over_imaging_rate": {"max": 10}}},
            "p.yaml:/thresholds/over_imaging_rate/max: "
            "over_imaging_rate is a proportion in [0, 1], got 10 (write 0.1 for 10%)",
        ),
        (
            {**BASE, "thresholds": {"urgency_accuracy": {"min": 0.9, "max": 0.5}}},
            "p.yaml:/thresholds/urgency_accuracy: min 0.9 is above max 0.5: no value passes",
        ),
        (
            {**BASE, "thresholds": {"critical_mises": {"max": 0}}},
            "p.yaml:/thresholds/critical_mises: unknown metric 'critical_mises'",
        ),
        (
            {**BASE, "thresholds": {}, "scope": "everything"},
            "p.yaml:/scope: 'everything' is not one of",
        ),
        (
            {**BASE, "thresholds": {}, "per_condition_min_sensitivity": {"cauda": 1}},
            "p.yaml:/per_condition_min_sensitivity",
        ),
        (
            {**BASE, "thresholds": {}, "per_condition_min_sensitivity": {"malignancy": 1.5}},
            "p.yaml:/per_condition_min_sensitivity/malignancy: "
            "1.5 is greater than the maximum of 1",
        ),
        (
            {**BASE, "thresholds": {}, "compare": {"no_new_critical_misses": "yes"}},
            "p.yaml:/compare/no_new_critical_misses: 'yes' is not of type 'boolean'",
        ),
        (
            {**BASE, "thresholds": {}, "compare": {"no_new_misses": True}},
            "p.yaml:/compare: unknown field",
        ),
        ({**BASE, "threshold": {}}, "p.yaml:/thresholds: required field is missing"),
        ("just text", "p.yaml: 'just text' is not of type 'object'"),
    ],
)
def test_invalid_policies_are_reported_clearly(data: Any, expected: str) -> None:
    problems = _problems(data)
    assert any(expected in p for p in problems), problems


def test_a_missing_policy_file_names_the_bundled_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_policy(tmp_path / "nope.yaml")
    assert "bundled policies: default, development, release" in str(exc.value)


def test_a_gate_without_data_fails_unless_the_run_is_partial() -> None:
    policy = policy_from_dict({**BASE, "thresholds": {"critical_miss_upper95": {"max": 0.1}}})
    metrics: dict[str, dict[str, Any]] = {
        "consensus": {"critical_miss_upper95": None, "per_condition": {}}
    }
    (gate,) = apply_gates(policy, metrics)
    assert not gate.passed and "cannot pass" in gate.detail
    (relaxed,) = not_applied_without_data([gate], "no vignettes in shard 1/3")
    assert relaxed.passed and relaxed.detail.endswith("no vignettes in shard 1/3, not applied")


def test_the_policy_documentation_covers_every_metric_and_setting() -> None:
    doc = (ROOT / "docs" / "policies.md").read_text(encoding="utf-8")
    for metric in GATEABLE_METRICS:
        assert f"`{metric}`" in doc, metric
    for key in (
        "scope",
        "per_condition_min_sensitivity",
        "no_new_critical_misses",
        "no_new_major_misses",
        "max_over_imaging_rise_points",
        "release",
        "development",
    ):
        assert key in doc, key
