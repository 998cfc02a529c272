"""A corpus whose checks are reused is built as the engine takes it, and runs as if built first.

``open_corpus`` leaves an unchanged corpus pending: its ids, content hashes and identity come
from the kept check, and each vignette is built from its file (checked unchanged) when first
wanted. A networked system's run then starts calling before the last vignette is built. These
tests hold that the pending corpus is the corpus a full load gives, that a file changed in
between stops it, and that the engine's streamed path calls early and records what the list
path records.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import backtriage.harness.loading.corpus as corpus_module
import backtriage.harness.loading.pending_corpus as pending_module
from backtriage.harness.engine import AnswerRecord, EngineOptions, run_system
from backtriage.harness.engine.runner import VignetteStream
from backtriage.harness.loading import Corpus, load_corpus
from backtriage.harness.loading.corpus import open_corpus, vignette_paths
from backtriage.harness.loading.pending_corpus import PendingCorpus
from backtriage.harness.loading.problems import CorpusChanged, InputError
from backtriage.harness.model import Decision, Presentation, Vignette
from backtriage.harness.runs.evaluation import evaluate
from backtriage.harness.runs.run_identity import run_identity
from backtriage.harness.systems.baselines import KeywordTriage
from backtriage.scoring.policy import load_policy
from tests.support.engine_corpus import engine_corpus_dir


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BACKTRIAGE_CACHE_DIR", str(tmp_path / "cache"))
    return engine_corpus_dir(tmp_path / "corpus", 40)


def pending(folder: Path) -> tuple[Corpus, PendingCorpus]:
    """The corpus as its first check loads it, then as ``open_corpus`` leaves it."""
    checked = load_corpus([folder])
    opened = open_corpus([folder])
    assert checked.validation == "performed"
    assert isinstance(opened, PendingCorpus)
    return checked, opened


class WaitingSystem:
    """A system that waits for each answer on an event loop, as a networked model does."""

    spec = "test:waiting"

    def __init__(self) -> None:
        self.called = threading.Event()
        self.asked: list[str] = []
        self.answered = 0

    def triage(self, presentation: Presentation) -> Decision:
        raise AssertionError("the engine takes the asyncio path for this system")

    async def atriage(self, presentation: Presentation) -> Decision:
        self.called.set()
        self.asked.append(presentation.narrative)
        await asyncio.sleep(0.001)
        self.answered += 1
        return KeywordTriage().triage(presentation)

    async def aclose(self) -> None:
        return None

    def describe(self) -> dict[str, Any]:
        return {"kind": "test"}

    def close(self) -> None:
        return None


def answers(records: list[AnswerRecord]) -> list[tuple[Any, ...]]:
    """What each record says, leaving out how long it took and whether it came from a cache."""
    return [(r.vignette_id, r.epoch, r.decision, r.error, r.final) for r in records]


def test_an_unchanged_corpus_comes_back_pending_and_builds_the_corpus_a_load_gives(
    folder: Path,
) -> None:
    checked, opened = pending(folder)
    assert opened.ids == tuple(v.id for v in checked.vignettes)
    assert [(k.id, k.content_hash) for k in opened.keys] == [
        (v.id, v.content_hash) for v in checked.vignettes]
    assert opened.content_hash == checked.content_hash
    assert opened.by_id == {}  # nothing is built until it is wanted
    built = opened.corpus()
    assert built.vignettes == checked.vignettes
    assert [v.content_hash for v in built.vignettes] == [v.content_hash
                                                         for v in checked.vignettes]
    assert (built.bibliography, built.version, built.roots) == (
        checked.bibliography, checked.version, checked.roots)
    assert built.validation == "reused"
    assert opened.corpus() is built


def test_a_corpus_checked_on_this_load_or_revalidated_is_built_at_once(folder: Path) -> None:
    assert isinstance(open_corpus([folder]), Corpus)  # the first check
    assert isinstance(open_corpus([folder], revalidate=True), Corpus)
    assert isinstance(open_corpus([folder]), PendingCorpus)


def test_the_identity_of_a_pending_run_is_that_of_the_built_one(folder: Path) -> None:
    checked, opened = pending(folder)
    system, options = KeywordTriage(), EngineOptions(epochs=2)
    assert run_identity(system, opened.keys, opened.content_hash, options) == run_identity(
        system, checked.vignettes, checked.content_hash, options)


def edit(folder: Path, vid: str) -> Path:
    """Change the narrative of the file holding ``vid``; return the file."""
    file = next(f for f in folder.glob("*.json") if json.loads(f.read_text()).get("id") == vid)
    data = json.loads(file.read_text())
    data["presentation"]["narrative"] += " The pain is worse at night."
    file.write_text(json.dumps(data))
    return file


@pytest.mark.parametrize("change", ["edited", "deleted"])
def test_a_file_changed_after_opening_stops_the_build_naming_it(
    folder: Path, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(corpus_module, "PENDING_BYTES_HELD", 0)  # every file read again
    _, opened = pending(folder)
    vid = opened.ids[7]
    file = next(f for f in folder.glob("*.json") if json.loads(f.read_text()).get("id") == vid)
    if change == "edited":
        edit(folder, vid)
    else:
        file.unlink()
    built = opened.vignettes()
    assert [next(built).id for _ in range(7)] == list(opened.ids[:7])
    with pytest.raises(CorpusChanged) as caught:
        next(built)
    assert caught.value.problems[0].file == str(file)
    assert caught.value.problems[0].vignette_id == vid


@pytest.mark.parametrize("budget", ["none", "one file", "all"])
def test_what_is_held_or_read_again_builds_the_same_corpus(
    folder: Path, budget: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = vignette_paths([folder])[0]  # the first file read
    size = {"none": 0, "one file": Path(first).stat().st_size, "all": 8 << 20}[budget]
    monkeypatch.setattr(corpus_module, "PENDING_BYTES_HELD", size)
    checked, opened = pending(folder)
    read_again: list[str] = []
    real = pending_module.checked_bytes

    def reading(path: str, sha256: bytes, vignette_id: str) -> bytes:
        read_again.append(vignette_id)
        return real(path, sha256, vignette_id)

    monkeypatch.setattr(pending_module, "checked_bytes", reading)
    assert opened.corpus().vignettes == checked.vignettes
    expected = {"none": len(opened), "one file": len(opened) - 1, "all": 0}[budget]
    assert len(read_again) == expected


def test_a_file_that_no_longer_makes_its_vignette_is_named_with_it(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, opened = pending(folder)
    # As if the checking code changed without changing the key: the bytes read as no vignette.
    monkeypatch.setattr(corpus_module, "built_vignette", lambda data, path: None)
    with pytest.raises(InputError) as caught:
        opened.corpus()
    problem = caught.value.problems[0]
    assert problem.vignette_id == opened.ids[0]
    assert Path(problem.file).is_file() and "--revalidate" in problem.message


def test_bytes_held_from_the_first_read_build_the_vignette_as_it_was_read(
    folder: Path,
) -> None:
    checked, opened = pending(folder)  # a small corpus: every file's bytes are held
    edit(folder, opened.ids[3])
    assert opened.corpus().vignettes == checked.vignettes


def test_a_networked_run_calls_before_the_last_vignette_is_built(folder: Path) -> None:
    _, opened = pending(folder)
    system = WaitingSystem()
    seen_call_before: list[bool] = []

    def slow_to_build() -> Iterator[Vignette]:
        for i, vignette in enumerate(opened.vignettes()):
            if i == 30:  # past what the loop is given before it starts (twice the concurrency)
                seen_call_before.append(system.called.wait(timeout=10))
            yield vignette

    records = run_system(system, VignetteStream(opened.ids, slow_to_build()),
                         EngineOptions(concurrency=4))
    assert seen_call_before == [True]
    assert [r.vignette_id for r in records] == list(opened.ids)
    assert all(r.decision is not None for r in records)


@settings(max_examples=20, deadline=None)
@given(epochs=st.integers(1, 3), concurrency=st.integers(1, 9), cached_head=st.integers(0, 12))
def test_the_streamed_path_records_what_the_list_path_records(
    tmp_path_factory: pytest.TempPathFactory, epochs: int, concurrency: int, cached_head: int
) -> None:
    root = tmp_path_factory.mktemp("stream")
    corpus = load_corpus([engine_corpus_dir(root / "corpus", 12)])
    options = EngineOptions(concurrency=concurrency, epochs=epochs)
    listed = run_system(WaitingSystem(), corpus.vignettes, options)

    class HeadCache:
        """Answers the first ``cached_head`` jobs, as a response cache would."""

        def __init__(self) -> None:
            self.head = {(r.vignette_id, r.epoch): r for r in listed[:cached_head]}

        def get(self, vignette: Vignette, epoch: int) -> AnswerRecord | None:
            return self.head.get((vignette.id, epoch))

        def put(self, vignette: Vignette, record: AnswerRecord) -> None:
            return None

    system = WaitingSystem()
    stream = VignetteStream(tuple(v.id for v in corpus.vignettes), iter(corpus.vignettes))
    streamed = run_system(system, stream, options, cache=HeadCache())
    assert answers(streamed) == answers(listed)
    assert len(system.asked) == len(listed) - cached_head


def test_a_stream_out_of_id_order_is_refused(folder: Path) -> None:
    checked, _ = pending(folder)
    ids = tuple(v.id for v in checked.vignettes)
    swapped = [checked.vignettes[1], checked.vignettes[0], *checked.vignettes[2:]]
    with pytest.raises(RuntimeError, match="came where"):
        run_system(WaitingSystem(), VignetteStream(ids, iter(swapped)), EngineOptions())


def test_a_resumed_stream_asks_only_what_the_journal_lacks(folder: Path) -> None:
    checked, opened = pending(folder)
    done = [AnswerRecord(v.id, 0, KeywordTriage().triage(v.presentation), None)
            for v in checked.vignettes[:10]]
    system = WaitingSystem()
    records = run_system(system, VignetteStream(opened.ids, opened.vignettes()),
                         EngineOptions(), completed=done)
    assert len(records) == len(checked) and len(system.asked) == len(checked) - 10


def test_evaluating_a_pending_corpus_scores_as_the_built_one(folder: Path) -> None:
    checked, opened = pending(folder)
    policy = load_policy()
    ran = evaluate(WaitingSystem(), opened, policy)
    again = evaluate(WaitingSystem(), checked, policy)
    assert ran.corpus.vignettes == checked.vignettes
    assert ran.scores == again.scores and ran.metrics == again.metrics


@pytest.mark.parametrize("spelling", [".", "./corpus", "corpus", "corpus/", "corpus//", "ABS"])
def test_listed_paths_print_as_the_paths_rglob_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    (tmp_path / "corpus" / "sub").mkdir(parents=True)
    for name in ("sub/a.json", "b.json", "sources.json"):
        (tmp_path / "corpus" / name).write_text("{}")
    monkeypatch.chdir(tmp_path / "corpus" if spelling == "." else tmp_path)
    root = Path(tmp_path / "corpus" if spelling == "ABS" else spelling)
    expected = [str(f) for f in sorted(root.rglob("*.json")) if f.name != "sources.json"]
    assert vignette_paths([root]) == expected


def test_a_vignette_file_given_alone_is_listed_as_given(tmp_path: Path) -> None:
    file = tmp_path / "one.json"
    file.write_text("{}")
    assert vignette_paths([file]) == [str(file)]
    assert list(itertools.chain(vignette_paths([file, file]))) == [str(file)] * 2


def test_a_networked_run_on_an_unchanged_corpus_writes_what_a_built_one_did(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backtriage.harness.cli.main import main
    from tests.support.scripted_server import ScriptedServer, openai_model

    documents = []
    with ScriptedServer(openai_model) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        for name in ("first", "second"):
            out = tmp_path / name
            assert main(["run", "--quiet", "--no-progress", "--system", "openai:m",
                         "--corpus", str(folder),
                         "--output", str(out)]) == 0
            documents.append(json.loads((out / "results.json").read_text()))
    first, second = documents
    assert first["run"]["corpus_validation"] == "performed"
    assert second["run"]["corpus_validation"] == "reused"
    assert second["corpus"] == first["corpus"]
    for mine, theirs in zip(second["vignettes"], first["vignettes"], strict=True):
        for entry in (mine, theirs):
            for answer in entry["answers"]:
                answer.pop("seconds", None)
                for attempt in answer.get("attempts", []):
                    attempt.pop("seconds", None)
        assert mine == theirs
    assert second["metrics"] == first["metrics"]


def test_answers_in_before_a_build_fails_reach_the_journal(folder: Path) -> None:
    _, opened = pending(folder)
    system = WaitingSystem()
    journaled: list[AnswerRecord] = []

    def failing_build() -> Iterator[Vignette]:
        for i, vignette in enumerate(opened.vignettes()):
            if i == 30:
                assert system.called.wait(timeout=10)
                while len(system.asked) < 8:  # some answers are in
                    threading.Event().wait(0.01)
                threading.Event().wait(0.05)
                raise CorpusChanged([])
            yield vignette

    with pytest.raises(CorpusChanged):
        run_system(system, VignetteStream(opened.ids, failing_build()),
                   EngineOptions(concurrency=4), journaled.append)
    assert len(journaled) >= 4
    assert all(r.decision is not None for r in journaled)


class ThreadedSystem:
    """The same answers from a system without coroutine methods (the threaded path)."""

    spec = "test:threaded"

    def __init__(self) -> None:
        self.called = threading.Event()
        self.answered = 0
        self._lock = threading.Lock()

    def triage(self, presentation: Presentation) -> Decision:
        self.called.set()
        threading.Event().wait(0.002)
        with self._lock:
            self.answered += 1
        return KeywordTriage().triage(presentation)

    def describe(self) -> dict[str, Any]:
        return {"kind": "test"}

    def close(self) -> None:
        return None


@pytest.mark.parametrize("path", ["stream", "asyncio", "threads"])
def test_the_callers_work_is_done_while_the_first_calls_are_out(
    folder: Path, path: str
) -> None:
    checked, opened = pending(folder)
    system: WaitingSystem | ThreadedSystem = ThreadedSystem() if path == "threads" \
        else WaitingSystem()
    vignettes: Any = (VignetteStream(opened.ids, opened.vignettes()) if path == "stream"
                      else checked.vignettes)
    seen: list[tuple[bool, int]] = []

    def work() -> None:
        seen.append((system.called.wait(5), system.answered))

    records = run_system(system, vignettes, EngineOptions(concurrency=4), while_waiting=work)
    assert len(seen) == 1
    called, answered = seen[0]
    assert called and answered < len(records) == len(checked)


def test_a_broken_policy_file_of_the_users_stops_the_run_before_any_call(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backtriage.harness.cli.main import main
    from tests.support.scripted_server import ScriptedServer, openai_model

    load_corpus([folder])  # checked, so the run's corpus is pending
    policy = tmp_path / "mine.yaml"
    policy.write_text("name: mine\nthresholds: {critical_misses: {max: -1}}\n")
    with ScriptedServer(openai_model) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        assert main(["run", "--quiet", "--no-progress", "--system", "openai:m", "--corpus",
                     str(folder), "--policy", str(policy), "--output",
                     str(tmp_path / "out")]) == 2
    assert server.requests == []


def test_only_a_run_on_an_event_loop_leaves_its_corpus_pending(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import backtriage.harness.loading.corpus as corpus_module
    from backtriage.harness.cli.main import main
    from tests.support.scripted_server import ScriptedServer, openai_model

    load_corpus([folder])  # checked: a later open leaves it pending
    opened: list[str] = []
    real = corpus_module.open_corpus

    def recording(*args: Any, **kwargs: Any) -> Corpus | PendingCorpus:
        got = real(*args, **kwargs)
        opened.append(type(got).__name__)
        return got

    monkeypatch.setattr(corpus_module, "open_corpus", recording)
    common = ["run", "--quiet", "--no-progress", "--corpus", str(folder)]
    assert main([*common, "--system", "reference", "--output", str(tmp_path / "r")]) in (0, 1)
    assert main([*common, "--system", "baseline:keyword", "--output", str(tmp_path / "b")]) \
        in (0, 1)
    assert opened == []  # the rule systems' corpus is built at once (each file read once)
    with ScriptedServer(openai_model) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        assert main([*common, "--system", "openai:m", "--output", str(tmp_path / "o")]) == 0
    assert opened == ["PendingCorpus"]


def test_a_build_failing_before_the_loop_starts_leaves_no_loop_open(folder: Path) -> None:
    import gc
    import warnings

    _, opened = pending(folder)

    def failing_at_once() -> Iterator[Vignette]:
        yield next(opened.vignettes())
        raise CorpusChanged([])

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(CorpusChanged):
            run_system(WaitingSystem(), VignetteStream(opened.ids, failing_at_once()),
                       EngineOptions(concurrency=4))
        gc.collect()
    assert not [w for w in caught if "unclosed event loop" in str(w.message)]
