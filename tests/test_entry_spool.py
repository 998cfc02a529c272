"""Entries made while a run goes on: the results file is the same, byte for byte, as without.

A system that waits (not one of the harness's inline rule systems) has its results entries
made as its answers arrive (``harness/runs/entry_spool.py``). These tests hold the spool to
what it promises: the file it helps write equals the one built at the end from the same
records, hostile replies and their replacement notes included; a spool that cannot write costs
only its head start; and an entry is never reused for records other than its own.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.engine import EngineOptions
from backtriage.harness.engine.records import AnswerRecord, record_text
from backtriage.harness.engine.session import RunStorage
from backtriage.harness.loading import load_corpus
from backtriage.harness.loading.corpus import Corpus
from backtriage.harness.model import Presentation
from backtriage.harness.runs import entry_spool
from backtriage.harness.runs.evaluation import (
    RunResult,
    entry_text,
    evaluate,
    results_document,
    vignette_entry,
)
from backtriage.harness.runs.results_io import safe_document, write_results
from backtriage.harness.safe_json import dumps_recorded, dumps_safe
from backtriage.harness.systems import resolve_system
from backtriage.harness.systems.protocol import Reply, SystemRaised
from backtriage.scoring.policy import load_policy
from backtriage.scoring.vignette_score import score_vignette
from tests.support.factory import mixed_corpus

_REFERENCE = resolve_system("reference")


@functools.cache
def _bundled() -> Corpus:
    return load_corpus()


class WaitingSystem:
    """The reference's answers from a system the engine calls on worker threads.

    Some replies carry what strict JSON cannot hold (NaN, a set, a lone surrogate), and one
    vignette's first epoch fails, so entries with replacement notes and errors are spooled too.
    """

    spec = "test:waiting"

    def __init__(self) -> None:
        self._reference = resolve_system("reference")
        self._calls = 0

    def triage(self, presentation: Presentation) -> Reply:
        self._calls += 1
        decision = self._reference.triage(presentation)
        if "numb" in presentation.narrative and self._calls % 3 == 0:
            raise SystemRaised("a failure the record keeps")
        return Reply(decision, raw="caf\udce9" if self._calls % 2 else "ok",
                     metadata={"cost": float("nan"), "tags": {"b", "a"}, "n": self._calls})

    def describe(self) -> dict[str, Any]:
        return {"kind": "test"}

    def close(self) -> None:
        self._reference.close()


def _run(tmp_path: Path, epochs: int = 2) -> RunResult:
    corpus = load_corpus([mixed_corpus(tmp_path / "corpus")])
    out = tmp_path / "out"
    out.mkdir()
    result = evaluate(WaitingSystem(), corpus, load_policy(None),
                      EngineOptions(epochs=epochs, concurrency=4, retries=0),
                      RunStorage(output_dir=out))
    return result


def _written(result: RunResult, folder: Path) -> bytes:
    path = write_results(folder, safe_document(results_document(result)), jsonl=True)
    return path.read_bytes() + (folder / "results.jsonl").read_bytes()


@pytest.mark.parametrize("epochs", [1, 2, 3])
def test_the_spooled_results_are_the_results_built_at_the_end(tmp_path: Path,
                                                              epochs: int) -> None:
    result = _run(tmp_path, epochs)
    assert result.spool is not None
    assert all(result.spool.made(s.vignette.id, [r for r in result.records
                                                 if r.vignette_id == s.vignette.id])
               for s in result.scores)  # every entry was made ahead
    spooled = _written(result, tmp_path / "spooled")
    built = _written(dataclasses.replace(result, spool=None), tmp_path / "built")
    assert spooled == built
    assert b"json_replacements" in spooled


def test_an_inline_rule_system_makes_no_spool(tmp_path: Path) -> None:
    corpus = load_corpus([mixed_corpus(tmp_path / "corpus")])
    result = evaluate(resolve_system("reference"), corpus, load_policy(None), EngineOptions())
    assert result.spool is None


def test_a_spool_that_cannot_write_costs_its_head_start_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write

    def full_disk(fd: int, data: Any) -> int:
        target = os.readlink(f"/proc/self/fd/{fd}")  # the spool: unlinked, in the output folder
        if str(tmp_path / "out") in target and ("(deleted)" in target or ".entries-" in target):
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(entry_spool, "_FLUSH_BYTES", 1)  # every entry is written at once
    monkeypatch.setattr(entry_spool.os, "write", full_disk)
    result = _run(tmp_path)
    monkeypatch.undo()
    assert result.spool is not None
    assert not any(result.spool.made(s.vignette.id, [r for r in result.records
                                                     if r.vignette_id == s.vignette.id])
                   for s in result.scores)
    assert _written(result, tmp_path / "a") == _written(
        dataclasses.replace(result, spool=None), tmp_path / "b")


def test_an_entry_is_reused_only_for_the_very_records_it_was_made_from(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result.spool is not None
    vid = result.scores[0].vignette.id
    mine = [r for r in result.records if r.vignette_id == vid]
    assert result.spool.made(vid, mine) is not None
    equal_copies = [dataclasses.replace(r) for r in mine]
    assert result.spool.made(vid, equal_copies) is None
    assert result.spool.made(vid, mine[:1]) is None
    assert result.spool.made("no-such-vignette", mine) is None


def test_records_replaced_after_the_spool_saw_them_are_written_as_they_now_are(
    tmp_path: Path,
) -> None:
    result = _run(tmp_path)
    records = list(result.records)
    random.Random(0).shuffle(records)
    changed = dataclasses.replace(records[0], seconds=123.0)
    records[0] = changed
    redone = dataclasses.replace(
        result, records=tuple(sorted(records, key=lambda r: (r.vignette_id, r.epoch))))
    written = _written(redone, tmp_path / "redone")
    assert b"123.0" in written
    assert written == _written(dataclasses.replace(redone, spool=None), tmp_path / "built")


_METADATA = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (st.lists(inner, max_size=3) | st.frozensets(st.integers(), max_size=2)
                   | st.dictionaries(st.text(max_size=4) | st.integers(), inner, max_size=3)),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(index=st.integers(0, 40), raws=st.lists(st.none() | st.text(max_size=8), min_size=1,
                                                max_size=3),
       metadata=st.lists(st.dictionaries(st.text(max_size=5), _METADATA, max_size=3),
                         min_size=3, max_size=3), odd_rationale=st.booleans())
def test_an_entry_with_each_answer_put_in_as_written_is_the_entry_serialised_whole(
    index: int, raws: list[str | None], metadata: list[dict[str, Any]], odd_rationale: bool
) -> None:
    """Whatever the answers hold (NaN, sets, lone surrogates, keys that are not text) and
    whatever the rest of the entry does, the entry made from the journal's text of each
    answer is the entry serialised whole, text and replacements; and the journal's line of
    an answer is the line it always wrote."""
    vignette = _bundled().vignettes[index]
    if odd_rationale:  # a label no strict file holds: the head itself needs a replacement
        vignette = dataclasses.replace(vignette, rationale="caf\udce9")
    records = [AnswerRecord(vignette.id, k, _REFERENCE.triage(vignette.presentation), None,
                            raw=raw, metadata=metadata[k]) for k, raw in enumerate(raws)]
    score = score_vignette(vignette, [r.decision for r in records])
    for record in records:
        text = record_text(record)
        assert (text or dumps_recorded(record.to_dict(), compact=True)) == dumps_recorded(
            record.to_dict(), compact=True)
    assert entry_text(score, records) == dumps_safe(vignette_entry(score, records), compact=True)
