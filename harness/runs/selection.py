"""Running part of a corpus: ``--select`` terms and ``--limit N``.

A term is either a vignette id or glob (``ces-*``, ``t-ces-?``), or ``KEY=VALUE[,VALUE...]``
with KEY one of:

- ``condition``: the expected suspected conditions include one of the values;
- ``urgency``: the expected urgency is one of them;
- ``register``: ``clinician`` or ``lay``;
- ``status``: the label status, ``consensus`` or ``contested``.

Terms of one kind are alternatives (``--select 'ces-*' --select 'cord-*'`` runs both families);
kinds combine (``--select 'ces-*' --select register=lay`` runs lay cauda equina cases). Then
``--limit N`` keeps the first N selected vignettes in id order. Every value is checked against
the vocabulary, and an id or glob that matches nothing is an error, so a typo never quietly runs
fewer vignettes than meant.

A selection keeps the whole corpus's content hash (the results name the corpus it was cut
from) and its gates read only the vignettes it holds: a gate with no data there is not applied
(:func:`mark_selection`), and every gate line says the run is a selection.
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backtriage.harness.loading import Corpus
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.model import Vignette
from backtriage.harness.runs.evaluation import RunResult
from backtriage.harness.vocabulary import CONDITIONS, LABEL_STATUSES, REGISTERS, URGENCIES
from backtriage.scoring.gates import apply_gates, not_applied_without_data

ID = "id"
"""The kind of a term without ``=``: an id or a glob over ids."""

FILTERS: dict[str, tuple[tuple[str, ...], Callable[[Vignette], frozenset[str]]]] = {
    "condition": (CONDITIONS, lambda v: frozenset(v.expected.suspected_conditions)),
    "urgency": (URGENCIES, lambda v: frozenset({v.expected.urgency})),
    "register": (REGISTERS, lambda v: frozenset({v.register})),
    "status": (LABEL_STATUSES, lambda v: frozenset({v.label_status})),
}
"""Filter keys: the values each allows and the values a vignette has for it."""

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Selection:
    """Which vignettes a run holds, of how many in the corpus.

    Attributes:
        terms: the ``--select`` terms as given.
        limit: the ``--limit``, if any.
        n_selected: vignettes the run holds.
        n_corpus: vignettes in the corpus they were chosen from.
    """

    terms: tuple[str, ...]
    limit: int | None
    n_selected: int
    n_corpus: int

    @property
    def note(self) -> str:
        """How reports name the run, e.g. ``selection of 12 of 374 vignettes``."""
        return f"selection of {self.n_selected} of {self.n_corpus} vignettes"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Selection:
        """Rebuild a selection from its JSON form (shards being merged)."""
        return cls(tuple(data.get("terms", ())), data.get("limit"), int(data["n_selected"]),
                   int(data["n_corpus"]))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (results.json ``corpus.selection``)."""
        return {
            "terms": list(self.terms),
            "limit": self.limit,
            "n_selected": self.n_selected,
            "n_corpus": self.n_corpus,
            "description": self.note,
        }


def parse_terms(terms: Sequence[str], where: str = "--select") -> dict[str, tuple[str, ...]]:
    """Group ``terms`` by kind (``id`` or a filter key), checking every key and value.

    Raises:
        InputError: naming each unknown key or value with the ones allowed.
    """
    grouped: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for term in terms:
        text = term.strip()
        if "=" not in text:
            if not text:
                problems.append(Problem(where, "", "an empty term selects nothing"))
                continue
            grouped.setdefault(ID, []).append(text)
            continue
        key, _, raw = text.partition("=")
        key = key.strip().lower().replace("-", "_")
        key = "status" if key == "label_status" else key
        if key not in FILTERS:
            problems.append(Problem(where, "", f"unknown key in {term!r}; known: id or glob, "
                                               f"{', '.join(f'{k}=' for k in FILTERS)}"))
            continue
        allowed = FILTERS[key][0]
        values = [v.strip() for v in raw.split(",") if v.strip()]
        if not values:
            problems.append(Problem(where, "", f"{term!r} names no {key}"))
        for value in values:
            if value not in allowed:
                problems.append(Problem(where, "", f"unknown {key} {value!r} in {term!r}; "
                                                   f"known: {', '.join(allowed)}"))
        grouped.setdefault(key, []).extend(values)
    if problems:
        raise InputError(problems)
    return {k: tuple(v) for k, v in grouped.items()}


def _what(pattern: str) -> str:
    return "no vignette id matches" if _GLOB_CHARS & set(pattern) else "no vignette has id"


def _matches(vignette: Vignette, grouped: Mapping[str, tuple[str, ...]]) -> bool:
    for key, values in grouped.items():
        if key == ID:
            if not any(fnmatch.fnmatchcase(vignette.id, pattern) for pattern in values):
                return False
        elif not FILTERS[key][1](vignette) & frozenset(values):
            return False
    return True


def select_vignettes(
    corpus: Corpus, terms: Sequence[str] = (), limit: int | None = None
) -> tuple[Corpus, Selection | None]:
    """Return the part of ``corpus`` the terms and limit choose, and what was chosen.

    Without terms or limit, the corpus itself and ``None``.

    Raises:
        InputError: for a bad term, an id or glob that matches no vignette, a limit below 1, or
            a selection that holds no vignette.
    """
    if not terms and limit is None:
        return corpus, None
    if limit is not None and limit < 1:
        raise InputError([Problem("--limit", "", f"must be at least 1, got {limit}")])
    grouped = parse_terms(terms)
    ids = [v.id for v in corpus.vignettes]
    unmatched = [p for p in grouped.get(ID, ()) if not fnmatch.filter(ids, p)]
    if unmatched:
        raise InputError([Problem("--select", "", f"{_what(p)} {p!r}") for p in unmatched])
    chosen = [v for v in corpus.vignettes if _matches(v, grouped)]
    if limit is not None:
        chosen = sorted(chosen, key=lambda v: v.id)[:limit]
    if not chosen:
        raise InputError([Problem("--select", "", f"no vignette matches all of "
                                                  f"{', '.join(map(repr, terms))}")])
    keep = {v.id for v in chosen}
    selected = dataclasses.replace(
        corpus, vignettes=tuple(v for v in corpus.vignettes if v.id in keep)
    )
    return selected, Selection(tuple(terms), limit, len(selected), len(corpus))


def mark_selection(
    result: RunResult, selection: Selection | None, also: str = ""
) -> RunResult:
    """Record the selection in the result and gate the selection for what it holds.

    Gates are computed on the selected vignettes and say so in their scope; a gate whose
    denominator is empty in the selection (no emergency vignette selected) is not applied,
    since it can say nothing about the system either way. ``also`` is added to the note (the
    shard of the selection a run holds).
    """
    if selection is None:
        return result
    note = selection.note + (f", {also}" if also else "")
    gates = apply_gates(result.policy, result.metrics, note=note)
    gates = not_applied_without_data(gates, f"no vignettes in this {note}")
    corpus = {**result.extra.get("corpus", {}), "selection": selection.to_dict()}
    return dataclasses.replace(
        result, gates=tuple(gates), extra={**result.extra, "corpus": corpus}
    )
