"""Calls reuse one thread per engine worker; a hung call is abandoned and leaves no leak."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from backtriage.harness.engine import EngineOptions
from backtriage.harness.engine.runner import run_system
from backtriage.harness.model import Decision, Presentation
from tests.support.engine_corpus import engine_corpus

_DECISION = Decision("self_care", "none", "nonspecific")


class _Counting:
    """Records the thread each call ran on; hangs on the vignettes it is told to."""

    spec = "test:counting"

    def __init__(self, hang: set[str] | None = None) -> None:
        self.threads: set[int] = set()
        self.hang = hang or set()
        self.release = threading.Event()

    def triage(self, presentation: Presentation) -> Decision:
        self.threads.add(threading.get_ident())
        if any(h in presentation.narrative for h in self.hang):
            self.release.wait(30)
        return _DECISION

    def describe(self) -> dict[str, str]:
        return {"kind": "test"}

    def close(self) -> None:
        pass


def _call_threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "backtriage-call")


def test_each_worker_reuses_one_calling_thread_and_ends_it(tmp_path: Path) -> None:
    corpus = engine_corpus(tmp_path / "c", 24)
    system = _Counting()
    before = _call_threads()
    records = run_system(system, corpus.vignettes, EngineOptions(concurrency=3))
    assert len(records) == 24 and all(r.decision == _DECISION for r in records)
    assert len(system.threads) <= 3  # not one thread per call
    deadline = time.monotonic() + 5
    while _call_threads() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _call_threads() == before


def test_a_call_that_overruns_is_abandoned_and_the_next_gets_a_new_thread(tmp_path: Path) -> None:
    corpus = engine_corpus(tmp_path / "c", 6)
    system = _Counting(hang={"Case 0."})
    try:
        records = run_system(system, corpus.vignettes,
                             EngineOptions(concurrency=1, timeout=0.05, retries=0))
    finally:
        system.release.set()
    by_id = {r.vignette_id: r for r in records}
    assert "engine timeout" in (by_id["e-0000"].error or "")
    assert all(r.decision == _DECISION for vid, r in by_id.items() if vid != "e-0000")
    assert len(system.threads) == 2  # the hung thread, then one new thread for the rest


def test_the_rule_systems_run_in_the_calling_thread_and_still_respect_the_cap(
    tmp_path: Path,
) -> None:
    from backtriage.harness.systems import resolve_system

    corpus = engine_corpus(tmp_path / "c", 12)
    reference = resolve_system("reference")
    seen: list[str] = []
    records = run_system(reference, corpus.vignettes, EngineOptions(concurrency=4),
                         on_record=lambda r: seen.append(threading.current_thread().name))
    assert all(r.decision is not None for r in records)
    assert set(seen) == {threading.main_thread().name}
    capped = run_system(reference, corpus.vignettes,
                        EngineOptions(concurrency=4, max_total_seconds=0.000001))
    assert len(capped) == 12  # nothing leaves the denominator
    assert any(not r.final and r.decision is None for r in capped)
