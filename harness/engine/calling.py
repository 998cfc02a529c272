"""Calling a system for one presentation: a bounded wait per attempt, bounded retries.

Each attempt runs ``system.triage`` on a daemon thread (one per engine worker, reused from call
to call) and waits at most the per-call timeout
(plus a grace period, so an adapter's own timeout fires first with a clearer message) and never
past the run's deadline. A call that hangs for ever is therefore abandoned, not waited on; being
a daemon thread, it cannot keep the process alive at exit either. (An abandoned call of an
in-process system keeps its thread; ``python:`` systems run isolated in a worker process by
default, whose hung call is killed with the process.)

Every record is made safe where it is built (``records.py``: redaction, unencodable text,
size bounds); a system exception's traceback, trimmed to the system's own frames, is kept.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from backtriage.harness.engine.options import EngineOptions
from backtriage.harness.engine.records import AnswerRecord, Attempt
from backtriage.harness.engine.retry import backoff_delay, is_retryable
from backtriage.harness.model import Decision, Presentation
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import (
    Reply,
    SystemFailure,
    SystemRaised,
    SystemUnavailable,
    TransientError,
    TriageSystem,
)
from backtriage.harness.systems.tracebacks import user_traceback
from backtriage.harness.waiting import wait_limit

CAP_NOT_ATTEMPTED = "not attempted: total time cap reached"
CAP_DURING_CALL = "total time cap reached during the call"
CAP_BEFORE_RETRY = "total time cap reached before a retry"


@dataclass(frozen=True)
class _Outcome:
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


def call_with_retries(
    system: TriageSystem,
    presentation: Presentation,
    vignette_id: str,
    epoch: int,
    options: EngineOptions,
    stop: threading.Event | None = None,
    deadline: float | None = None,
    rng: random.Random | None = None,
) -> AnswerRecord:
    """Ask ``system`` once, retrying retryable failures; never raises.

    Args:
        system: the system to call.
        presentation: all the system may see.
        vignette_id: for the record.
        epoch: the repeat index, for the record.
        options: timeout, retries and backoff.
        stop: set when the run must end (time cap or interrupt); cuts a backoff short.
        deadline: ``time.monotonic()`` value of the total time cap, if any.
        rng: jitter source.

    Returns:
        The record of the answer, or of the last failure with every attempt listed. A record
        cut short by the time cap has ``final=False``.
    """
    stop = stop or threading.Event()
    attempts: list[Attempt] = []
    started = time.monotonic()
    last: _Outcome | None = None
    for number in range(1, options.retries + 2):
        if _expired(deadline):
            return _capped(vignette_id, epoch, attempts, started, last,
                           CAP_NOT_ATTEMPTED if number == 1 else CAP_BEFORE_RETRY)
        outcome = _attempt(system, presentation, options.timeout, deadline)
        last = outcome
        attempts.append(
            Attempt(number, outcome.decision is not None, outcome.seconds, outcome.error,
                    outcome.retry_after)
        )
        if outcome.capped:
            return _capped(vignette_id, epoch, attempts, started, last, CAP_DURING_CALL)
        if outcome.decision is not None or not outcome.retryable or number > options.retries:
            return AnswerRecord(
                vignette_id, epoch, outcome.decision, outcome.error, outcome.raw,
                tuple(attempts), time.monotonic() - started, outcome.metadata,
                unavailable=outcome.unavailable,
                traceback=outcome.traceback,
            )
        delay = backoff_delay(options, number, outcome.retry_after, rng)
        if deadline is not None and time.monotonic() + delay >= deadline:
            # Waiting would run past the cap: stop at the cap rather than sleep beyond it.
            delay = max(0.0, deadline - time.monotonic())
        if stop.wait(wait_limit(delay)) or _expired(deadline):
            return _capped(vignette_id, epoch, attempts, started, last, CAP_BEFORE_RETRY)
    raise AssertionError("unreachable: the loop returns on its last attempt")


def _expired(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def _capped(
    vignette_id: str,
    epoch: int,
    attempts: list[Attempt],
    started: float,
    last: _Outcome | None,
    reason: str,
) -> AnswerRecord:
    error = reason if last is None or last.error is None else f"{reason} (last error: {last.error})"
    return AnswerRecord(
        vignette_id, epoch, None, error, last.raw if last else None, tuple(attempts),
        time.monotonic() - started, {}, final=False,
        traceback=last.traceback if last else None,
    )


class _CallThread:
    """A daemon thread that runs one call at a time for one engine worker.

    Starting a thread for every call cost more than a rule-based system's whole answer; a
    worker's calls reuse this one instead. A call that overruns its wait is abandoned with its
    thread (the worker gets a new one), exactly as a thread per call would be.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], list[Any], threading.Event] | None]
        self._jobs = queue.SimpleQueue()
        threading.Thread(target=self._serve, name="backtriage-call", daemon=True).start()

    def submit(self, call: Callable[[], Any]) -> tuple[list[Any], threading.Event]:
        """Start ``call``; the list gets its result or exception, then the event is set."""
        box: list[Any] = []
        finished = threading.Event()
        self._jobs.put((call, box, finished))
        return box, finished

    def close(self) -> None:
        """Let the thread end once its current call (if any) returns."""
        self._jobs.put(None)

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            call, box, finished = job
            try:
                box.append(call())
            except BaseException as exc:  # a system's SystemExit is its failure, not ours
                box.append(exc)
            finally:
                finished.set()
            del job, call, box, finished  # hold nothing of a finished call


_callers = threading.local()


def _caller() -> _CallThread:
    caller: _CallThread | None = getattr(_callers, "current", None)
    if caller is None:
        caller = _callers.current = _CallThread()
    return caller


def release_call_thread() -> None:
    """End the calling thread of the current engine worker (called when the worker ends)."""
    caller: _CallThread | None = getattr(_callers, "current", None)
    if caller is not None:
        caller.close()
        _callers.current = None


def _attempt(
    system: TriageSystem,
    presentation: Presentation,
    timeout: float | None,
    deadline: float | None,
) -> _Outcome:
    start = time.monotonic()
    if getattr(system, "answers_inline", False) is True:
        # The harness's own rules cannot hang: no calling thread to hand the call to.
        try:
            decision, raw, metadata = _settle(system.triage(presentation))
        except BaseException as exc:  # a failure is the system's outcome, not ours
            return _failure(exc, time.monotonic() - start)
        return _Outcome(decision, time.monotonic() - start, raw=raw, metadata=metadata)
    box, finished = _caller().submit(lambda: _settle(system.triage(presentation)))
    limits = []
    if timeout is not None:
        limits.append(timeout + grace_seconds(timeout))
    if deadline is not None:
        limits.append(max(0.0, deadline - start))
    ended = finished.wait(wait_limit(min(limits)) if limits else None)
    seconds = time.monotonic() - start
    if not ended:
        _callers.current = None  # abandoned with its call: the next call gets a new thread
        if _expired(deadline):
            return _Outcome(None, seconds, CAP_DURING_CALL, capped=True)
        return _failure(TransientError(f"no answer within {timeout:g} s (engine timeout)"), seconds)
    result = box[0]
    if isinstance(result, BaseException):
        return _failure(result, seconds)
    decision, raw, metadata = result
    return _Outcome(decision, seconds, raw=raw, metadata=metadata)


def _settle(answer: Decision | Reply) -> tuple[Decision, str | None, dict[str, Any]]:
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


def _failure(exc: BaseException, seconds: float) -> _Outcome:
    raw = exc.raw if isinstance(exc, SystemFailure) else None
    retry_after = exc.retry_after if isinstance(exc, TransientError) else None
    # A failure in another process arrives already named by the system (``KeyError: 'x'``).
    message = str(exc) if isinstance(exc, SystemRaised) else f"{type(exc).__name__}: {exc}"
    return _Outcome(
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
