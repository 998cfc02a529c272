"""One call's attempts, whatever runs them: how an attempt ended, when to retry, the record.

The threaded path (``calling.py``) and the asyncio path (``async_calling.py``) both drive a
:class:`Retrying`: it decides whether to make an attempt, what an attempt's outcome means and
how long to wait before the next, and it builds the record. Only how an attempt is made and how
a wait is cut short differ between them, so the two paths cannot drift apart on retries,
Retry-After, the time cap or the texts of their records.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from backtriage.harness.engine.options import EngineOptions
from backtriage.harness.engine.records import AnswerRecord, Attempt
from backtriage.harness.engine.retry import backoff_delay, is_retryable
from backtriage.harness.loading.problems import CorpusChanged
from backtriage.harness.model import Decision
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import (
    Reply,
    SystemFailure,
    SystemRaised,
    SystemUnavailable,
    TransientError,
)
from backtriage.harness.systems.tracebacks import user_traceback
from backtriage.harness.waiting import wait_limit

CAP_NOT_ATTEMPTED = "not attempted: total time cap reached"
CAP_DURING_CALL = "total time cap reached during the call"
CAP_BEFORE_RETRY = "total time cap reached before a retry"


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended."""

    decision: Decision | None
    seconds: float
    error: str | None = None
    raw: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    retryable: bool = False
    retry_after: float | None = None
    capped: bool = False
    unavailable: bool = False
    traceback: str | None = None


def grace_seconds(timeout: float) -> float:
    """Extra time the engine allows beyond ``timeout`` before abandoning a call."""
    return max(1.0, 0.1 * timeout)


def attempt_limit(timeout: float | None, deadline: float | None, start: float) -> float | None:
    """Seconds an attempt begun at ``start`` may take (``None``: no limit).

    The timeout plus grace, never past the deadline; the value suits every wait.
    """
    limits = []
    if timeout is not None:
        limits.append(timeout + grace_seconds(timeout))
    if deadline is not None:
        limits.append(max(0.0, deadline - start))
    return wait_limit(min(limits)) if limits else None


def expired(deadline: float | None) -> bool:
    """True once the run's total time cap has passed."""
    return deadline is not None and time.monotonic() >= deadline


def overrun(timeout: float | None, deadline: float | None, seconds: float) -> Outcome:
    """The outcome of an attempt the engine stopped waiting for."""
    if expired(deadline):
        return Outcome(None, seconds, CAP_DURING_CALL, capped=True)
    return failure(TransientError(f"no answer within {timeout:g} s (engine timeout)"), seconds)


def settle(answer: Decision | Reply) -> tuple[Decision, str | None, dict[str, Any]]:
    """A system's answer as (validated decision, raw text, metadata).

    Raises:
        SystemFailure: the answer is not a valid decision (its raw text kept).
    """
    raw: str | None = None
    metadata: dict[str, Any] = {}
    if isinstance(answer, Reply):
        raw, metadata = answer.raw, dict(answer.metadata)
        answer = answer.decision
    # Re-validate whatever came back: a buggy adapter must not smuggle in a bad decision.
    try:
        decision = decision_from_obj(answer, raw=raw)
    except SystemFailure as exc:
        exc.raw = exc.raw or raw
        raise
    # (A model can echo anything it was sent, a key in a header included: the record made
    # from this answer redacts its rationale and raw text.)
    return decision, raw, metadata


def answered(answer: Decision | Reply, seconds: float) -> Outcome:
    """The outcome of an attempt that returned ``answer`` (a failure if it is invalid)."""
    try:
        decision, raw, metadata = settle(answer)
    except Exception as exc:  # an invalid answer (or a validator's own failure) is the system's
        return failure(exc, seconds)
    return Outcome(decision, seconds, raw=raw, metadata=metadata)


def failure(exc: BaseException, seconds: float) -> Outcome:
    """The outcome of an attempt that raised ``exc``.

    Raises:
        CorpusChanged: ``exc`` itself, when it is one: the corpus changed under the run (a
            narrative read from its file during the call), which is not the system's outcome.
    """
    if isinstance(exc, CorpusChanged):
        raise exc
    raw = exc.raw if isinstance(exc, SystemFailure) else None
    retry_after = exc.retry_after if isinstance(exc, TransientError) else None
    # A failure in another process arrives already named by the system (``KeyError: 'x'``).
    message = str(exc) if isinstance(exc, SystemRaised) else f"{type(exc).__name__}: {exc}"
    return Outcome(
        None,
        seconds,
        message,
        raw=raw,
        retryable=is_retryable(exc),
        retry_after=retry_after,
        unavailable=isinstance(exc, SystemUnavailable),
        traceback=system_traceback(exc),
    )


def system_traceback(exc: BaseException) -> str | None:
    """The traceback of an exception a system raised, trimmed to the system's own frames.

    A failure the harness itself reports about a system (an invalid answer, a timeout) has no
    stack worth showing; one from a worker process comes with the worker's traceback.
    """
    if isinstance(exc, SystemFailure) and getattr(exc, "remote_traceback", None) is None:
        return None
    return user_traceback(exc)


class Retrying:
    """The retry decisions of one call, for a loop that makes the attempts and the waits.

    A driver asks :meth:`begin` before each attempt, hands each outcome to :meth:`settled`
    and, when that returns a delay rather than a record, waits (cut short by a stop) and
    reports to :meth:`waited`. Whichever returns a record first ends the call.
    """

    def __init__(
        self,
        vignette_id: str,
        epoch: int,
        options: EngineOptions,
        deadline: float | None,
        rng: random.Random | None,
    ):
        self._vignette_id = vignette_id
        self._epoch = epoch
        self._options = options
        self._deadline = deadline
        self._rng = rng
        self._attempts: list[Attempt] = []
        self._started = time.monotonic()
        self._last: Outcome | None = None

    def begin(self) -> AnswerRecord | None:
        """``None``: make the next attempt; else the record of a call the cap cut short."""
        if expired(self._deadline):
            return self._capped(CAP_BEFORE_RETRY if self._attempts else CAP_NOT_ATTEMPTED)
        return None

    def settled(self, outcome: Outcome) -> AnswerRecord | float:
        """The record if the call is over, else the seconds to wait before retrying."""
        number = len(self._attempts) + 1
        self._last = outcome
        self._attempts.append(
            Attempt(number, outcome.decision is not None, outcome.seconds, outcome.error,
                    outcome.retry_after)
        )
        if outcome.capped:
            return self._capped(CAP_DURING_CALL)
        if outcome.decision is not None or not outcome.retryable or number > self._options.retries:
            return AnswerRecord(
                self._vignette_id, self._epoch, outcome.decision, outcome.error, outcome.raw,
                tuple(self._attempts), time.monotonic() - self._started, outcome.metadata,
                unavailable=outcome.unavailable,
                traceback=outcome.traceback,
            )
        delay = backoff_delay(self._options, number, outcome.retry_after, self._rng)
        if self._deadline is not None and time.monotonic() + delay >= self._deadline:
            # Waiting would run past the cap: stop at the cap rather than sleep beyond it.
            delay = max(0.0, self._deadline - time.monotonic())
        return delay

    def waited(self, stopped: bool) -> AnswerRecord | None:
        """After the wait: the record if the run stopped or the cap passed, else ``None``."""
        if stopped or expired(self._deadline):
            return self._capped(CAP_BEFORE_RETRY)
        return None

    def _capped(self, reason: str) -> AnswerRecord:
        last = self._last
        error = (reason if last is None or last.error is None
                 else f"{reason} (last error: {last.error})")
        return AnswerRecord(
            self._vignette_id, self._epoch, None, error, last.raw if last else None,
            tuple(self._attempts), time.monotonic() - self._started, {}, final=False,
            traceback=last.traceback if last else None,
        )
