"""How the engine runs: concurrency, repeats, time limits and retries."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

DEFAULT_MAX_TOTAL_SECONDS = 24 * 3600.0
"""A run stops after a day unless told otherwise, so no fault (a hung system, a server asking
for endless waits) can stall it for ever; ``--max-total-seconds`` raises or lowers the cap."""


@dataclass(frozen=True)
class EngineOptions:
    """How to run a system over a corpus.

    Attributes:
        concurrency: calls in flight at once (at least 1).
        epochs: answers asked per vignette.
        timeout: seconds one call may take before it counts as a (retryable) timeout;
            ``None`` waits for ever.
        retries: further attempts after a retryable failure (timeout, 429, 5xx, dropped
            connection); other failures are never retried.
        backoff: seconds before the first retry; doubles each time, with jitter.
        backoff_max: the longest wait between two attempts, unless the server asks for more
            with Retry-After.
        max_total_seconds: a cap on the whole run (default: a day); when reached, every
            answer not yet given is recorded as an error. ``None`` (or ``inf``) means no cap.

    Raises:
        ValueError: for a NaN time (the command line refuses it earlier, with exit 2).
    """

    concurrency: int = 4
    epochs: int = 1
    timeout: float | None = 60.0
    retries: int = 3
    backoff: float = 1.0
    backoff_max: float = 30.0
    max_total_seconds: float | None = DEFAULT_MAX_TOTAL_SECONDS

    def __post_init__(self) -> None:
        for name in ("timeout", "max_total_seconds", "backoff", "backoff_max"):
            value = getattr(self, name)
            if value is not None and math.isnan(value):
                raise ValueError(f"{name} must be a number of seconds, got NaN")
        # An infinite limit is no limit: waits cannot take ``inf``.
        for name in ("timeout", "max_total_seconds"):
            value = getattr(self, name)
            if value is not None and math.isinf(value) and value > 0:
                object.__setattr__(self, name, None)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form recorded in results and journals."""
        return {
            "concurrency": self.concurrency,
            "epochs": self.epochs,
            "timeout": self.timeout,
            "retries": self.retries,
            "backoff": self.backoff,
            "backoff_max": self.backoff_max,
            "max_total_seconds": self.max_total_seconds,
        }
