"""The engine: calling systems over a corpus and recording every answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
    from backtriage.harness.engine.availability import NoVerdict
    from backtriage.harness.engine.options import EngineOptions
    from backtriage.harness.engine.records import AnswerRecord, Attempt
    from backtriage.harness.engine.runner import run_system

_EXPORTS = {
    "AnswerRecord": "backtriage.harness.engine.records",
    "Attempt": "backtriage.harness.engine.records",
    "EngineOptions": "backtriage.harness.engine.options",
    "NoVerdict": "backtriage.harness.engine.availability",
    "run_system": "backtriage.harness.engine.runner",
}

__all__ = ["AnswerRecord", "Attempt", "EngineOptions", "NoVerdict", "run_system"]
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
