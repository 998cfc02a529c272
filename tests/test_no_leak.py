"""No system ever receives expected, acceptable, label_status, rationale, sources or provenance."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from backtriage.harness import run
from backtriage.harness.loading import Corpus, load_corpus
from backtriage.harness.model import Decision, Presentation

FORBIDDEN = {
    "expected",
    "acceptable",
    "label_status",
    "rationale",
    "sources",
    "provenance",
    "positions",
}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list | tuple):
        return {k for v in value for k in _keys(v)}
    return set()


class SpySystem:
    """Records everything it is given."""

    spec = "spy"

    def __init__(self) -> None:
        self.seen: list[Any] = []
        self._lock = threading.Lock()

    def triage(self, presentation: Presentation) -> Decision:
        with self._lock:
            self.seen.append(presentation)
        return Decision("emergency", "mri", "serious_pathology", ("cauda_equina_syndrome",))

    def describe(self) -> dict[str, Any]:
        return {"kind": "spy"}

    def close(self) -> None:
        pass


def test_a_system_receives_only_the_presentation(bundled_corpus: Corpus) -> None:
    spy = SpySystem()
    run(spy, bundled_corpus)
    assert len(spy.seen) == len(bundled_corpus)
    rationales = {v.rationale for v in bundled_corpus.vignettes}
    for seen in spy.seen:
        assert type(seen) is Presentation
        as_dict = seen.to_dict()
        assert set(as_dict) == {"narrative", "findings"}
        assert not _keys(as_dict) & FORBIDDEN
        assert seen.narrative not in rationales


def test_a_python_function_receives_a_plain_dict_of_narrative_and_findings(
    tmp_path: Path, small_corpus_dir: Path, monkeypatch: Any
) -> None:
    module = tmp_path / "spy_module.py"
    module.write_text(
        "SEEN = []\n"
        "def triage(p):\n"
        "    SEEN.append(p)\n"
        "    return {'urgency': 'emergency', 'imaging': 'mri', 'category': 'serious_pathology',\n"
        "            'suspected_conditions': ['cauda_equina_syndrome']}\n"
    )
    monkeypatch.chdir(tmp_path)
    corpus = load_corpus([small_corpus_dir])
    run("python:spy_module:triage", corpus, isolate=False)  # to see its module state
    import spy_module  # type: ignore[import-not-found]

    assert len(spy_module.SEEN) == len(corpus)
    for payload in spy_module.SEEN:
        assert set(payload) == {"narrative", "findings"}
        assert not _keys(payload) & FORBIDDEN
