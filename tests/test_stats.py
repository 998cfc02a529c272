"""Statistics: Wilson intervals, exact bounds and weighted kappa against known values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backtriage.scoring.stats import (
    exact_upper_bound,
    quadratic_weighted_kappa,
    rate,
    smallest_n_for_upper_bound,
    wilson_interval,
    zero_event_upper_bound,
)


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
        (10, 10, 0.7225, 1.0),
        (1, 100, 0.0018, 0.0545),
    ],
)
def test_wilson_matches_published_values(count: int, n: int, low: float, high: float) -> None:
    lo, hi = wilson_interval(count, n)
    assert lo == pytest.approx(low, abs=5e-4) and hi == pytest.approx(high, abs=5e-4)


def test_zero_misses_in_30_bounds_the_rate_near_the_rule_of_three() -> None:
    bound = zero_event_upper_bound(30)
    assert bound == pytest.approx(1 - 0.05 ** (1 / 30))
    assert bound == pytest.approx(3 / 30, rel=0.05)


def test_29_vignettes_are_needed_to_claim_a_miss_rate_under_ten_percent() -> None:
    assert smallest_n_for_upper_bound(0.10) == 29
    assert zero_event_upper_bound(29) < 0.10 < zero_event_upper_bound(28)  # type: ignore[operator]


def test_exact_upper_bound_agrees_with_the_binomial_tail() -> None:
    upper = exact_upper_bound(2, 40)
    assert upper is not None
    tail = sum(math.comb(40, i) * upper**i * (1 - upper) ** (40 - i) for i in range(3))
    assert tail == pytest.approx(0.05, abs=1e-6)


def test_an_empty_denominator_is_no_data_not_zero() -> None:
    r = rate(0, 0)
    assert r.value is None and r.low is None and r.high is None


def test_kappa_is_one_for_perfect_agreement_and_known_for_a_textbook_table() -> None:
    assert quadratic_weighted_kappa([(0, 0), (1, 1), (2, 2), (3, 3)], 4) == pytest.approx(1.0)
    # Ratings one level apart everywhere: kappa is well below 1 but above 0.
    pairs = [(0, 1), (1, 2), (2, 3), (3, 2), (0, 0), (3, 3)]
    assert 0 < quadratic_weighted_kappa(pairs, 4) < 1  # type: ignore[operator]
    assert quadratic_weighted_kappa([(1, 1), (1, 1)], 4) is None


@given(st.integers(1, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_wilson_interval_contains_the_estimate_within_zero_and_one(
    pair: tuple[int, int],
) -> None:
    count, n = pair
    lo, hi = wilson_interval(count, n)
    assert 0.0 <= lo <= count / n <= hi <= 1.0


@given(st.integers(1, 200))
def test_more_clean_vignettes_always_tighten_the_zero_miss_bound(n: int) -> None:
    assert zero_event_upper_bound(n + 1) < zero_event_upper_bound(n)  # type: ignore[operator]
