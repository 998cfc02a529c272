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
    """Exact one-sided Clopper-Pearson upper bound for ``count`` events in ``n`` trials."""
    if n <= 0:
        return None
    if count >= n:
        return 1.0
    if count == 0:
        return zero_event_upper_bound(n, confidence)
    alpha = 1.0 - confidence
    lo, hi = count / n, 1.0
    for _ in range(100):  # bisection on the binomial CDF: P(X <= count | p) = alpha
        mid = (lo + hi) / 2
        if _binom_cdf(count, n, mid) > alpha:
            lo = mid
        else:
            hi = mid
    return hi


def smallest_n_for_upper_bound(target: float, confidence: float = 0.95) -> int:
    """Return the fewest vignettes for which 0 misses bounds the miss rate below ``target``."""
    return math.ceil(math.log(1.0 - confidence) / math.log(1.0 - target))


def _binom_cdf(k: int, n: int, p: float) -> float:
    return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))


def quadratic_weighted_kappa(pairs: Sequence[tuple[int, int]], n_levels: int) -> float | None:
    """Cohen's kappa with quadratic weights for ordinal ratings coded ``0..n_levels-1``.

    Returns ``None`` when agreement by chance is total (every rating identical), where kappa
    is undefined.
    """
    n = len(pairs)
    if n == 0:
        return None
    observed = [[0.0] * n_levels for _ in range(n_levels)]
    for a, b in pairs:
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
