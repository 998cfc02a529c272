"""Grading collected answers exactly like a run: records, scores, gates and results.

Each answer becomes the engine's :class:`AnswerRecord` (decision or error, the raw text, the
extractor's evidence in ``metadata.extraction``), and from there the run's own scoring,
gating and results document take over, so the two cannot drift apart.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from backtriage.harness.engine import AnswerRecord, EngineOptions
from backtriage.harness.extraction import Extractor
from backtriage.harness.extraction.extraction import ExtractionFailed
from backtriage.harness.grading.answers_file import AnswersFile
from backtriage.harness.loading import Corpus
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.runs.evaluation import RunResult, now_iso, result_from_records
from backtriage.harness.systems.adapters.llm_reply import decision_from_text
from backtriage.harness.systems.protocol import InvalidAnswer
from backtriage.scoring.policy import Policy

NO_ANSWER = "no answer in the answers file (fails closed)"


def grade_answers(
    answers: AnswersFile,
    corpus: Corpus,
    policy: Policy,
    extractor: Extractor,
    *,
    answer_format: str = "auto",
    subset: bool = False,
    system_name: str | None = None,
) -> RunResult:
    """Score a file of collected answers against ``corpus``.

    Args:
        answers: the checked file.
        corpus: the vignettes the answers belong to.
        policy: the gates.
        extractor: reads prose answers.
        answer_format: ``text`` (always the extractor), ``json`` (always a decision object),
            or ``auto`` (a decision object when the text starts with ``{``, else prose).
        subset: grade only the vignettes that have an answer; otherwise every vignette without
            one is an error outcome.
        system_name: overrides the file's ``system`` name.

    Raises:
        InputError: naming the line and id of every answer to a vignette not in the corpus.
    """
    known = {v.id for v in corpus.vignettes}
    unknown = [a for a in answers.answers if a.vignette_id not in known]
    if unknown:
        raise InputError([Problem(answers.path, f"line {a.line}", "no such vignette in the corpus",
                                  vignette_id=a.vignette_id) for a in unknown])
    epochs = 1 + max((a.epoch for a in answers.answers), default=0)
    if subset:
        answered = {a.vignette_id for a in answers.answers}
        corpus = dataclasses.replace(
            corpus, vignettes=tuple(v for v in corpus.vignettes if v.id in answered))
    records = {(a.vignette_id, a.epoch): _record(a.vignette_id, a.epoch, a.answer, extractor,
                                                 answer_format) for a in answers.answers}
    for vignette in corpus.vignettes:
        for epoch in range(epochs):
            records.setdefault((vignette.id, epoch),
                               AnswerRecord(vignette.id, epoch, None, NO_ANSWER))
    name = system_name or answers.system or f"answers:{answers.path}"
    info: dict[str, Any] = {
        "kind": "graded",
        "answers_file": answers.path,
        "answers_sha256": answers.sha256,
        "extractor": extractor.name,
        "answer_format": answer_format,
    }
    result = result_from_records(name, info, corpus, EngineOptions(epochs=epochs), policy,
                                 list(records.values()), now_iso())
    extra_corpus = {"subset": True, "n_answered": len(corpus)} if subset else {}
    return dataclasses.replace(result, extra={**result.extra, "corpus": extra_corpus}
                               if subset else result.extra)


def _record(vid: str, epoch: int, text: str, extractor: Extractor,
            answer_format: str) -> AnswerRecord:
    try:
        if answer_format == "json" or (answer_format == "auto" and text.lstrip().startswith("{")):
            decision = decision_from_text(text)
            return AnswerRecord(vid, epoch, decision, None, raw=text,
                                metadata={"extraction": {"extractor": "json", "evidence": {}}})
        extraction = extractor.extract(text)
    except (ExtractionFailed, InvalidAnswer) as exc:
        return AnswerRecord(vid, epoch, None, f"{type(exc).__name__}: {exc}", raw=text)
    return AnswerRecord(vid, epoch, extraction.decision, None, raw=text,
                        metadata={"extraction": extraction.to_metadata()})

