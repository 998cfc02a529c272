"""The engine: calling systems over a corpus and recording every answer."""

from harness.engine.options import EngineOptions
from harness.engine.records import AnswerRecord, Attempt
from harness.engine.runner import run_system

__all__ = ["AnswerRecord", "Attempt", "EngineOptions", "run_system"]
