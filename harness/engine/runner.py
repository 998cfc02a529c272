"""Running a system over a corpus: bounded concurrency, every answer recorded, id order out."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from harness.engine.calling import call_once
from harness.engine.records import AnswerRecord
from harness.model import Vignette
from harness.systems.protocol import TriageSystem

OnRecord = Callable[[AnswerRecord], None]


@dataclass(frozen=True)
class EngineOptions:
    """How to run: concurrency and repeats.

    Attributes:
        concurrency: calls in flight at once (at least 1).
        epochs: answers asked per vignette.
    """

    concurrency: int = 4
    epochs: int = 1


def run_system(
    system: TriageSystem,
    vignettes: Iterable[Vignette],
    options: EngineOptions = EngineOptions(),
    on_record: OnRecord | None = None,
) -> list[AnswerRecord]:
    """Ask ``system`` about every vignette ``options.epochs`` times.

    Only the presentation reaches the system. ``on_record`` sees each record as it completes
    (for journals and progress). Records come back sorted by vignette id, then epoch.
    """
    jobs = [(v, e) for v in vignettes for e in range(options.epochs)]
    records: list[AnswerRecord] = []
    with ThreadPoolExecutor(max_workers=max(1, options.concurrency)) as pool:
        pending: set[Future[AnswerRecord]] = set()
        queue = iter(jobs)
        for v, e in _take(queue, max(1, options.concurrency) * 2):
            pending.add(pool.submit(call_once, system, v.presentation, v.id, e))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                record = future.result()
                records.append(record)
                if on_record:
                    on_record(record)
                for v, e in _take(queue, 1):
                    pending.add(pool.submit(call_once, system, v.presentation, v.id, e))
    return sorted(records, key=lambda r: (r.vignette_id, r.epoch))


def _take(queue: Iterable[tuple[Vignette, int]], n: int) -> list[tuple[Vignette, int]]:
    out = []
    for item in queue:
        out.append(item)
        if len(out) >= n:
            break
    return out
