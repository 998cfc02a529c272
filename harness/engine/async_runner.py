"""Running a system that answers asynchronously: one event loop, ``concurrency`` tasks.

For the networked adapters a call is mostly waiting. Worker threads, each handing its call to
a calling thread and waiting on an event, spent the run taking turns on the interpreter lock;
here one background thread runs an event loop whose ``concurrency`` tasks take jobs, call
``atriage`` (with the retries of ``async_calling``) and put each finished record on a queue.
The calling thread consumes that queue exactly as on the threaded path (``runner._run_jobs``):
it alone journals, flushes and shows progress, it watches the total time cap and the system's
availability, and a Ctrl-C reaches it promptly.

Stopping (cap, unreachable system, interrupt): the tasks take no further job and their backoffs
end at once; calls in flight may finish for a bounded drain (at the cap they end by themselves,
their waits stop at the deadline), then are cancelled. The loop then closes what the system
opened on it (``aclose``) and the thread ends; the calling thread waits for it with a bound.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import queue
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from backtriage.harness.engine.async_calling import acall_with_retries
from backtriage.harness.engine.availability import AvailabilityWatch
from backtriage.harness.engine.consuming import (
    DRAIN_SECONDS,
    Arrival,
    Collected,
    Key,
    WorkerCrash,
    consume,
    run_while_waiting,
)
from backtriage.harness.engine.options import EngineOptions
from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.model import Vignette
from backtriage.harness.systems.protocol import AsyncMethods

if TYPE_CHECKING:
    from backtriage.harness.engine.runner import Job, ResponseLookup, RunHooks


# Closing the connection pool and ending the thread after the tasks have ended.
_CLOSE_SECONDS = 2.0
# Jobs queued between wake-ups of the tasks, while the calling thread builds them.
_FEED_BATCH = 32
# Jobs built between the builder's hand-overs of the interpreter to the loop's thread.
_YIELD_EVERY = 8


def run_async_jobs(
    system: AsyncMethods,
    jobs: Iterable[Job],
    options: EngineOptions,
    hooks: RunHooks,
    keys: Sequence[Key] | None = None,
) -> dict[Key, AnswerRecord]:
    """Answer ``jobs`` on an event loop; what ``runner._run_jobs`` does with threads.

    ``jobs`` may still be being built (a pending corpus): given every job's ``keys``, in
    order, the loop starts calling with the first jobs and this thread takes the rest from
    ``jobs`` while those calls wait, before it consumes a single record.

    Raises:
        NoVerdict: the system could not be reached.
    """
    if keys is None:
        jobs = list(jobs)
        keys = [(v.id, epoch) for v, epoch in jobs]
    if not keys:
        return {}
    results: queue.SimpleQueue[Arrival] = queue.SimpleQueue()
    deadline = None if options.max_total_seconds is None else (
        time.monotonic() + options.max_total_seconds)
    watch = AvailabilityWatch(len(keys))
    cache = hooks.cache
    calls = _CallLoop(system, len(keys), options, cache, deadline, watch, results)
    by_id: dict[str, Vignette] = {}
    feed = iter(jobs)
    # Every task has a job when the loop starts; the rest are queued once it runs.
    try:
        calls.feed(feed, by_id, limit=2 * calls.tasks)
    except BaseException:
        calls.discard()  # building a first job failed: the loop never ran
        raise

    def store(item: AnswerRecord) -> None:
        if cache and not item.cached and item.decision is not None and item.final:
            # Stored here, not on the loop: a file written there would hold up every call.
            cache.put(by_id[item.vignette_id], item)

    collected = Collected(keys, hooks.on_record, hooks.progress, store)

    def wind_down() -> None:
        calls.stop(drain=DRAIN_SECONDS)
        calls.join(DRAIN_SECONDS + _CLOSE_SECONDS)

    calls.start()
    try:
        run_while_waiting(lambda: _fed_then(calls, feed, by_id, hooks.while_waiting),
                          results, collected)
        consume(results, collected, watch, deadline, hooks.flush, wind_down)
    finally:
        calls.stop(drain=0.0)  # a no-op once the loop has ended; after Ctrl-C, cancels now
        calls.join(_CLOSE_SECONDS)
        if hooks.flush:
            hooks.flush()
    return collected.records


def _fed_then(calls: _CallLoop, feed: Iterator[Job], by_id: dict[str, Vignette],
              then: Callable[[], None] | None) -> None:
    """Queue the rest of the jobs, then do the caller's work for the wait."""
    calls.feed(feed, by_id)
    if then is not None:
        then()


class _CallLoop:
    """An event loop on a daemon thread whose tasks answer the jobs and post the records."""

    def __init__(
        self,
        system: AsyncMethods,
        jobs: int,
        options: EngineOptions,
        cache: ResponseLookup | None,
        deadline: float | None,
        watch: AvailabilityWatch,
        results: queue.SimpleQueue[Arrival],
    ):
        self._system = system
        self._todo: collections.deque[Job] = collections.deque()
        self._all_fed = False
        self.tasks = min(max(1, options.concurrency), jobs)
        self._options = options
        self._cache = cache
        self._deadline = deadline
        self._watch = watch
        self._results = results
        self._loop = asyncio.new_event_loop()
        # Unbound until first awaited, so they belong to the loop that awaits them.
        self._stop = asyncio.Event()  # take no further job; end backoffs
        self._fed = asyncio.Event()  # more jobs have been queued, or the last of them
        self._cancel = asyncio.Event()  # cancel the calls in flight
        self._thread = threading.Thread(target=self._run, name="backtriage-calls", daemon=True)

    def start(self) -> None:
        """Start the thread and its loop."""
        self._thread.start()

    def discard(self) -> None:
        """Close the loop of a run that never started it."""
        self._loop.close()

    def feed(self, jobs: Iterator[Job], by_id: dict[str, Vignette],
             limit: int | None = None) -> None:
        """Queue jobs for the tasks, from the calling thread, noting each vignette in ``by_id``.

        With ``limit``, at most that many and more may follow; without, every job left in
        ``jobs``, after which the tasks end as the queue empties. Building a job's vignette
        (``jobs`` may be a pending corpus's) happens here, while the calls queued before wait.
        """
        todo = self._todo
        for n, job in enumerate(jobs if limit is None else itertools.islice(jobs, limit), 1):
            by_id[job[0].id] = job[0]
            todo.append(job)
            if n % _YIELD_EVERY == 0:
                # A reply or a connection the loop's thread is ready for would otherwise wait
                # for this thread's 5 ms slice: hand over about every 0.5 ms instead.
                time.sleep(0)
            if n % _FEED_BATCH == 0:
                self._wake()
        if limit is None:
            self._all_fed = True
        self._wake()

    def _wake(self) -> None:
        """Tell tasks waiting for jobs that the queue changed (from any thread)."""
        with contextlib.suppress(RuntimeError):  # the loop has ended and closed
            self._loop.call_soon_threadsafe(self._fed.set)

    def stop(self, drain: float) -> None:
        """Take no further job; cancel calls still in flight after ``drain`` seconds.

        Safe from any thread, any number of times, before or after the loop has ended.
        """
        def request() -> None:
            self._stop.set()
            self._loop.call_later(drain, self._cancel.set)

        with contextlib.suppress(RuntimeError):  # the loop has ended and closed
            self._loop.call_soon_threadsafe(request)

    def join(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for the loop to end."""
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            with asyncio.Runner(loop_factory=lambda: self._loop) as runner:
                runner.run(self._main())
        except BaseException as exc:  # reported to the calling thread, which re-raises it
            self._results.put(WorkerCrash(exc))

    async def _main(self) -> None:
        workers = [asyncio.create_task(self._serve(seed)) for seed in range(self.tasks)]
        everything: asyncio.Future[Any] = asyncio.gather(*workers, return_exceptions=True)
        stop: asyncio.Future[Any] = asyncio.create_task(self._stop.wait())
        cancel: asyncio.Future[Any] = asyncio.create_task(self._cancel.wait())
        try:
            await asyncio.wait({everything, stop}, return_when=asyncio.FIRST_COMPLETED)
            await asyncio.wait({everything, cancel}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (*workers, stop, cancel):
                task.cancel()
            await asyncio.wait({everything, stop, cancel})
            # Closing the pool is housekeeping: its failure or a stuck close must not
            # outlive the run or replace its outcome.
            with contextlib.suppress(Exception):
                async with asyncio.timeout(_CLOSE_SECONDS):
                    await self._system.close()

    async def _serve(self, seed: int) -> None:
        rng = random.Random(seed)
        todo = self._todo
        while not self._stop.is_set():
            if not todo:
                if self._all_fed:
                    return
                # The calling thread is still building jobs; it wakes us as it queues them.
                # (It stops the loop only after the last, or on an error with no drain,
                # which cancels a task waiting here.)
                self._fed.clear()
                await self._fed.wait()
                continue
            vignette, epoch = todo.popleft()
            try:
                record = await self._answer(vignette, epoch, rng)
                if not record.cached and self._watch.observe(record):
                    self._stop.set()  # unreachable: take no further job
                self._results.put(record)
            except asyncio.CancelledError:
                raise
            except BaseException as exc:
                self._results.put(WorkerCrash(exc))
                return

    async def _answer(self, vignette: Vignette, epoch: int, rng: random.Random) -> AnswerRecord:
        """The cached answer, else a call (the calling thread caches a valid answer)."""
        record = self._cache.get(vignette, epoch) if self._cache else None
        if record is None:
            record = await acall_with_retries(self._system, vignette.presentation, vignette.id,
                                              epoch, self._options, self._stop, self._deadline,
                                              rng)
        return record
