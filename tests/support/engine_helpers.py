"""Shortcuts for engine tests: quick options and running a system over a small corpus."""

from __future__ import annotations

from typing import Any

from backtriage.harness.engine import AnswerRecord, EngineOptions, run_system
from backtriage.harness.engine.calling import call_with_retries
from backtriage.harness.loading import Corpus
from backtriage.harness.systems.protocol import TriageSystem


def quick(**overrides: Any) -> EngineOptions:
    """Engine options with tiny backoffs so retry tests take milliseconds, not seconds."""
    base: dict[str, Any] = {"concurrency": 4, "retries": 2, "backoff": 0.01, "backoff_max": 0.05,
                            "timeout": 5.0}
    return EngineOptions(**{**base, **overrides})


def run_all(system: TriageSystem, corpus: Corpus, **overrides: Any) -> list[AnswerRecord]:
    """Run ``system`` over ``corpus`` with :func:`quick` options and close it."""
    try:
        return run_system(system, corpus.vignettes, quick(**overrides))
    finally:
        system.close()


def ask_once(system: TriageSystem, corpus: Corpus, **overrides: Any) -> AnswerRecord:
    """Ask ``system`` about the first vignette, with retries as :func:`quick` sets them."""
    vignette = corpus.vignettes[0]
    return call_with_retries(system, vignette.presentation, vignette.id, 0, quick(**overrides))


def outcomes(records: list[AnswerRecord]) -> list[str]:
    """Each record's urgency, or ``error``."""
    return [r.decision.urgency if r.decision else "error" for r in records]
