"""Grading collected answers (``backtriage grade``): read the file, score it like a run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
    from backtriage.harness.grading.answers_file import (
        ANSWER_FORMATS,
        AnswersFile,
        CollectedAnswer,
        read_answers,
    )
    from backtriage.harness.grading.grade import NO_ANSWER, grade_answers

_EXPORTS = {
    "ANSWER_FORMATS": "backtriage.harness.grading.answers_file",
    "NO_ANSWER": "backtriage.harness.grading.grade",
    "AnswersFile": "backtriage.harness.grading.answers_file",
    "CollectedAnswer": "backtriage.harness.grading.answers_file",
    "grade_answers": "backtriage.harness.grading.grade",
    "read_answers": "backtriage.harness.grading.answers_file",
}

__all__ = ["ANSWER_FORMATS", "NO_ANSWER", "AnswersFile", "CollectedAnswer", "grade_answers",
           "read_answers"]
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
