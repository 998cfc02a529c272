"""The calling thread's side of a concurrent run, shared by the threaded and asyncio paths.

Workers (threads or tasks) put finished records on a queue; only the calling thread takes
them, so journal writes and progress never race and a Ctrl-C reaches it promptly. It makes
what has arrived durable once per batch, stops at the total time cap or when the system
proves unreachable, and fills in every job left unanswered: nothing leaves a denominator.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from backtriage.harness.engine.attempts import CAP_NOT_ATTEMPTED
from backtriage.harness.engine.availability import AvailabilityWatch
from backtriage.harness.engine.records import AnswerRecord

Key = tuple[str, int]

POLL_SECONDS = 0.5
"""How often the calling thread wakes while it waits (for Ctrl-C and the cap)."""
DRAIN_SECONDS = 5.0
"""After a stop, how long calls in flight may take to report before the rest are filled in
(at the cap they end by themselves: their waits stop at the deadline)."""


@dataclass(frozen=True)
class WorkerCrash:
    """A worker failed outside any system call: a harness bug or a broken cache folder."""

    error: BaseException


Arrival = AnswerRecord | WorkerCrash
"""What workers put on the results queue."""


class ShowsProgress(Protocol):
    """The part of a progress display a run feeds as records arrive."""

    def update(self, record: AnswerRecord) -> None:
        """One answer has arrived."""


class Collected:
    """The records a run has taken so far, and the jobs still without one.

    Taking a record passes it to ``on_record`` (the journal) if it is final, and to
    ``progress``; ``store`` sees it first (the asyncio path writes cache entries here, off
    the event loop).
    """

    def __init__(
        self,
        jobs: Iterable[Key],
        on_record: Callable[[AnswerRecord], None] | None,
        progress: ShowsProgress | None,
        store: Callable[[AnswerRecord], None] | None = None,
    ):
        self.records: dict[Key, AnswerRecord] = {}
        self.pending: set[Key] = set(jobs)
        self._on_record = on_record
        self._progress = progress
        self._store = store

    def accept(self, item: Arrival) -> None:
        """Take one arrival; a worker's crash is raised here, in the calling thread."""
        if isinstance(item, WorkerCrash):
            raise item.error
        key = (item.vignette_id, item.epoch)
        self.records[key] = item
        self.pending.discard(key)
        if self._store is not None:
            self._store(item)
        if self._on_record and item.final:
            self._on_record(item)
        if self._progress is not None:
            self._progress.update(item)


def run_while_waiting(
    work: Callable[[], None] | None, results: queue.SimpleQueue[Arrival], collected: Collected
) -> None:
    """Do ``work`` in the calling thread while the first calls are out, before consuming.

    If it fails (a corpus file changed while its vignettes were being built) or Ctrl-C comes,
    the answers already in are taken (journaled) before the run stops, as consuming would
    have; a worker's crash among them is dropped, the run stopping for the reason raised.
    """
    if work is None:
        return
    try:
        work()
    except BaseException:
        while True:
            try:
                item = results.get_nowait()
            except queue.Empty:
                break
            if not isinstance(item, WorkerCrash):
                collected.accept(item)
        raise


def consume(
    results: queue.SimpleQueue[Arrival],
    collected: Collected,
    watch: AvailabilityWatch,
    deadline: float | None,
    flush: Callable[[], None] | None,
    wind_down: Callable[[], None],
) -> None:
    """Take records until every job has one, the cap passes or the system is unreachable.

    Args:
        results: where the workers put what they finish.
        collected: what has been taken, and what is still pending.
        watch: the availability watch the workers report to.
        deadline: the ``time.monotonic()`` value of the total time cap, if any.
        flush: makes the accepted answers durable (the journal), once per batch.
        wind_down: stops the workers and waits a bounded time for the calls in flight.

    Raises:
        NoVerdict: the system could not be reached.
    """
    pending, accept = collected.pending, collected.accept

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
