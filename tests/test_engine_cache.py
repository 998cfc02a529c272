"""The opt-in response cache: a rerun is free, errors are never cached, the key is complete."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.engine.cache import ResponseCache
from backtriage.harness.engine.session import RunStorage
from backtriage.harness.loading import Corpus, load_corpus
from backtriage.harness.model import canonical_json
from backtriage.harness.runs.evaluation import RunResult, evaluate
from backtriage.harness.systems import resolve_system
from backtriage.scoring.policy import load_policy
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


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.rglob("*.json"))


def test_a_rerun_is_served_from_the_cache(corpus: Corpus, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with ScriptedServer(openai_model) as server:
        first = _run(server.url, corpus, cache, epochs=2)
        assert len(server.requests) == 12
        second = _run(server.url, corpus, cache, epochs=2)
        assert len(server.requests) == 12  # nothing asked again
        third = _run(server.url, corpus, cache, epochs=3)
        assert len(server.requests) == 18  # only the new epoch is asked
    assert len(_entries(cache)) == 18
    assert second.extra["run"]["cached"] == 12 and all(r.cached for r in second.records)
    assert [r.decision for r in second.records] == [r.decision for r in first.records]
    assert [r.raw for r in second.records] == [r.raw for r in first.records]
    assert third.extra["run"] == {"resumed": 0, "cached": 12, "not_attempted": 0, "asked": 6}
    entry = json.loads(_entries(cache)[0].read_text())
    assert entry["system"]["model"] == "m" and "presentation_sha256" in entry


def test_errors_are_never_cached(corpus: Corpus, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    bad = Scripted(body=openai_body("not json"))
    with ScriptedServer(Sequence([bad] * 6 + [openai_model])) as server:
        first = _run(server.url, corpus, cache)
        assert first.metrics["all"]["errors"] == 6 and _entries(cache) == []
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
        for entry in _entries(cache):
            entry.write_text('{"decision": {"urgency": "whenever"}}')
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
