"""Bounds on every wait: a timeout or a server's Retry-After can never stall or crash a run.

``threading`` and ``queue`` refuse waits beyond ``threading.TIMEOUT_MAX`` (an ``inf`` or
``1e308`` timeout raises ``OverflowError``), and a server may ask for any delay at all.
"""

from __future__ import annotations

import math
import threading

RETRY_AFTER_CEILING_SECONDS = 60.0
"""The longest a server's Retry-After is honoured; a longer (or infinite) ask waits this long."""


def wait_limit(seconds: float | None) -> float | None:
    """A value safe to pass as ``timeout=`` to a wait: ``None`` (no limit) or a finite delay.

    ``None``, ``inf`` and delays too long for the platform's waits mean no limit (the run's
    total time cap still bounds the wait); NaN and negative values mean do not wait.
    """
    if seconds is None or seconds >= threading.TIMEOUT_MAX:
        return None
    if math.isnan(seconds) or seconds < 0:
        return 0.0
    return float(seconds)


def capped_retry_after(seconds: float | None) -> float | None:
    """A server's Retry-After as a delay within ``[0, RETRY_AFTER_CEILING_SECONDS]``.

    ``None`` and NaN mean the server did not say (normal backoff applies); ``inf`` and huge
    values wait the ceiling.
    """
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(0.0, float(seconds)), RETRY_AFTER_CEILING_SECONDS)
