"""The opt-in response cache: a rerun is free, errors are never cached, the key is complete."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.engine.cache import (
    MERGE_AT,
    STALE_HIDDEN_SECONDS,
    ResponseCache,
    merge_segments,
)
from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.engine.session import RunStorage
from backtriage.harness.loading import Corpus, load_corpus
from backtriage.harness.model import Decision, canonical_json
from backtriage.harness.runs.evaluation import RunResult, evaluate
from backtriage.harness.systems import resolve_system
from backtriage.scoring.policy import load_policy
from tests.support.cache_files import entries, entry_lines, rewrite_entries, segments
from tests.support.engine_corpus import engine_corpus
from tests.support.engine_helpers import quick
from tests.support.scripted_server import (
    Scripted,
    ScriptedServer,
    Sequence,
    openai_body,
    openai_model,
)


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    return engine_corpus(tmp_path / "corpus", 6)


def _run(url: str, corpus: Corpus, cache: Path, epochs: int = 1, **settings: Any) -> RunResult:
    system = resolve_system("openai:m", {"base_url": url, **settings})
    try:
        return evaluate(system, corpus, load_policy(), quick(epochs=epochs),
                        RunStorage(cache_dir=cache))
    finally:
        system.close()


def test_a_rerun_is_served_from_the_cache(corpus: Corpus, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with ScriptedServer(openai_model) as server:
        first = _run(server.url, corpus, cache, epochs=2)
        assert len(server.requests) == 12
        second = _run(server.url, corpus, cache, epochs=2)
        assert len(server.requests) == 12  # nothing asked again
        third = _run(server.url, corpus, cache, epochs=3)
        assert len(server.requests) == 18  # only the new epoch is asked
    assert len(entries(cache)) == 18
    assert second.extra["run"]["cached"] == 12 and all(r.cached for r in second.records)
    assert [r.decision for r in second.records] == [r.decision for r in first.records]
    assert [r.raw for r in second.records] == [r.raw for r in first.records]
    assert third.extra["run"] == {"resumed": 0, "cached": 12, "not_attempted": 0, "asked": 6}
    entry = entries(cache)[0]
    assert entry["system"]["model"] == "m" and "presentation_sha256" in entry


def test_errors_are_never_cached(corpus: Corpus, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    bad = Scripted(body=openai_body("not json"))
    with ScriptedServer(Sequence([bad] * 6 + [openai_model])) as server:
        first = _run(server.url, corpus, cache)
        assert first.metrics["all"]["errors"] == 6 and entries(cache) == []
        second = _run(server.url, corpus, cache)
    assert len(server.requests) == 12 and second.metrics["all"]["errors"] == 0


@pytest.mark.parametrize("change", [
    {"temperature": 0.7}, {"max_tokens": 50}, {"seed": 3}, {"structured_output": "none"},
    {"params": {"top_p": 0.9}},
])
def test_anything_that_changes_the_answer_changes_the_key(
    corpus: Corpus, tmp_path: Path, change: dict[str, Any]
) -> None:
    cache = tmp_path / "cache"
    with ScriptedServer(openai_model) as server:
        _run(server.url, corpus, cache)
        _run(server.url, corpus, cache, **change)
    assert len(server.requests) == 12


def test_model_base_url_template_presentation_and_epoch_are_in_the_key(
    corpus: Corpus, tmp_path: Path
) -> None:
    template = tmp_path / "t.txt"
    template.write_text("[user]\n$narrative\n")
    specs = [("openai:a", {}), ("openai:b", {}), ("openai:a", {"base_url": "http://127.0.0.1:2/v1"}),
             ("openai:a", {"prompt_template": str(template)})]
    keys = set()
    for spec, extra in specs:
        system = resolve_system(spec, {"base_url": "http://127.0.0.1:1/v1", **extra})
        cache = ResponseCache(tmp_path / "c", {"spec": system.spec, **system.describe()})
        keys.add(cache.key(corpus.vignettes[0], 0))
        system.close()
    assert len(keys) == 4
    assert cache.key(corpus.vignettes[0], 0) != cache.key(corpus.vignettes[0], 1)
    assert cache.key(corpus.vignettes[0], 0) != cache.key(corpus.vignettes[1], 0)


def test_a_damaged_entry_is_a_miss(corpus: Corpus, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with ScriptedServer(openai_model) as server:
        _run(server.url, corpus, cache)
        assert rewrite_entries(
            cache, lambda key: f'{{"key":"{key}","decision":{{"urgency":"whenever"}}}}') == 6
        again = _run(server.url, corpus, cache)
    assert len(server.requests) == 12 and again.metrics["all"]["errors"] == 0


def test_cache_flag_on_the_command_line(tmp_path: Path, corpus: Corpus) -> None:
    from backtriage.harness.cli.main import main

    corpus_dir = Path(corpus.roots[0])
    cache = tmp_path / "cli-cache"
    with ScriptedServer(openai_model) as server:
        argv = ["run", "--system", "openai:m", "--corpus", str(corpus_dir), "--quiet",
                "--cache", str(cache), "--no-progress"]
        config = tmp_path / "bt.yaml"
        config.write_text(f"adapter:\n  base_url: {server.url}\n")
        assert main([*argv, "--config", str(config), "--output", str(tmp_path / "a")]) == 0
        assert main([*argv, "--config", str(config), "--output", str(tmp_path / "b")]) == 0
    assert len(server.requests) == 6
    doc = json.loads((tmp_path / "b" / "results.json").read_text())
    assert doc["run"]["cached"] == 6


@settings(max_examples=50, deadline=None)
@given(identity=st.dictionaries(st.text(max_size=8), st.text(max_size=20) | st.integers(),
                                max_size=5),
       epoch=st.integers(0, 50), which=st.integers(0, 5))
def test_the_key_is_the_hash_of_its_inputs_as_canonical_json(
    identity: dict[str, Any], epoch: int, which: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The key is spelled out for speed; it must stay exactly the hash of what key_inputs shows.
    corpus = _bundled()
    cache = ResponseCache(tmp_path_factory.mktemp("cache"), {"spec": "x", **identity})
    vignette = corpus.vignettes[which]
    text = canonical_json(cache.key_inputs(vignette, epoch))
    assert cache.key(vignette, epoch) == hashlib.sha256(text.encode("utf-8")).hexdigest()


@functools.cache
def _bundled() -> Corpus:
    return load_corpus()


def test_a_rerun_whose_answers_are_all_cached_starts_no_worker(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScriptedServer(openai_model) as server:
        _run(server.url, corpus, tmp_path / "cache")
        import backtriage.harness.engine.runner as runner

        def no_thread(*args: Any, **kwargs: Any) -> Any:
            raise AssertionError("a worker thread was started for a fully cached rerun")

        monkeypatch.setattr(runner.threading, "Thread", no_thread)
        again = _run(server.url, corpus, tmp_path / "cache")
    assert all(r.cached for r in again.records) and len(again.records) == len(corpus.vignettes)


def _record(vignette_id: str, epoch: int = 0) -> AnswerRecord:
    decision = Decision("routine", "none", "nonspecific", (), rationale="r")
    return AnswerRecord(vignette_id, epoch, decision, None, raw="{}")


def _rerun_after(
    corpus: Corpus, cache: Path, change: Callable[[Path], object] = lambda cache: None
) -> tuple[RunResult, int]:
    """Fill ``cache`` with one run, ``change`` its files, run again; the rerun and all requests.

    The rerun is watched from another thread, so a cache read that blocks fails the test
    instead of hanging it.
    """
    with ScriptedServer(openai_model) as server:
        _run(server.url, corpus, cache)
        change(cache)
        done: list[RunResult] = []
        rerun = threading.Thread(target=lambda: done.append(_run(server.url, corpus, cache)),
                                 daemon=True)
        rerun.start()
        rerun.join(timeout=60)
        assert done, "the rerun did not finish: a cache read blocked"
    return done[0], len(server.requests)


def test_a_rerun_served_whole_from_the_cache_writes_no_segment(
    corpus: Corpus, tmp_path: Path
) -> None:
    _rerun_after(corpus, tmp_path / "cache")
    assert len(segments(tmp_path / "cache")) == 1 and len(entries(tmp_path / "cache")) == 6


def test_caches_writing_the_same_folder_at_once_keep_their_lines_apart(
    corpus: Corpus, tmp_path: Path
) -> None:
    identity = {"spec": "x"}
    first, second = ResponseCache(tmp_path, identity), ResponseCache(tmp_path, identity)
    threads = [
        threading.Thread(target=lambda c=c, v=v: c.put(v, _record(v.id)))
        for v in corpus.vignettes for c in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first.close()
    second.close()
    assert len(segments(tmp_path)) == 2
    assert len(entries(tmp_path)) == 2 * len(corpus.vignettes)  # every line whole
    reader = ResponseCache(tmp_path, identity)
    assert all(reader.get(v, 0) is not None for v in corpus.vignettes)
    assert reader.get(corpus.vignettes[0], 1) is None  # another epoch is another key


def _cut_the_last_line_short(cache: Path) -> None:
    (segment,) = segments(cache)
    text = segment.read_text(encoding="utf-8")
    segment.write_text(text[: len(text) - 20], encoding="utf-8")  # as a full disk leaves it


def test_a_line_cut_short_is_a_miss_and_the_lines_before_it_are_served(
    corpus: Corpus, tmp_path: Path
) -> None:
    again, requests = _rerun_after(corpus, tmp_path / "cache", _cut_the_last_line_short)
    assert again.extra["run"]["cached"] == 5 and again.extra["run"]["asked"] == 1
    assert requests == 7


def _as_one_file_per_answer(cache: Path) -> None:
    lines = entry_lines(cache)
    for path in segments(cache):
        path.unlink()
    for line in lines:
        key = json.loads(line)["key"]
        (cache / key[:2]).mkdir(exist_ok=True)
        (cache / key[:2] / f"{key}.json").write_text(line, encoding="utf-8")


def test_entries_of_the_one_file_per_answer_layout_are_still_read(
    corpus: Corpus, tmp_path: Path
) -> None:
    again, requests = _rerun_after(corpus, tmp_path / "cache", _as_one_file_per_answer)
    assert again.extra["run"]["cached"] == 6 and requests == 6


def test_a_fifo_named_like_a_segment_is_skipped_without_blocking(
    corpus: Corpus, tmp_path: Path
) -> None:
    again, _ = _rerun_after(
        corpus, tmp_path / "cache", lambda cache: os.mkfifo(segments(cache)[0].parent / "0.jsonl")
    )
    assert again.extra["run"]["cached"] == 6


def _system_folder(cache: Path, url: str) -> Path:
    """Where the cache keeps the segments of ``openai:m`` at ``url``."""
    system = resolve_system("openai:m", {"base_url": url})
    try:
        return ResponseCache(cache, {"spec": system.spec, **system.describe()})._segments
    finally:
        system.close()


def test_a_cache_that_cannot_be_written_costs_the_cache_not_the_run(
    tmp_path: Path, corpus: Corpus, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file where the system's folder goes (as a full disk would) ends the writes only."""
    from backtriage.harness.cli.main import main

    cache = tmp_path / "cli-cache"
    with ScriptedServer(openai_model) as server:
        blocked = _system_folder(cache, server.url)
        blocked.parent.mkdir(parents=True, exist_ok=True)
        blocked.write_text("not a folder")
        config = tmp_path / "bt.yaml"
        config.write_text(f"adapter:\n  base_url: {server.url}\n")
        argv = ["run", "--system", "openai:m", "--corpus", str(corpus.roots[0]), "--quiet",
                "--cache", str(cache), "--no-progress", "--config", str(config)]
        assert main([*argv, "--output", str(tmp_path / "a")]) == 0
        warned = capsys.readouterr().err
        assert "response cache could not be written" in warned
        assert str(blocked) in warned
        doc = json.loads((tmp_path / "a" / "results.json").read_text())
        assert len(doc["vignettes"]) == 6 and doc["run"]["asked"] == 6
        assert "cache_write_failure" in doc["run"]
        blocked.unlink()  # the folder can be made again: the next run caches as usual
        assert main([*argv, "--output", str(tmp_path / "b")]) == 0
        assert "could not be written" not in capsys.readouterr().err
        assert main([*argv, "--output", str(tmp_path / "c")]) == 0
    assert len(server.requests) == 12  # the first run's answers were not cached; the second's were
    assert "cache_write_failure" not in json.loads(
        (tmp_path / "b" / "results.json").read_text())["run"]


def _runs_storing(folder: Path, corpus: Corpus, runs: int, first: int = 0) -> None:
    """``runs`` caches, one after another, each storing its own answer to every vignette.

    Run ``k`` (counted from ``first``) answers with the rationale ``run k``.
    """
    identity = {"spec": "x"}
    for run in range(first, first + runs):
        cache = ResponseCache(folder, identity)
        for v in corpus.vignettes:
            cache.put(v, replace(_record(v.id), decision=Decision(
                "routine", "none", "nonspecific", (), rationale=f"run {run}")))
        cache.close()


def _rationales(folder: Path, corpus: Corpus) -> list[str | None]:
    """The rationale a lookup serves for each vignette (None for a miss)."""
    reader = ResponseCache(folder, {"spec": "x"})
    try:
        served = [reader.get(v, 0) for v in corpus.vignettes]
        return [r.decision.rationale if r and r.decision else None for r in served]
    finally:
        reader.close()


def test_a_cache_of_many_runs_is_merged_into_one_segment_serving_the_same_answers(
    corpus: Corpus, tmp_path: Path
) -> None:
    _runs_storing(tmp_path, corpus, MERGE_AT - 1)
    assert len(segments(tmp_path)) == MERGE_AT - 1  # below the mark: left as it is
    assert _rationales(tmp_path, corpus) == [f"run {MERGE_AT - 2}"] * len(corpus.vignettes)
    assert len(segments(tmp_path)) == MERGE_AT - 1
    _runs_storing(tmp_path, corpus, 1, first=MERGE_AT - 1)
    assert len(segments(tmp_path)) == MERGE_AT
    # The lookup merges first, then serves each key's newest line, as before the merge.
    assert _rationales(tmp_path, corpus) == [f"run {MERGE_AT - 1}"] * len(corpus.vignettes)
    assert len(segments(tmp_path)) == 1
    assert len(entries(tmp_path)) == len(corpus.vignettes)  # one line per key, all strict JSON
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(".")]  # nothing left over


def test_a_segment_still_being_written_and_those_after_it_are_not_merged(
    corpus: Corpus, tmp_path: Path
) -> None:
    identity = {"spec": "x"}
    _runs_storing(tmp_path, corpus, 3)
    writing = ResponseCache(tmp_path, identity)  # a run going on: its segment stays open
    writing.put(corpus.vignettes[0], _record(corpus.vignettes[0].id))
    _runs_storing(tmp_path, corpus, MERGE_AT, first=3)
    try:
        assert len(segments(tmp_path)) == 3 + 1 + MERGE_AT
        assert merge_segments(next(iter(segments(tmp_path))).parent) == 3
        assert len(segments(tmp_path)) == 1 + 1 + MERGE_AT
        writing.put(corpus.vignettes[1], _record(corpus.vignettes[1].id))  # still writable
    finally:
        writing.close()
    folder = segments(tmp_path)[0].parent
    assert merge_segments(folder) == 1 + 1 + MERGE_AT  # closed now: everything merges
    assert _rationales(tmp_path, corpus) == [f"run {MERGE_AT + 2}"] * len(corpus.vignettes)


def test_a_merge_leaves_out_lines_a_lookup_would_skip(corpus: Corpus, tmp_path: Path) -> None:
    _runs_storing(tmp_path, corpus, 2)
    first = segments(tmp_path)[0]
    with first.open("ab") as damaged:
        damaged.write(b'not an entry\n{"key":"short"}\n{"key":"' + b"0" * 64 + b'","cut')
    assert merge_segments(first.parent) == 2
    (merged,) = segments(tmp_path)
    assert merged.read_bytes().count(b"\n") == len(corpus.vignettes)
    assert _rationales(tmp_path, corpus) == ["run 1"] * len(corpus.vignettes)


def test_a_merge_deletes_hidden_files_a_killed_merge_left_and_keeps_fresh_ones(
    corpus: Corpus, tmp_path: Path
) -> None:
    _runs_storing(tmp_path, corpus, 2)
    folder = segments(tmp_path)[0].parent
    # As a merge killed before its rename leaves them (the atomic writer's temporary names).
    stale, fresh = folder / ".1-2-ab.jsonl.0123456789ab.tmp", folder / ".3-4-cd.jsonl.ab.tmp"
    for left in (stale, fresh):
        left.write_bytes(b'{"key":"')
    old = time.time() - STALE_HIDDEN_SECONDS - 60
    os.utime(stale, (old, old))
    assert merge_segments(folder) == 2
    assert not stale.exists() and fresh.exists()
    assert _rationales(tmp_path, corpus) == ["run 1"] * len(corpus.vignettes)


def test_a_miss_opens_no_file_unless_the_one_file_per_answer_layout_has_a_folder_for_it(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backtriage.harness.engine import cache as cache_module

    opened: list[Path] = []
    real = cache_module.load_json
    monkeypatch.setattr(cache_module, "load_json",
                        lambda path, what: (opened.append(path), real(path, what))[1])
    vignette = corpus.vignettes[0]
    fresh = ResponseCache(tmp_path / "cache", {"kind": "test"})
    assert fresh.get(vignette, 0) is None and opened == []
    (tmp_path / "cache" / fresh.key(vignette, 0)[:2]).mkdir()
    older = ResponseCache(tmp_path / "cache", {"kind": "test"})
    assert older.get(vignette, 0) is None and len(opened) == 1


def test_an_answer_stored_after_its_miss_is_the_line_a_fresh_cache_would_store(
    corpus: Corpus, tmp_path: Path
) -> None:
    """A miss keeps its key for the answer's store; the line is the same as without the
    lookup, and a stored key is never used for another presentation under the same id."""
    first, second = corpus.vignettes[0], corpus.vignettes[1]
    impostor = replace(first, presentation=second.presentation)  # same id, other narrative
    identity = {"kind": "openai", "model": "m"}
    looked_up = ResponseCache(tmp_path / "a", identity)
    assert looked_up.get(first, 0) is None and looked_up.get(first, 1) is None
    looked_up.put(first, _record(first.id))
    looked_up.put(impostor, _record(first.id, 1))  # its miss was for the first narrative
    looked_up.close()
    fresh = ResponseCache(tmp_path / "b", identity)
    fresh.put(first, _record(first.id))
    fresh.put(impostor, _record(first.id, 1))
    fresh.close()
    assert entry_lines(tmp_path / "a") == entry_lines(tmp_path / "b")
    reader = ResponseCache(tmp_path / "a", identity)
    assert reader.get(first, 0) is not None and reader.get(impostor, 1) is not None
    assert reader.get(first, 1) is None  # stored under the impostor's narrative, not its own
