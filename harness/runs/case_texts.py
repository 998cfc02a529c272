"""The case texts a results file does not hold: narratives and citations, from the corpus.

A results file records each vignette's labels and content hash but not its narrative. Reports
that show the narrative read it back from the corpus the run used, and show it only where the
vignette there still has the content hash the run recorded: a changed case is never shown
beside answers that were given to another text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backtriage.harness.loading import Corpus, load_corpus


@dataclass(frozen=True)
class CaseTexts:
    """What a report may show of the cases of one run.

    Attributes:
        narratives: vignette id to narrative, only for vignettes whose hash matches the run.
        citations: source id to its bibliographic citation and links.
        corpus: where the texts were read from.
        changed: ids whose vignette in that corpus differs from the one the run saw.
        absent: ids the corpus does not hold at all.
    """

    narratives: Mapping[str, str] = field(default_factory=dict)
    citations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    corpus: str = ""
    changed: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()


def corpus_paths(document: Mapping[str, Any], override: Sequence[str] | None) -> list[str] | None:
    """Where to read a run's cases: ``override``, else the run's roots if all exist, else bundled.

    Returns:
        The paths, or ``None`` for the bundled corpus.
    """
    if override:
        return list(override)
    roots = document.get("corpus", {}).get("roots") or []
    if roots and all(Path(r).exists() for r in roots):
        return list(roots)
    return None


def case_texts(document: Mapping[str, Any], corpus: Corpus) -> CaseTexts:
    """Match a results document's vignettes with ``corpus`` by id and content hash."""
    by_id = corpus.by_id()
    narratives: dict[str, str] = {}
    changed: set[str] = set()
    absent: set[str] = set()
    for entry in document["vignettes"]:
        vignette = by_id.get(entry["id"])
        if vignette is None:
            absent.add(entry["id"])
        elif vignette.content_hash != entry["content_hash"]:
            changed.add(entry["id"])
        else:
            narratives[entry["id"]] = vignette.presentation.narrative
    citations = {
        sid: {"citation": str(src.get("citation", "")), "urls": list(src.get("urls", ()))}
        for sid, src in corpus.bibliography.items()
    }
    return CaseTexts(
        narratives=narratives,
        citations=citations,
        corpus=", ".join(corpus.roots),
        changed=frozenset(changed),
        absent=frozenset(absent),
    )


def load_case_texts(
    documents: Sequence[Mapping[str, Any]], override: Sequence[str] | None = None
) -> list[CaseTexts]:
    """Read the cases of each run, loading each distinct corpus once.

    Raises:
        InputError: if a corpus to read has errors (naming file and field).
    """
    loaded: dict[tuple[str, ...] | None, Corpus] = {}
    out = []
    for doc in documents:
        paths = corpus_paths(doc, override)
        key = tuple(paths) if paths is not None else None
        if key not in loaded:
            loaded[key] = load_corpus(paths)
        out.append(case_texts(doc, loaded[key]))
    return out
