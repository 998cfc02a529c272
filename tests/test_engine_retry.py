"""Retries: which failures are retried, how long the engine waits, every attempt recorded."""

from __future__ import annotations

import random
import threading
import time
from typing import Any

import pytest

from backtriage.harness.engine import EngineOptions
from backtriage.harness.engine.calling import call_with_retries
from backtriage.harness.engine.retry import backoff_delay, is_retryable
from backtriage.harness.model import Decision, Presentation
from backtriage.harness.systems.protocol import InvalidAnswer, SystemFailure, TransientError
from tests.support.engine_helpers import quick

PRESENTATION = Presentation("A case.", {})
GOOD = Decision("self_care", "none", "nonspecific")


class Scripted:
    """Raises or answers from a list, one item per call."""

    spec = "scripted"

    def __init__(self, items: list[Any]):
        self.items = items
        self.calls = 0
        self.lock = threading.Lock()

    def triage(self, presentation: Presentation) -> Decision:
        with self.lock:
            item = self.items[min(self.calls, len(self.items) - 1)]
            self.calls += 1
        if isinstance(item, BaseException):
            raise item
        if isinstance(item, float):
            time.sleep(item)
            return GOOD
        return item  # type: ignore[no-any-return]

    def describe(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        pass


def test_only_transient_failures_are_retryable() -> None:
    assert is_retryable(TransientError("429"))
    assert not is_retryable(InvalidAnswer("bad"))
    assert not is_retryable(SystemFailure("HTTP 400"))
    assert not is_retryable(ValueError("bug"))


def test_backoff_doubles_with_jitter_and_a_ceiling() -> None:
    options = EngineOptions(backoff=1.0, backoff_max=8.0)
    rng = random.Random(1)
    for failures, step in [(1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)]:
        delays = [backoff_delay(options, failures, rng=rng) for _ in range(200)]
        assert all(step / 2 <= d <= step for d in delays)
        assert max(delays) - min(delays) > step / 4  # jitter spreads concurrent callers


def test_retry_after_is_honoured_even_above_the_ceiling() -> None:
    options = EngineOptions(backoff=0.01, backoff_max=0.05)
    assert backoff_delay(options, 1, retry_after=7.0) == 7.0
    assert backoff_delay(options, 1, retry_after=0.0) <= 0.01


def test_transient_then_success_records_every_attempt() -> None:
    system = Scripted([TransientError("HTTP 503", retry_after=0.05), TransientError("reset"), GOOD])
    record = call_with_retries(system, PRESENTATION, "v", 0, quick())
    assert record.decision == GOOD and record.error is None
    assert [a.ok for a in record.attempts] == [False, False, True]
    assert [a.number for a in record.attempts] == [1, 2, 3]
    assert record.attempts[0].retry_after == 0.05
    assert record.attempts[0].error == "TransientError: HTTP 503"


@pytest.mark.parametrize("failure", [InvalidAnswer("nope", raw="raw text"),
                                     SystemFailure("HTTP 401"), RuntimeError("bug"), SystemExit(1)])
def test_final_failures_are_not_retried(failure: BaseException) -> None:
    system = Scripted([failure, GOOD])
    record = call_with_retries(system, PRESENTATION, "v", 0, quick())
    assert record.decision is None and system.calls == 1 and len(record.attempts) == 1
    assert record.error and record.error.startswith(type(failure).__name__)
    if isinstance(failure, InvalidAnswer):
        assert record.raw == "raw text"


def test_retries_are_bounded() -> None:
    system = Scripted([TransientError("HTTP 500")])
    record = call_with_retries(system, PRESENTATION, "v", 0, quick(retries=4))
    assert system.calls == 5 and len(record.attempts) == 5 and record.final
    assert record.error == "TransientError: HTTP 500"


def test_a_call_that_hangs_is_abandoned_at_the_engine_timeout() -> None:
    system = Scripted([30.0, GOOD])  # sleeps 30 s the first time
    start = time.monotonic()
    record = call_with_retries(system, PRESENTATION, "v", 0, quick(timeout=0.1, retries=1))
    assert time.monotonic() - start < 3  # timeout + 1 s grace, then the retry
    assert record.decision == GOOD
    assert "no answer within 0.1 s" in (record.attempts[0].error or "")


def test_an_invalid_decision_object_from_a_buggy_system_is_caught() -> None:
    record = call_with_retries(Scripted([{"urgency": "now"}]), PRESENTATION, "v", 0, quick())
    assert record.decision is None and "not a valid decision" in (record.error or "")


def test_a_wait_for_retry_stops_at_the_time_cap() -> None:
    system = Scripted([TransientError("429", retry_after=30.0)])
    start = time.monotonic()
    record = call_with_retries(system, PRESENTATION, "v", 0, quick(),
                               deadline=time.monotonic() + 0.3)
    assert time.monotonic() - start < 2
    assert not record.final and "total time cap" in (record.error or "")
    assert "429" in (record.error or "")
