"""Small-sample statistics: Wilson intervals, the zero-event upper bound, weighted kappa."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
"""The two-sided 95% normal quantile."""


@dataclass(frozen=True)
class Rate:
    """A proportion with its denominator and Wilson 95% interval.

    ``value``, ``low`` and ``high`` are ``None`` when the denominator is 0 (no data, not 0%).
    """

    count: int
    denominator: int
    value: float | None
    low: float | None
    high: float | None

    def to_dict(self) -> dict[str, float | int | None]:
        """Return the JSON form."""
        return {
            "count": self.count,
            "denominator": self.denominator,
            "value": self.value,
            "ci95_low": self.low,
            "ci95_high": self.high,
        }


def wilson_interval(count: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Return the Wilson score interval for ``count`` successes in ``n`` trials.

    Raises:
        ValueError: if ``n`` is not positive or ``count`` is outside ``[0, n]``.
    """
    if n <= 0 or not 0 <= count <= n:
        raise ValueError(f"need 0 <= count <= n and n > 0, got count={count}, n={n}")
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # Clamp rounding noise so the interval always contains p and stays in [0, 1].
    return max(0.0, min(centre - half, p)), min(1.0, max(centre + half, p))


def rate(count: int, n: int) -> Rate:
    """Build a :class:`Rate` with its Wilson 95% interval."""
    if n == 0:
        return Rate(count, 0, None, None, None)
    low, high = wilson_interval(count, n)
    return Rate(count, n, count / n, low, high)


def zero_event_upper_bound(n: int, confidence: float = 0.95) -> float | None:
    """Exact one-sided upper bound on a rate after 0 events in ``n`` trials (Clopper-Pearson).

    This is what "0 critical misses in n" can claim: the true miss rate is below this bound with
    the given confidence. ``1 - (1 - confidence) ** (1 / n)``; about 3/n, the "rule of three".
    """
    if n <= 0:
        return None
    return float(1.0 - (1.0 - confidence) ** (1.0 / n))


def exact_upper_bound(count: int, n: int, confidence: float = 0.95) -> float | None:
    """Exact one-sided Clopper-Pearson upper bound for ``count`` events in ``n`` trials.

    The bound is the ``p`` at which ``P(X <= count | n, p)`` falls to ``1 - confidence``, found
    by bisection on the binomial CDF computed in log space, so any ``n`` works (no overflow).
    """
    if n <= 0:
        return None
    if not 0 <= count <= n:
        raise ValueError(f"need 0 <= count <= n, got count={count}, n={n}")
    if count == n:
        return 1.0
    if count == 0:
        return zero_event_upper_bound(n, confidence)
    log_alpha = math.log(1.0 - confidence)
    lo, hi = count / n, 1.0
    # 200 halvings reach adjacent floats long before the cap; stop when the bracket is that tight.
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if _log_binom_cdf(count, n, mid) > log_alpha:
            lo = mid
        else:
            hi = mid
    return hi


def smallest_n_for_upper_bound(target: float, confidence: float = 0.95) -> int:
    """Return the fewest vignettes for which 0 misses bounds the miss rate below ``target``."""
    return math.ceil(math.log(1.0 - confidence) / math.log(1.0 - target))


def _binom_cdf(k: int, n: int, p: float) -> float:
    """Return ``P(X <= k)`` for ``X ~ Binomial(n, p)``, safe for any ``n``."""
    return math.exp(_log_binom_cdf(k, n, p))


def _log_binom_cdf(k: int, n: int, p: float) -> float:
    """Return ``log P(X <= k)`` for ``X ~ Binomial(n, p)`` without forming huge numbers.

    The terms ``i = 0..k`` rise to a single peak (the mode, clipped to ``k``) and then fall, so the
    sum is taken outwards from the peak as ratios to it (log-sum-exp with the peak factored out)
    and stops once a term can no longer change a double. That is O(sqrt(n)) terms, not O(n).
    """
    if k < 0:
        return -math.inf
    if k >= n or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return -math.inf
    peak = min(k, max(0, math.floor((n + 1) * p)))
    odds = p / (1.0 - p)
    total = 1.0
    term = 1.0
    for i in range(peak, 0, -1):  # term(i-1) / term(i) = i / ((n - i + 1) * odds)
        term *= i / ((n - i + 1) * odds)
        total += term
        if term < total * _NEGLIGIBLE:
            break
    term = 1.0
    for i in range(peak + 1, k + 1):  # term(i) / term(i-1) = (n - i + 1) * odds / i
        term *= (n - i + 1) * odds / i
        total += term
        if term < total * _NEGLIGIBLE:
            break
    return _log_binom_pmf(peak, n, p) + math.log(total)


_NEGLIGIBLE = 1e-18
"""A term below this fraction of the running sum cannot change a double (and the rest fall)."""


def _log_binom_pmf(i: int, n: int, p: float) -> float:
    log_choose = math.lgamma(n + 1) - math.lgamma(i + 1) - math.lgamma(n - i + 1)
    return log_choose + i * math.log(p) + (n - i) * math.log1p(-p)


def quadratic_weighted_kappa(pairs: Sequence[tuple[int, int]], n_levels: int) -> float | None:
    """Cohen's kappa with quadratic weights for ordinal ratings coded ``0..n_levels-1``.

    Returns ``None`` when agreement by chance is total (every rating identical, or a scale of
    one level), where kappa is undefined.

    Raises:
        ValueError: if a rating lies outside ``0..n_levels-1``.
    """
    n = len(pairs)
    if n == 0 or n_levels < 2:
        return None
    observed = [[0.0] * n_levels for _ in range(n_levels)]
    for a, b in pairs:
        # Checked, because a negative index would silently count as the top level.
        if not (0 <= a < n_levels and 0 <= b < n_levels):
            raise ValueError(f"rating pair ({a}, {b}) is outside 0..{n_levels - 1}")
        observed[a][b] += 1
    row = [sum(observed[i]) for i in range(n_levels)]
    col = [sum(observed[i][j] for i in range(n_levels)) for j in range(n_levels)]
    num = den = 0.0
    for i in range(n_levels):
        for j in range(n_levels):
            w = (i - j) ** 2 / (n_levels - 1) ** 2
            num += w * observed[i][j]
            den += w * row[i] * col[j] / n
    if den == 0:
        return None
    return 1.0 - num / den
