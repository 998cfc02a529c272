"""The engine: calling systems over a corpus and recording every answer."""

from backtriage.harness.engine.availability import NoVerdict
from backtriage.harness.engine.options import EngineOptions
from backtriage.harness.engine.records import AnswerRecord, Attempt
from backtriage.harness.engine.runner import run_system

__all__ = ["AnswerRecord", "Attempt", "EngineOptions", "NoVerdict", "run_system"]
