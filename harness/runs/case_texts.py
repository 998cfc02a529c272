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
from backtriage.harness.loading.problems import InputError


@dataclass(frozen=True)
class CaseTexts:
    """What a report may show of the cases of one run.

    Attributes:
        narratives: vignette id to narrative, only for vignettes whose hash matches the run.
        citations: source id to its bibliographic citation and links.
        corpus: where the texts were read from.
        changed: ids whose vignette in that corpus differs from the one the run saw.
        absent: ids the corpus does not hold at all.
        unreadable: why no corpus could be read for the run (then no narrative is shown).
    """

    narratives: Mapping[str, str] = field(default_factory=dict)
    citations: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    corpus: str = ""
    changed: frozenset[str] = frozenset()
    absent: frozenset[str] = frozenset()
    unreadable: str = ""


def corpus_candidates(document: Mapping[str, Any]) -> list[list[str] | None]:
    """Where a run's cases may be: its recorded roots if they all exist, then the bundled corpus.

    ``None`` stands for the bundled corpus.
    """
    roots = document.get("corpus", {}).get("roots") or []
    candidates: list[list[str] | None] = []
    if roots and all(Path(r).exists() for r in roots):
        candidates.append(list(roots))
    candidates.append(None)
    return candidates


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

    With ``override`` every run reads that corpus, and a corpus with errors is bad input. Without
    it a run reads its recorded corpus, else the bundled one; one that no longer loads (moved on
    to a newer schema, say) is skipped, and a run with no readable corpus gets no narratives and
    the reason, never a failed report.

    Raises:
        InputError: if the ``override`` corpus has errors (naming file and field).
    """
    if override:
        corpus = load_corpus(list(override))
        return [case_texts(doc, corpus) for doc in documents]
    cache: dict[tuple[str, ...] | None, Corpus | str] = {}
    out = []
    for doc in documents:
        reasons = []
        for paths in corpus_candidates(doc):
            key = tuple(paths) if paths is not None else None
            if key not in cache:
                cache[key] = _try_load(paths)
            loaded = cache[key]
            if isinstance(loaded, Corpus):
                out.append(case_texts(doc, loaded))
                break
            reasons.append(loaded)
        else:
            out.append(CaseTexts(unreadable="; ".join(reasons)))
    return out


def _try_load(paths: list[str] | None) -> Corpus | str:
    """The corpus at ``paths`` (``None``: bundled), or why it cannot be read."""
    try:
        return load_corpus(paths)
    except InputError as exc:
        where = ", ".join(paths) if paths else "the bundled corpus"
        first = str(exc.problems[0]) if exc.problems else "unreadable"
        more = f" (and {len(exc.problems) - 1} more problems)" if len(exc.problems) > 1 else ""
        return f"{where} could not be read: {first}{more}"
