"""Calling a system for one presentation: a bounded wait per attempt, bounded retries.

Each attempt runs ``system.triage`` on a daemon thread (one per engine worker, reused from call
to call) and waits at most the per-call timeout
(plus a grace period, so an adapter's own timeout fires first with a clearer message) and never
past the run's deadline. A call that hangs for ever is therefore abandoned, not waited on; being
a daemon thread, it cannot keep the process alive at exit either. (An abandoned call of an
in-process system keeps its thread; ``python:`` systems run isolated in a worker process by
default, whose hung call is killed with the process.)

The retry decisions and the records are ``attempts.Retrying``'s, shared with the asyncio path
(``async_calling.py``). Every record is made safe where it is built (``records.py``: redaction,
unencodable text, size bounds); a system exception's traceback, trimmed to the system's own
frames, is kept.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable
from typing import Any

from backtriage.harness.engine.attempts import (
    CAP_BEFORE_RETRY,
    CAP_DURING_CALL,
    CAP_NOT_ATTEMPTED,
    Outcome,
    Retrying,
    answered,
    attempt_limit,
    failure,
    grace_seconds,
    overrun,
    settle,
    system_traceback,
)
from backtriage.harness.engine.options import EngineOptions
from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.model import Presentation
from backtriage.harness.systems.protocol import TriageSystem
from backtriage.harness.waiting import wait_limit

__all__ = ["CAP_BEFORE_RETRY", "CAP_DURING_CALL", "CAP_NOT_ATTEMPTED", "call_with_retries",
           "grace_seconds", "release_call_thread", "system_traceback"]


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
    call = Retrying(vignette_id, epoch, options, deadline, rng)
    while (record := call.begin()) is None:
        step = call.settled(_attempt(system, presentation, options.timeout, deadline))
        if isinstance(step, AnswerRecord):
            return step
        if (record := call.waited(stop.wait(wait_limit(step)))) is not None:
            return record
    return record


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
) -> Outcome:
    start = time.monotonic()
    if getattr(system, "answers_inline", False) is True:
        # The harness's own rules cannot hang: no calling thread to hand the call to.
        try:
            answer = system.triage(presentation)
        except BaseException as exc:  # a failure is the system's outcome, not ours
            return failure(exc, time.monotonic() - start)
        return answered(answer, time.monotonic() - start)
    box, finished = _caller().submit(lambda: settle(system.triage(presentation)))
    ended = finished.wait(attempt_limit(timeout, deadline, start))
    seconds = time.monotonic() - start
    if not ended:
        _callers.current = None  # abandoned with its call: the next call gets a new thread
        return overrun(timeout, deadline, seconds)
    result = box[0]
    if isinstance(result, BaseException):
        return failure(result, seconds)
    decision, raw, metadata = result
    return Outcome(decision, seconds, raw=raw, metadata=metadata)
