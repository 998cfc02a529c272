"""Properties of the scorer, each stated as a sentence, over the bundled corpus's real labels.

The checks are plain functions of a scorer, so the last test can run them against a
deliberately broken scorer and show that they catch it: a property that no scorer can fail
would prove nothing.
"""

from __future__ import annotations

import itertools
import json
import math
import random
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.loading import Corpus, load_corpus
from backtriage.harness.model import Decision, Vignette
from backtriage.harness.runs.run_identity import miss_detector
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import InvalidAnswer
from backtriage.harness.vocabulary import urgency_rank
from backtriage.scoring.metrics import compute_metrics
from backtriage.scoring.outcomes import (
    CRITICAL_MISS,
    ERROR,
    MAJOR_MISS,
    OVER_IMAGING,
    Score,
    score_answer,
)
from backtriage.scoring.stats import rate
from backtriage.scoring.vignette_score import score_vignette

Scorer = Callable[[Vignette, Decision | None], Score]

URGENCIES = ("self_care", "routine", "urgent", "emergency")  # least to most urgent
IMAGING = ("none", "radiograph", "mri", "ct", "vascular")
CATEGORIES = (
    "serious_pathology",
    "radiculopathy",
    "spinal_stenosis",
    "nonspecific",
    "non_spinal",
)
MISS_TIERS = (CRITICAL_MISS, MAJOR_MISS)
PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@cache
def corpus() -> Corpus:
    return load_corpus()


vignettes = st.sampled_from(range(10_000)).map(lambda i: corpus().vignettes[i % len(corpus())])
decisions = st.builds(
    Decision,
    urgency=st.sampled_from(URGENCIES),
    imaging=st.sampled_from(IMAGING),
    category=st.sampled_from(CATEGORIES),
)


def with_urgency(answer: Decision, urgency: str) -> Decision:
    return Decision(urgency, answer.imaging, answer.category, answer.suspected_conditions)


# --- the properties, as functions of a scorer ---------------------------------------------


def check_perfect_answers_give_no_outcome(scorer: Scorer, vignette: Vignette) -> None:
    """The expected decision itself is never a miss, never over-imaging, never an error."""
    score = scorer(vignette, vignette.expected)
    assert score.outcomes == (), (vignette.id, score.outcomes)
    assert score.urgency_ok and score.imaging_ok


def check_a_miss_is_exactly_an_answer_below_every_acceptable_urgency(
    scorer: Scorer, vignette: Vignette, answer: Decision
) -> None:
    """An answer below every acceptable urgency is a miss of the expected tier; no other is."""
    below = urgency_rank(answer.urgency) < min(urgency_rank(u) for u in vignette.urgencies_accepted)
    score = scorer(vignette, answer)
    tier = {"emergency": CRITICAL_MISS, "urgent": MAJOR_MISS}.get(vignette.expected.urgency)
    assert score.under_triaged == below, (vignette.id, answer)
    if tier is not None:
        assert (tier in score.outcomes) == below, (vignette.id, answer, score.outcomes)
    assert not (set(score.outcomes) & set(MISS_TIERS) - {tier}), (vignette.id, score.outcomes)


def check_raising_urgency_never_adds_a_miss(
    scorer: Scorer, vignette: Vignette, answer: Decision
) -> None:
    """More urgent answers never add a critical or major miss; less urgent never remove one."""
    misses = [
        {o for o in scorer(vignette, with_urgency(answer, u)).outcomes if o in MISS_TIERS}
        for u in URGENCIES
    ]
    for lower, higher in itertools.pairwise(misses):
        assert higher <= lower, (vignette.id, answer, misses)


def check_an_error_is_never_better_than_a_valid_answer(
    scorer: Scorer, vignette: Vignette, answer: Decision
) -> None:
    """Every harm a valid answer can do on a vignette, an error on it does too (or worse)."""
    valid = scorer(vignette, answer)
    error = scorer(vignette, None)
    assert ERROR in error.outcomes and not error.correct
    missing = set(valid.outcomes) - set(error.outcomes)
    assert not missing, (vignette.id, answer, missing, error.outcomes)
    assert error.under_triaged or not valid.under_triaged


def _metrics(scorer: Scorer, pairs: Sequence[tuple[Vignette, Decision | None]]) -> dict[str, Any]:
    from backtriage.scoring import vignette_score

    original = vignette_score.score_answer
    vignette_score.score_answer = scorer  # type: ignore[assignment]
    try:
        return compute_metrics([score_vignette(v, [a]) for v, a in pairs])
    finally:
        vignette_score.score_answer = original  # type: ignore[assignment]


def check_metrics_do_not_depend_on_order(
    scorer: Scorer, pairs: Sequence[tuple[Vignette, Decision | None]], seed: int
) -> None:
    """Shuffling the vignettes of a run changes no metric."""
    shuffled = list(pairs)
    random.Random(seed).shuffle(shuffled)
    assert _canonical(_metrics(scorer, pairs)) == _canonical(_metrics(scorer, shuffled))


def check_any_partition_merges_to_the_whole(
    scorer: Scorer, pairs: Sequence[tuple[Vignette, Decision | None]], n_parts: int
) -> None:
    """Scoring the union of a run's shards gives the metrics of the unsharded run."""
    parts: list[list[tuple[Vignette, Decision | None]]] = [[] for _ in range(n_parts)]
    for i, pair in enumerate(pairs):
        parts[hash(pair[0].id) % n_parts if i % 2 else i % n_parts].append(pair)
    merged = [pair for part in parts for pair in part]
    assert _canonical(_metrics(scorer, merged)) == _canonical(_metrics(scorer, pairs))


def _canonical(metrics: dict[str, Any]) -> str:
    return json.dumps(metrics, sort_keys=True, default=str)


# --- the properties, on the real scorer ---------------------------------------------------


def test_perfect_answers_give_no_misses_and_full_accuracy() -> None:
    for vignette in corpus().vignettes:
        check_perfect_answers_give_no_outcome(score_answer, vignette)
    metrics = _metrics(score_answer, [(v, v.expected) for v in corpus().vignettes])
    assert metrics["critical_misses"] == 0 and metrics["errors"] == 0
    assert metrics["urgency_accuracy"] == 1.0 and metrics["imaging_accuracy"] == 1.0


@PROPERTY_SETTINGS
@given(vignette=vignettes, answer=decisions)
def test_a_miss_is_exactly_an_answer_below_every_acceptable_urgency(
    vignette: Vignette, answer: Decision
) -> None:
    check_a_miss_is_exactly_an_answer_below_every_acceptable_urgency(score_answer, vignette, answer)


@PROPERTY_SETTINGS
@given(vignette=vignettes, answer=decisions)
def test_raising_urgency_never_adds_a_miss_and_lowering_never_removes_one(
    vignette: Vignette, answer: Decision
) -> None:
    check_raising_urgency_never_adds_a_miss(score_answer, vignette, answer)


@PROPERTY_SETTINGS
@given(vignette=vignettes, answer=decisions)
def test_an_error_is_never_better_than_any_valid_answer(
    vignette: Vignette, answer: Decision
) -> None:
    check_an_error_is_never_better_than_a_valid_answer(score_answer, vignette, answer)


@PROPERTY_SETTINGS
@given(vignette=vignettes, answer=st.one_of(st.none(), decisions))
def test_the_running_count_of_misses_counts_what_scoring_calls_a_miss(
    vignette: Vignette, answer: Decision | None
) -> None:
    # The progress line counts misses with the under-triage tier alone; it must agree with
    # the full score on every answer, an error included.
    is_miss = miss_detector({vignette.id: vignette})
    record = AnswerRecord(vignette.id, 0, answer, None if answer else "failed")
    outcomes = score_answer(vignette, answer).outcomes
    assert is_miss(record) == (CRITICAL_MISS in outcomes or MAJOR_MISS in outcomes)


answered_runs = st.lists(
    st.tuples(vignettes, st.one_of(st.none(), decisions)),
    min_size=1,
    max_size=40,
    unique_by=lambda pair: pair[0].id,
)


@settings(max_examples=60, deadline=None)
@given(pairs=answered_runs, seed=st.integers(0, 2**32))
def test_metrics_do_not_depend_on_vignette_order(
    pairs: list[tuple[Vignette, Decision | None]], seed: int
) -> None:
    check_metrics_do_not_depend_on_order(score_answer, pairs, seed)


@settings(max_examples=60, deadline=None)
@given(pairs=answered_runs, n_parts=st.integers(1, 5))
def test_shards_of_a_run_merge_to_the_whole(
    pairs: list[tuple[Vignette, Decision | None]], n_parts: int
) -> None:
    # The file-level merge (read shards, check identity, re-score) is tested in test_shards.py;
    # this is the scoring half of it, over arbitrary partitions.
    check_any_partition_merges_to_the_whole(score_answer, pairs, n_parts)


@settings(max_examples=300, deadline=None)
@given(count=st.integers(0, 100_000), extra=st.integers(0, 100_000))
def test_every_interval_holds_its_point_estimate_and_lies_in_the_unit_interval(
    count: int, extra: int
) -> None:
    r = rate(count, count + extra)
    if count + extra == 0:
        assert r.value is None
        return
    assert r.low is not None and r.high is not None and r.value is not None
    assert 0.0 <= r.low <= r.value <= r.high <= 1.0
    assert not any(math.isnan(x) for x in (r.low, r.value, r.high))


@PROPERTY_SETTINGS
@given(pairs=answered_runs)
def test_every_reported_rate_interval_of_a_run_is_well_formed(
    pairs: list[tuple[Vignette, Decision | None]],
) -> None:
    for name, r in _metrics(score_answer, pairs)["rates"].items():
        if r["value"] is None:
            assert r["denominator"] == 0, name
            continue
        assert 0.0 <= r["ci95_low"] <= r["value"] <= r["ci95_high"] <= 1.0, (name, r)


json_trees = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=20,
)
near_decisions = st.fixed_dictionaries(
    {},
    optional={
        "urgency": st.sampled_from(URGENCIES) | json_trees,
        "imaging": st.sampled_from(IMAGING) | json_trees,
        "category": st.sampled_from(CATEGORIES) | json_trees,
        "suspected_conditions": st.lists(st.text(max_size=30), max_size=3) | json_trees,
        "rationale": json_trees,
    },
)


@settings(max_examples=300, deadline=None)
@given(obj=json_trees | near_decisions)
def test_any_malformed_decision_becomes_an_invalid_answer_never_a_crash(obj: Any) -> None:
    try:
        decision = decision_from_obj(obj)
    except InvalidAnswer:
        return  # scored as an error by the engine
    # Anything accepted is a well-formed decision in the closed vocabulary.
    assert decision.urgency in URGENCIES and decision.imaging in IMAGING
    assert decision.category in CATEGORIES


# --- the properties can fail --------------------------------------------------------------


def broken_scorer(vignette: Vignette, answer: Decision | None) -> Score:
    """A plausible bug: under-triage judged against the expected urgency minus one tier."""
    score = score_answer(vignette, answer)
    if answer is None:
        return score
    lenient = urgency_rank(vignette.expected.urgency) - 1
    if urgency_rank(answer.urgency) >= lenient:
        kept = tuple(o for o in score.outcomes if o not in MISS_TIERS)
        return Score(kept, True, score.imaging_ok, score.category_ok, score.conditions_ok, False)
    return score


def error_forgiving_scorer(vignette: Vignette, answer: Decision | None) -> Score:
    """Another: an error counted only as an error, not as the misses it stands for."""
    score = score_answer(vignette, answer)
    if answer is None:
        return Score((ERROR,), False, False, False, False, False)
    return score


def test_the_properties_catch_a_scorer_that_forgives_one_tier_of_under_triage() -> None:
    emergency = next(
        v
        for v in corpus().vignettes
        if v.expected.urgency == "emergency" and set(v.urgencies_accepted) == {"emergency"}
    )
    answer = Decision("urgent", emergency.expected.imaging, emergency.expected.category)
    with pytest.raises(AssertionError):
        check_a_miss_is_exactly_an_answer_below_every_acceptable_urgency(
            broken_scorer, emergency, answer
        )
    # and the real scorer holds on the same example
    check_a_miss_is_exactly_an_answer_below_every_acceptable_urgency(
        score_answer, emergency, answer
    )
    assert CRITICAL_MISS in score_answer(emergency, answer).outcomes
    assert CRITICAL_MISS not in broken_scorer(emergency, answer).outcomes


def test_the_properties_catch_a_scorer_that_lets_errors_leave_the_miss_counts() -> None:
    no_imaging = next(
        v for v in corpus().vignettes if v.imaging_not_indicated and not v.is_red_flag
    )
    answer = Decision("self_care", "mri", "nonspecific")
    assert OVER_IMAGING in score_answer(no_imaging, answer).outcomes
    with pytest.raises(AssertionError):
        check_an_error_is_never_better_than_a_valid_answer(
            error_forgiving_scorer, no_imaging, answer
        )
    check_an_error_is_never_better_than_a_valid_answer(score_answer, no_imaging, answer)
