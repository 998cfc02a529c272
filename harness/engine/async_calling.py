"""Calling a system's ``atriage`` for one presentation on an event loop, with bounded retries.

The asyncio twin of ``calling.call_with_retries``: the same :class:`~attempts.Retrying`
decides every retry and builds every record; here an attempt is a task step bounded by
``asyncio.timeout`` (the per-call timeout plus grace, never past the run's deadline), so a
call that overruns is cancelled rather than abandoned on a thread, and a backoff is cut short
by the run's stop event.
"""

from __future__ import annotations

import asyncio
import random
import time

from backtriage.harness.engine.attempts import (
    Outcome,
    Retrying,
    answered,
    attempt_limit,
    failure,
    overrun,
)
from backtriage.harness.engine.options import EngineOptions
from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.model import Presentation
from backtriage.harness.systems.protocol import AsyncMethods
from backtriage.harness.waiting import wait_limit


async def acall_with_retries(
    system: AsyncMethods,
    presentation: Presentation,
    vignette_id: str,
    epoch: int,
    options: EngineOptions,
    stop: asyncio.Event,
    deadline: float | None = None,
    rng: random.Random | None = None,
) -> AnswerRecord:
    """Ask ``system`` once, retrying retryable failures; raises only ``CancelledError``.

    Args mean what they mean for ``calling.call_with_retries``; ``stop`` is an event of the
    running loop.
    """
    call = Retrying(vignette_id, epoch, options, deadline, rng)
    while (record := call.begin()) is None:
        step = call.settled(await _attempt(system, presentation, options.timeout, deadline))
        if isinstance(step, AnswerRecord):
            return step
        if (record := call.waited(await stopped_within(stop, wait_limit(step)))) is not None:
            return record
    return record


async def stopped_within(stop: asyncio.Event, seconds: float | None) -> bool:
    """Wait up to ``seconds`` (``None``: for ever) for ``stop``; True if it was set."""
    if stop.is_set():
        return True
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        return False
    return True


async def _attempt(
    system: AsyncMethods,
    presentation: Presentation,
    timeout: float | None,
    deadline: float | None,
) -> Outcome:
    start = time.monotonic()
    scope = asyncio.timeout(attempt_limit(timeout, deadline, start))
    try:
        async with scope:
            answer = await system.triage(presentation)
    except asyncio.CancelledError:
        raise  # the run is ending: not the system's outcome
    except BaseException as exc:  # a system's own failure (even SystemExit) is its outcome
        seconds = time.monotonic() - start
        if scope.expired():
            return overrun(timeout, deadline, seconds)
        return failure(exc, seconds)
    return answered(answer, time.monotonic() - start)
