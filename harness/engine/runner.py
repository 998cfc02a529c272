"""Running a system over a corpus: bounded concurrency, a time cap, every answer recorded.

Worker threads take jobs (vignette, epoch) from a queue and put records on another; the calling
thread alone consumes records, so journal writes and progress never race, and a Ctrl-C reaches
it promptly. Workers never wait for the consumer, so a slow disk does not slow the calls.
"""

from __future__ import annotations

import itertools
import queue
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from backtriage.harness.engine.availability import AvailabilityWatch
from backtriage.harness.engine.calling import (
    CAP_NOT_ATTEMPTED,
    call_with_retries,
    release_call_thread,
)
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
from backtriage.harness.systems.protocol import AsyncMethods, TriageSystem, async_methods

OnRecord = Callable[[AnswerRecord], None]
Job = tuple[Vignette, int]
"""A vignette and the epoch to ask it for."""

__all__ = ["EngineOptions", "OnRecord", "ProgressSink", "ResponseLookup", "VignetteStream",
           "run_system", "takes_a_stream"]


@dataclass(frozen=True)
class VignetteStream:
    """Vignettes still being built: every id now, each vignette as ``vignettes`` yields it.

    A fresh run of a system that waits (a networked model) sends its first calls with the first
    vignettes and takes the rest from ``vignettes`` while those calls wait: building a corpus
    is most of loading it (``loading.pending_corpus``). Any other run takes them all first.

    Attributes:
        ids: every vignette's id, in the order ``vignettes`` yields them.
        vignettes: yields each vignette once, in ``ids`` order.
    """

    ids: Sequence[str]
    vignettes: Iterator[Vignette]

    def jobs(self, epochs: int) -> Iterator[Job]:
        """Each vignette's jobs as it is built, checked to come in ``ids`` order."""
        for expected, vignette in zip(self.ids, self.vignettes, strict=True):
            if vignette.id != expected:
                raise RuntimeError(f"vignette {vignette.id!r} came where {expected!r} was due")
            for epoch in range(epochs):
                yield vignette, epoch


class ProgressSink(Protocol):
    """Something that shows how a run is going."""

    def start(self, total: int, already: int) -> None:
        """The run begins: ``total`` answers in all, ``already`` of them known (resumed)."""

    def update(self, record: AnswerRecord) -> None:
        """One answer has arrived."""

    def finish(self) -> None:
        """The run has ended."""


class ResponseLookup(Protocol):
    """A response cache as the engine sees it."""

    def get(self, vignette: Vignette, epoch: int) -> AnswerRecord | None:
        """Return the cached answer, if any."""

    def put(self, vignette: Vignette, record: AnswerRecord) -> None:
        """Remember a successful answer (never an error)."""


@dataclass(frozen=True)
class RunHooks:
    """What a run feeds besides the system: the journal, the response cache, the progress.

    Attributes:
        on_record: sees each final answer as it is taken (the journal).
        cache: the response cache, if any.
        progress: the progress display, if any.
        flush: makes the answers passed to ``on_record`` durable, once per batch.
        while_waiting: work for the calling thread once the first calls are out, before it
            takes their answers (what the run needs only after its calls); not called on the
            inline path, where nothing waits.
    """

    on_record: OnRecord | None = None
    cache: ResponseLookup | None = None
    progress: ProgressSink | None = None
    flush: Callable[[], None] | None = None
    while_waiting: Callable[[], None] | None = None

    def collected(
        self, jobs: Iterable[tuple[Vignette, int]],
        store: Callable[[AnswerRecord], None] | None = None,
    ) -> Collected:
        """A collection of the records of ``jobs`` that feeds these hooks."""
        return Collected(((v.id, e) for v, e in jobs), self.on_record, self.progress, store)


def run_system(
    system: TriageSystem,
    vignettes: Iterable[Vignette] | VignetteStream,
    options: EngineOptions | None = None,
    on_record: OnRecord | None = None,
    *,
    completed: Iterable[AnswerRecord] = (),
    cache: ResponseLookup | None = None,
    progress: ProgressSink | None = None,
    flush: Callable[[], None] | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> list[AnswerRecord]:
    """Ask ``system`` about every vignette ``options.epochs`` times.

    Only the presentation reaches the system. Answers already in ``completed`` (a resumed
    journal) are not asked again. ``on_record`` sees each finished answer as it completes (the
    journal); records cut short by the time cap are returned but not passed to it. ``flush`` is
    called whenever every answer that has arrived has been passed to ``on_record``, before the
    engine waits for more (the journal then hands its lines to the operating system).
    ``while_waiting`` is called once the first calls are out (never if no call is made, nor
    on the inline path): work the caller needs only after the calls is done in their wait.

    Returns:
        One record per (vignette, epoch), sorted by vignette id then epoch, whatever the order
        of completion. Nothing is dropped: past the time cap, unanswered jobs are error records.

    Raises:
        NoVerdict: the system could not be reached (see ``availability``); the answers that
            came in before the run stopped have been passed to ``on_record``.
    """
    options = options or EngineOptions()
    completed = tuple(completed)
    if isinstance(vignettes, VignetteStream):
        methods = None if completed or not takes_a_stream(system) else async_methods(system)
        if methods is not None:
            return _run_streamed(methods, vignettes, options,
                                 RunHooks(on_record, cache, progress, flush, while_waiting))
        vignettes = vignettes.vignettes
    vignettes = list(vignettes)
    wanted = {(v.id, e) for v in vignettes for e in range(options.epochs)}
    records: dict[Key, AnswerRecord] = {
        (r.vignette_id, r.epoch): r for r in completed if (r.vignette_id, r.epoch) in wanted
    }
    jobs = [(v, e) for v in vignettes for e in range(options.epochs) if (v.id, e) not in records]
    if progress:
        progress.start(len(wanted), len(records))
    try:
        hooks = RunHooks(on_record, cache, progress, flush, while_waiting)
        served, _ = _serve_cached_head(iter(jobs), hooks)
        records.update(served)
        jobs = jobs[len(served):]
        if jobs:  # (a run answered wholly from its journal and cache starts nothing)
            records.update(_dispatch(system, jobs, options, hooks))
    finally:
        if progress:
            progress.finish()
    return sorted(records.values(), key=lambda r: (r.vignette_id, r.epoch))


def takes_a_stream(system: TriageSystem) -> bool:
    """Whether a fresh run of ``system`` takes a :class:`VignetteStream` as it is built.

    Only a system answered on the event loop does; every other path (the rule systems inline,
    the rest on threads) takes every vignette before its first call, and a resumed run too.
    """
    return (getattr(system, "answers_inline", False) is not True
            and async_methods(system) is not None)


def _run_streamed(
    methods: AsyncMethods, stream: VignetteStream, options: EngineOptions, hooks: RunHooks
) -> list[AnswerRecord]:
    """:func:`run_system` for a fresh run of a system that waits, on vignettes being built.

    The cached head is answered as its vignettes are built; the first miss and the jobs after
    it go to the event loop, which starts calling while the rest are built.
    """
    keys = [(vid, epoch) for vid in stream.ids for epoch in range(options.epochs)]
    jobs = stream.jobs(options.epochs)
    if hooks.progress:
        hooks.progress.start(len(keys), 0)
    try:
        records, first = _serve_cached_head(jobs, hooks)
        if first is not None:
            # Imported here: a rerun answered from the cache never needs asyncio.
            from backtriage.harness.engine.async_runner import run_async_jobs

            rest = itertools.chain([first], jobs)
            records.update(run_async_jobs(methods, rest, options, hooks, keys[len(records):]))
    finally:
        if hooks.progress:
            hooks.progress.finish()
    return sorted(records.values(), key=lambda r: (r.vignette_id, r.epoch))


def _dispatch(
    system: TriageSystem,
    jobs: list[tuple[Vignette, int]],
    options: EngineOptions,
    hooks: RunHooks,
) -> dict[Key, AnswerRecord]:
    """Run the jobs on the path that suits the system: inline, on an event loop, or threads."""
    if getattr(system, "answers_inline", False) is True:
        return _run_inline(system, jobs, options, hooks)
    if (methods := async_methods(system)) is not None:
        # Imported here: asyncio is no cost to the runs that never use it.
        from backtriage.harness.engine.async_runner import run_async_jobs

        return run_async_jobs(methods, jobs, options, hooks)
    return _run_jobs(system, jobs, options, hooks)


def _serve_cached_head(
    jobs: Iterator[Job], hooks: RunHooks
) -> tuple[dict[Key, AnswerRecord], Job | None]:
    """Answer from the cache the jobs at the head of the queue, up to the first miss.

    A rerun whose answers are all cached then starts no worker thread at all (starting 32
    while the first ones read the cache cost a tenth of a second), and a cold run's first miss
    comes at once, so its first call is not delayed; later hits are found by the workers.

    Returns:
        The records served, in the order of ``jobs``, and the first job not served (``None``
        when ``jobs`` ran out); the jobs after it are still in ``jobs``.
    """
    collected = hooks.collected(())
    if hooks.cache is None:
        return collected.records, next(jobs, None)
    first = None
    for vignette, epoch in jobs:
        record = hooks.cache.get(vignette, epoch)
        if record is None:
            first = (vignette, epoch)
            break
        collected.accept(record)
    if collected.records and hooks.flush:
        hooks.flush()
    return collected.records, first


def _deadline(options: EngineOptions) -> float | None:
    """The ``time.monotonic()`` value of the total time cap, if any."""
    if options.max_total_seconds is None:
        return None
    return time.monotonic() + options.max_total_seconds


def _answer(
    system: TriageSystem,
    vignette: Vignette,
    epoch: int,
    options: EngineOptions,
    cache: ResponseLookup | None,
    stop: threading.Event | None,
    deadline: float | None,
    rng: random.Random,
) -> AnswerRecord:
    """The cached answer, else a call (a valid, complete answer is then cached)."""
    record = cache.get(vignette, epoch) if cache else None
    if record is None:
        record = call_with_retries(system, vignette.presentation, vignette.id, epoch, options,
                                   stop, deadline, rng)
        if cache and record.decision is not None and record.final:
            cache.put(vignette, record)
    return record


def _run_inline(
    system: TriageSystem,
    jobs: list[tuple[Vignette, int]],
    options: EngineOptions,
    hooks: RunHooks,
) -> dict[Key, AnswerRecord]:
    """Run the harness's own rule systems in this thread, one job after another.

    They answer in microseconds and cannot hang, so worker threads would only take turns on the
    interpreter lock. Each answer is journaled and flushed before the next call, as the threaded
    path does with each batch; past the total time cap the rest are not attempted.
    """
    deadline = _deadline(options)
    rng = random.Random(0)
    never = threading.Event()  # only the cap stops an inline run: one event, not one per call
    collected = hooks.collected(jobs)
    for vignette, epoch in jobs:
        if deadline is not None and time.monotonic() >= deadline:
            record = AnswerRecord(vignette.id, epoch, None, CAP_NOT_ATTEMPTED, final=False)
        else:
            record = _answer(system, vignette, epoch, options, hooks.cache, never, deadline, rng)
        collected.accept(record)
        if hooks.flush and hooks.on_record and record.final:
            hooks.flush()
    return collected.records


def _run_jobs(
    system: TriageSystem,
    jobs: list[tuple[Vignette, int]],
    options: EngineOptions,
    hooks: RunHooks,
) -> dict[Key, AnswerRecord]:
    if not jobs:
        return {}
    todo: queue.SimpleQueue[tuple[Vignette, int]] = queue.SimpleQueue()
    for job in jobs:
        todo.put(job)
    results: queue.SimpleQueue[Arrival] = queue.SimpleQueue()
    stop = threading.Event()
    deadline = _deadline(options)
    watch = AvailabilityWatch(len(jobs))

    def work(seed: int) -> None:
        try:
            serve(seed)
        finally:
            release_call_thread()

    def serve(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            try:
                vignette, epoch = todo.get_nowait()
            except queue.Empty:
                return
            try:
                record = _answer(system, vignette, epoch, options, hooks.cache, stop, deadline,
                                 rng)
                if not record.cached and watch.observe(record):
                    stop.set()  # unreachable: take no further job
                results.put(record)
            except BaseException as exc:
                results.put(WorkerCrash(exc))
                return

    workers = [
        threading.Thread(target=work, args=(i,), name=f"backtriage-worker-{i}", daemon=True)
        for i in range(min(max(1, options.concurrency), len(jobs)))
    ]
    for worker in workers:
        worker.start()

    collected = hooks.collected(jobs)

    def wind_down() -> None:
        stop.set()
        drain_until = time.monotonic() + DRAIN_SECONDS
        for worker in workers:
            worker.join(timeout=max(0.0, drain_until - time.monotonic()))

    try:
        run_while_waiting(hooks.while_waiting, results, collected)
        consume(results, collected, watch, deadline, hooks.flush, wind_down)
    finally:
        stop.set()
        if hooks.flush:
            hooks.flush()
    return collected.records
