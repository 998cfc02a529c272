"""Grading collected answers (``backtriage grade``): read the file, score it like a run."""

from __future__ import annotations

from backtriage.harness.grading.answers_file import AnswersFile, CollectedAnswer, read_answers
from backtriage.harness.grading.grade import ANSWER_FORMATS, NO_ANSWER, grade_answers

__all__ = ["ANSWER_FORMATS", "NO_ANSWER", "AnswersFile", "CollectedAnswer", "grade_answers",
           "read_answers"]
