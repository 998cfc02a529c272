"""Statistics: Wilson intervals, exact bounds and weighted kappa against known values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backtriage.scoring.stats import (
    _binom_cdf,
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


# Clopper-Pearson at any size: the log-space bound against scipy's beta quantile.

_GRID_N = [1, 2, 5, 10, 29, 30, 100, 361, 1000, 2000, 10_000, 100_000]


def _grid_counts(n: int) -> list[int]:
    return sorted({0, 1, 2, 5, n // 100, n // 10, n // 4, n // 2, n - 1, n} & set(range(n + 1)))


@pytest.mark.parametrize("confidence", [0.95, 0.99])
@pytest.mark.parametrize("n", _GRID_N)
def test_the_exact_upper_bound_matches_scipy_clopper_pearson_at_every_size(
    n: int, confidence: float
) -> None:
    from scipy.stats import beta  # test-only reference, imported here as it is slow to load
    for count in _grid_counts(n):
        ours = exact_upper_bound(count, n, confidence)
        expected = 1.0 if count == n else float(beta.ppf(confidence, count + 1, n - count))
        assert ours == pytest.approx(expected, rel=1e-8, abs=1e-12), (count, n)


def test_500_misses_of_2000_give_a_bound_not_an_overflow() -> None:
    upper = exact_upper_bound(500, 2000)
    assert upper is not None and 0.25 < upper < 0.27


@given(st.integers(1, 100_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_the_exact_upper_bound_lies_between_the_estimate_and_one(pair: tuple[int, int]) -> None:
    count, n = pair
    upper = exact_upper_bound(count, n)
    assert upper is not None and count / n <= upper <= 1.0


@given(st.integers(2, 100_000).flatmap(lambda n: st.tuples(st.integers(0, n - 1), st.just(n))))
def test_one_more_miss_never_lowers_the_exact_upper_bound(pair: tuple[int, int]) -> None:
    count, n = pair
    assert exact_upper_bound(count + 1, n) >= exact_upper_bound(count, n)  # type: ignore[operator]


def test_the_log_space_binomial_cdf_agrees_with_the_direct_sum_where_that_is_safe() -> None:
    for k, n, p in [(0, 10, 0.3), (3, 10, 0.3), (9, 10, 0.5), (2, 40, 0.05), (20, 60, 0.9)]:
        direct = sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))
        assert _binom_cdf(k, n, p) == pytest.approx(direct, rel=1e-12)
    assert _binom_cdf(1000, 100_000, 0.5) == 0.0  # underflows to 0, no OverflowError


def test_a_count_outside_the_denominator_is_an_error() -> None:
    with pytest.raises(ValueError, match="count=3"):
        exact_upper_bound(3, 2)


# Wilson and kappa at the extremes.


@pytest.mark.parametrize("n", [1, 2, 100_000, 10**9])
def test_wilson_is_finite_and_ordered_at_the_ends_of_the_range(n: int) -> None:
    for count in (0, n):
        lo, hi = wilson_interval(count, n)
        assert 0.0 <= lo <= count / n <= hi <= 1.0
    assert wilson_interval(0, n)[0] == 0.0 and wilson_interval(n, n)[1] == 1.0


def test_wilson_for_huge_n_shrinks_to_the_estimate() -> None:
    lo, hi = wilson_interval(250_000_000, 10**9)
    assert hi - lo < 1e-4 and lo < 0.25 < hi


def test_wilson_rejects_an_impossible_count() -> None:
    with pytest.raises(ValueError):
        wilson_interval(-1, 10)
    with pytest.raises(ValueError):
        wilson_interval(1, 0)


def test_kappa_is_minus_one_for_perfect_reversal_on_two_levels() -> None:
    assert quadratic_weighted_kappa([(0, 1), (1, 0)], 2) == pytest.approx(-1.0)


def test_kappa_is_undefined_for_a_one_level_scale_and_rejects_ratings_off_the_scale() -> None:
    assert quadratic_weighted_kappa([(0, 0), (0, 0)], 1) is None
    with pytest.raises(ValueError, match=r"\(-1, 0\)"):
        quadratic_weighted_kappa([(-1, 0), (1, 1)], 4)
    with pytest.raises(ValueError, match=r"\(0, 4\)"):
        quadratic_weighted_kappa([(0, 4)], 4)


def test_kappa_is_stable_for_a_large_sample() -> None:
    pairs = [(i % 4, i % 4) for i in range(100_000)] + [(0, 3)]
    kappa = quadratic_weighted_kappa(pairs, 4)
    assert kappa is not None and 0.99 < kappa < 1.0
