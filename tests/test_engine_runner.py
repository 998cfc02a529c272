"""The engine: bounded concurrency, id order out, the total time cap, epochs and pass^k."""

from __future__ import annotations

import random
import threading
import time
from pathlib import Path
from typing import Any

from backtriage.harness.engine import run_system
from backtriage.harness.engine.calling import CAP_NOT_ATTEMPTED
from backtriage.harness.model import Decision, Presentation
from backtriage.harness.runs.evaluation import evaluate, results_document
from backtriage.harness.systems.protocol import TransientError
from backtriage.scoring.policy import load_policy
from backtriage.scoring.scorecard import render_scorecard
from tests.support.engine_corpus import engine_corpus
from tests.support.engine_helpers import quick
from tests.support.scripted_server import EMERGENCY, SELF_CARE

RIGHT = {True: Decision.from_dict(EMERGENCY), False: Decision.from_dict(SELF_CARE)}


class Counting:
    """Answers correctly after a random short sleep, tracking calls in flight."""

    spec = "counting"

    def __init__(self, sleep: float = 0.02, answers: dict[int, bool] | None = None):
        self.sleep = sleep
        self.in_flight = 0
        self.peak = 0
        self.calls: list[str] = []
        self.lock = threading.Lock()
        self.rng = random.Random(0)

    def triage(self, presentation: Presentation) -> Decision:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.calls.append(presentation.narrative)
            pause = self.rng.uniform(0, self.sleep)
        time.sleep(pause)
        with self.lock:
            self.in_flight -= 1
        return RIGHT["retention" in presentation.narrative]

    def describe(self) -> dict[str, Any]:
        return {"kind": "counting"}

    def close(self) -> None:
        pass


def test_concurrency_is_bounded_and_reached(tmp_path: Path) -> None:
    corpus = engine_corpus(tmp_path, 40)
    system = Counting(sleep=0.05)
    records = run_system(system, corpus.vignettes, quick(concurrency=5))
    assert system.peak == 5
    assert len(records) == 40 and len(system.calls) == 40


def test_records_come_back_in_id_order_whatever_the_completion_order(tmp_path: Path) -> None:
    corpus = engine_corpus(tmp_path, 30)
    seen: list[str] = []
    records = run_system(Counting(sleep=0.03), corpus.vignettes, quick(concurrency=8, epochs=2),
                         on_record=lambda r: seen.append(f"{r.vignette_id}/{r.epoch}"))
    keys = [(r.vignette_id, r.epoch) for r in records]
    assert keys == sorted(keys) and len(keys) == 60
    assert seen != sorted(seen)  # they did complete out of order
    assert sorted(seen) == sorted(f"{v}/{e}" for v, e in keys)


def test_the_total_time_cap_records_the_rest_as_errors_in_every_denominator(
    tmp_path: Path,
) -> None:
    corpus = engine_corpus(tmp_path, 12)

    class Slow(Counting):
        def triage(self, presentation: Presentation) -> Decision:
            time.sleep(0.25)
            return super().triage(presentation)

    start = time.monotonic()
    result = evaluate(Slow(sleep=0), corpus, load_policy(), quick(concurrency=2,
                                                                  max_total_seconds=0.6))
    assert time.monotonic() - start < 3
    records = result.records
    assert len(records) == 12  # nothing dropped
    answered = [r for r in records if r.decision is not None]
    capped = [r for r in records if r.decision is None]
    assert 2 <= len(answered) <= 6 and capped
    assert all(not r.final and "total time cap" in (r.error or "") for r in capped)
    assert any(r.error == CAP_NOT_ATTEMPTED for r in capped)
    m = result.metrics["all"]
    assert m["n_vignettes"] == 12 and m["errors"] == len(capped)
    assert m["rates"]["error_rate"]["denominator"] == 12
    doc = results_document(result)
    assert doc["run"]["not_attempted"] == len(capped)


def test_a_call_in_flight_at_the_cap_is_cut_short(tmp_path: Path) -> None:
    corpus = engine_corpus(tmp_path, 2)

    class Hung(Counting):
        def triage(self, presentation: Presentation) -> Decision:
            time.sleep(30)
            raise AssertionError("never")

    start = time.monotonic()
    records = run_system(Hung(), corpus.vignettes, quick(concurrency=2, timeout=60,
                                                         max_total_seconds=0.3))
    assert time.monotonic() - start < 2
    assert all("total time cap reached during the call" in (r.error or "") for r in records)


class Flaky:
    """Epoch-dependent answers: vignette e-0000 (an emergency) is missed on its second call."""

    spec = "flaky"

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()

    def triage(self, presentation: Presentation) -> Decision:
        emergency = "retention" in presentation.narrative
        with self.lock:
            n = self.counts[presentation.narrative] = self.counts.get(presentation.narrative, 0) + 1
        if "Case 0." in presentation.narrative and n == 2:
            return RIGHT[False]
        if "Case 1." in presentation.narrative and n == 3:
            raise TransientError("flaky")
        return RIGHT[emergency]

    def describe(self) -> dict[str, Any]:
        return {"kind": "flaky"}

    def close(self) -> None:
        pass


def test_epochs_worst_answer_decides_with_pass_k_and_flip_rate(tmp_path: Path) -> None:
    corpus = engine_corpus(tmp_path, 6)
    result = evaluate(Flaky(), corpus, load_policy(), quick(epochs=3, concurrency=1, retries=0))
    m = result.metrics["all"]
    assert m["n_epochs"] == 3
    assert m["critical_misses"] == 1  # one miss in three answers is a critical miss
    assert m["rates"]["pass_all_epochs"]["count"] == 4  # e-0000 and e-0001 failed an epoch
    doc = results_document(result)
    by_id = {v["id"]: v for v in doc["vignettes"]}
    assert abs(by_id["e-0000"]["flip_rate"] - 1 / 3) < 1e-9
    assert by_id["e-0000"]["pass_all_epochs"] is False
    assert "critical_miss" in by_id["e-0000"]["outcomes"]
    assert abs(by_id["e-0001"]["flip_rate"] - 1 / 3) < 1e-9
    assert "error" in by_id["e-0001"]["outcomes"]
    assert by_id["e-0002"]["flip_rate"] == 0 and by_id["e-0002"]["pass_all_epochs"] is True
    assert [a["epoch"] for a in by_id["e-0000"]["answers"]] == [0, 1, 2]
    assert abs(doc["metrics"]["mean_flip_rate"] - (2 / 3) / 6) < 1e-9
    text = render_scorecard(doc)
    assert "EPOCHS  3 answers per vignette" in text
    assert "pass^3 (all 3 acceptable) 4/6 = 66.7%" in text
    assert "mean flip rate 11.1%, 2 vignette(s) changed answer" in text


def test_single_epoch_scorecard_has_no_epochs_line(tmp_path: Path) -> None:
    corpus = engine_corpus(tmp_path, 3)
    doc = results_document(evaluate(Counting(0), corpus, load_policy(), quick()))
    assert "EPOCHS" not in render_scorecard(doc)
