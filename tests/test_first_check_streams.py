"""A corpus's first check holds a batch of parsed files at a time, not the whole corpus.

Each batch of schema-valid vignettes is handed to every corpus check and built, then its
parsed files are let go: the checks keep only what their cross-file part needs (ids, a
narrative's words, a contrast pair's findings). Holding every parsed file cost about 1 GB at
100,000 vignettes.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.loading import check_corpus, jsonfile
from backtriage.harness.loading import corpus as corpus_module
from backtriage.harness.loading.validation_cache import ValidationCache


class _Tracked(dict[str, Any]):
    """A parsed vignette file that can be watched for being let go."""

    __slots__ = ("__weakref__",)


def test_the_first_check_of_the_bundled_corpus_holds_no_more_than_a_batch_of_files(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    alive = most = 0

    def let_go() -> None:
        nonlocal alive
        alive -= 1

    parse = corpus_module.parse_json

    def tracked_parse(text: str, source: str) -> Any:
        nonlocal alive, most
        data = parse(text, source)
        if isinstance(data, dict) and "presentation" in data:  # a vignette file
            data = _Tracked(data)
            weakref.finalize(data, let_go)
            alive += 1
        most = max(most, alive)  # the batch, and the file the loop has not yet let go
        return data

    # Not raising: should the name go, the bound below still fails on a larger batch.
    monkeypatch.setattr(corpus_module, "CHECKED_TOGETHER", 8, raising=False)
    # Wherever the loader parses a file: through the strict reader's module or its own name.
    monkeypatch.setattr(jsonfile, "parse_json", tracked_parse)
    monkeypatch.setattr(corpus_module, "parse_json", tracked_parse)
    corpus, problems = check_corpus(cache=ValidationCache(tmp_path / "v"), revalidate=True)
    assert corpus.validation == "performed"
    assert len(corpus.vignettes) > 300
    assert 1 <= most <= 9

    monkeypatch.undo()
    untracked, same = check_corpus(cache=ValidationCache(tmp_path / "w"), revalidate=True)
    assert problems == same
    assert corpus.vignettes == untracked.vignettes
