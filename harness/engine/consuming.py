"""The calling thread's side of a concurrent run, shared by the threaded and asyncio paths.

Workers (threads or tasks) put finished records on a queue; only the calling thread takes
them, so journal writes and progress never race and a Ctrl-C reaches it promptly. It makes
what has arrived durable once per batch, stops at the total time cap or when the system
proves unreachable, and fills in every job left unanswered: nothing leaves a denominator.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable
from typing import TypeVar

from backtriage.harness.engine.attempts import CAP_NOT_ATTEMPTED
from backtriage.harness.engine.availability import AvailabilityWatch
from backtriage.harness.engine.records import AnswerRecord

Item = TypeVar("Item")
Key = tuple[str, int]

POLL_SECONDS = 0.5
"""How often the calling thread wakes while it waits (for Ctrl-C and the cap)."""
DRAIN_SECONDS = 5.0
"""After a stop, how long calls in flight may take to report before the rest are filled in
(at the cap they end by themselves: their waits stop at the deadline)."""


def consume(
    results: queue.SimpleQueue[Item],
    pending: set[Key],
    accept: Callable[[Item | AnswerRecord], None],
    watch: AvailabilityWatch,
    deadline: float | None,
    flush: Callable[[], None] | None,
    wind_down: Callable[[], None],
) -> None:
    """Take records until every job has one, the cap passes or the system is unreachable.

    Args:
        results: where the workers put what they finish.
        pending: the jobs still without a record; ``accept`` removes each it takes.
        accept: records one item (and raises a worker's crash).
        watch: the availability watch the workers report to.
        deadline: the ``time.monotonic()`` value of the total time cap, if any.
        flush: makes the accepted answers durable (the journal), once per batch.
        wind_down: stops the workers and waits a bounded time for the calls in flight.

    Raises:
        NoVerdict: the system could not be reached.
    """

    def take_arrived() -> None:
        while pending:
            try:
                accept(results.get_nowait())
            except queue.Empty:
                return

    while pending and not watch.tripped:
        remaining = None if deadline is None else deadline - time.monotonic()
        if remaining is not None and remaining <= 0:
            break
        try:
            # A bounded wait keeps the loop responsive to Ctrl-C and to the cap.
            item = results.get(timeout=POLL_SECONDS if remaining is None
                               else min(POLL_SECONDS, remaining))
        except queue.Empty:
            continue
        accept(item)
        take_arrived()  # then make them durable once, before waiting again
        if flush:
            flush()
    if pending:
        wind_down()
        take_arrived()
    if watch.tripped:
        raise watch.verdict()
    for vid, epoch in sorted(pending):
        accept(AnswerRecord(vid, epoch, None, CAP_NOT_ATTEMPTED, final=False))
