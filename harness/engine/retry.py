"""When to retry a failed call and how long to wait first (exponential backoff with jitter)."""

from __future__ import annotations

import random

from backtriage.harness.engine.options import EngineOptions
from backtriage.harness.systems.protocol import SystemFailure
from backtriage.harness.waiting import capped_retry_after

_RNG = random.Random()


def is_retryable(exc: BaseException) -> bool:
    """True for failures worth another try: a timeout, a 429, a 5xx, a dropped connection.

    An invalid answer, an unreachable system (refused, DNS, TLS, 401/403/404), another 4xx
    and any unexpected exception are final: retrying a deterministic failure only wastes time
    (one 500 retried 1,149 times over 24 days is the cautionary tale).
    """
    return isinstance(exc, SystemFailure) and exc.retryable


def backoff_delay(
    options: EngineOptions,
    failures: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait before the next attempt.

    Args:
        options: ``backoff`` is the first delay and ``backoff_max`` the ceiling.
        failures: attempts that have failed so far (1 before the first retry).
        retry_after: what the server asked for; honoured even above ``backoff_max`` up to
            ``RETRY_AFTER_CEILING_SECONDS`` (60 s; ``inf`` waits that long, NaN is ignored).
        rng: the source of jitter.

    Returns:
        A delay drawn uniformly from the upper half of the exponential step ("equal jitter"),
        so concurrent callers spread out but none retries at once.
    """
    step = min(options.backoff_max, options.backoff * 2 ** max(0, failures - 1))
    jittered: float = step / 2 + (rng or _RNG).uniform(0, step / 2)
    asked = capped_retry_after(retry_after)
    if asked is not None and asked > 0:
        return max(asked, jittered)
    return jittered
