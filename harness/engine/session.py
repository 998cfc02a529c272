"""One engine run with its storage: the journal, the response cache and the progress display."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backtriage.harness.engine.cache import ResponseCache
from backtriage.harness.engine.journal import Journal
from backtriage.harness.engine.options import EngineOptions
from backtriage.harness.engine.progress import IsMiss, Progress
from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.engine.runner import VignetteStream, run_system
from backtriage.harness.model import Vignette
from backtriage.harness.systems.protocol import TriageSystem


@dataclass(frozen=True)
class RunStorage:
    """Where a run keeps its answers and how it reports progress.

    Attributes:
        output_dir: folder of the journal (``journal.jsonl``); ``None`` keeps no journal.
        resume: continue the journal found in ``output_dir`` instead of starting afresh.
        retry_errors: when resuming, ask again the answers that ended in an error.
        cache_dir: folder of the response cache; ``None`` disables it.
        progress: show progress on stderr (a bar on a terminal, sparse lines otherwise).
    """

    output_dir: Path | None = None
    resume: bool = False
    retry_errors: bool = False
    cache_dir: Path | None = None
    progress: bool = False


@dataclass(frozen=True)
class SessionResult:
    """The answers of a run and how they were obtained.

    Attributes:
        records: one per (vignette, epoch), sorted by id then epoch.
        started_at: when the run first started (the journal's time on a resumed run).
        stats: answers ``resumed`` from the journal, served from the ``cached`` store, newly
            ``asked``, and ``not_attempted`` because of the total time cap.
        cache_write_failure: why the response cache stopped storing answers, if it did (the
            run went on without it).
    """

    records: tuple[AnswerRecord, ...]
    started_at: str
    stats: dict[str, int]
    cache_write_failure: str | None = None


def run_session(
    system: TriageSystem,
    vignettes: Sequence[Vignette] | VignetteStream,
    options: EngineOptions,
    storage: RunStorage,
    identity: Mapping[str, Any],
    started_at: str,
    is_miss: IsMiss | None = None,
    observe: Callable[[AnswerRecord], None] | None = None,
    while_waiting: Callable[[], None] | None = None,
) -> SessionResult:
    """Run ``system`` with a journal, a cache and progress as ``storage`` asks.

    Args:
        system: the system to ask.
        vignettes: the cases to ask about (a stream: still being built; see ``runner``).
        options: engine options.
        storage: journal, cache and progress settings.
        identity: what makes two runs the same run; a resumed journal must match it.
        started_at: this run's start time (kept only when no journal is resumed).
        is_miss: tells the progress display which answers are misses.
        observe: sees each final record as it arrives, after the journal has it.
        while_waiting: work done while the first calls wait (see ``run_system``).

    Raises:
        InputError: if ``--resume`` finds the journal of a different run.
        NoVerdict: if the system could not be reached; the journal keeps what was answered.
    """
    journal: Journal | None = None
    completed: tuple[AnswerRecord, ...] = ()
    if storage.output_dir is not None:
        if storage.resume:
            journal, completed = Journal.resume(
                storage.output_dir, identity, options.to_dict(), started_at
            )
            if storage.retry_errors:
                completed = tuple(r for r in completed if r.decision is not None)
            # A call that never reached the system is no answer of its: ask it again.
            completed = tuple(r for r in completed if not r.unavailable)
        else:
            journal = Journal.start(storage.output_dir, identity, options.to_dict(), started_at)
    cache = (
        ResponseCache(storage.cache_dir, {"spec": system.spec, **system.describe()})
        if storage.cache_dir is not None else None
    )
    progress = Progress(is_miss=is_miss) if storage.progress else None
    on_record = _chain(journal.append if journal else None, observe)
    try:
        records = run_system(
            system, vignettes, options, on_record,
            completed=completed, cache=cache, progress=progress,
            flush=journal.flush if journal else None, while_waiting=while_waiting,
        )
    finally:
        if journal:
            journal.close()
        if cache:
            cache.close()
    resumed = {(r.vignette_id, r.epoch) for r in completed}
    stats = {
        "resumed": sum(1 for r in records if (r.vignette_id, r.epoch) in resumed),
        "cached": sum(
            1 for r in records if r.cached and (r.vignette_id, r.epoch) not in resumed
        ),
        "not_attempted": sum(1 for r in records if not r.final),
    }
    stats["asked"] = len(records) - stats["resumed"] - stats["cached"] - stats["not_attempted"]
    first_start = journal.started_at if journal and journal.started_at else started_at
    return SessionResult(tuple(records), first_start, stats,
                         cache.write_failure if cache else None)


def _chain(
    first: Callable[[AnswerRecord], None] | None, then: Callable[[AnswerRecord], None] | None
) -> Callable[[AnswerRecord], None] | None:
    """One record callback that calls ``first`` and then ``then`` (either may be absent)."""
    if first is None or then is None:
        return first or then

    def both(record: AnswerRecord) -> None:
        first(record)
        then(record)

    return both
