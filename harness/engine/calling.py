"""Calling a system once for one presentation, turning every failure into a record."""

from __future__ import annotations

import time

from harness.engine.records import AnswerRecord, Attempt
from harness.model import Decision, Presentation
from harness.systems.decision_parsing import decision_from_obj
from harness.systems.protocol import Reply, SystemFailure, TriageSystem


def call_once(system: TriageSystem, presentation: Presentation, vignette_id: str, epoch: int) -> AnswerRecord:
    """Call ``system.triage`` once; any exception becomes an error record (fail closed)."""
    start = time.perf_counter()
    raw: str | None = None
    metadata: dict[str, object] = {}
    try:
        answer = system.triage(presentation)
        if isinstance(answer, Reply):
            raw, metadata = answer.raw, dict(answer.metadata)
            answer = answer.decision
        # Re-validate whatever came back: a buggy adapter must not smuggle in a bad decision.
        decision: Decision | None = decision_from_obj(answer, raw=raw)
        error = None
    except SystemFailure as exc:
        decision, error, raw = None, f"{type(exc).__name__}: {exc}", exc.raw or raw
    except Exception as exc:
        decision, error = None, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    attempt = Attempt(1, decision is not None, seconds, error)
    return AnswerRecord(vignette_id, epoch, decision, error, raw, (attempt,), seconds, metadata)
