"""The extractor's own validation: agreement with a hand-labelled set of answers.

Each line of a labelled file holds an ``id``, the ``half`` it belongs to (``dev``, the half the
rules were developed on, or ``heldout``, written apart and not tuned on), a ``style``, the
``answer`` text, the hand-assigned ``urgency``, ``imaging``, ``safety_net`` and ``questions``,
and the annotator's ``reason``. Topic agreement is micro-F1 over (answer, topic) pairs; the
share of answers whose topic set matches exactly is reported beside it. An answer the
extractor cannot map counts as a disagreement on every field.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from backtriage.harness.extraction.extraction import ExtractionFailed
from backtriage.harness.extraction.registry import Extractor
from backtriage.harness.loading.jsonfile import parse_json
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.loading.textfile import read_text
from backtriage.harness.vocabulary import IMAGING, SAFETY_NET_TOPICS, URGENCIES

LABELLED_FILES = ("dev.jsonl", "dev2.jsonl", "dev3.jsonl", "dev4.jsonl", "dev5.jsonl",
                  "dev6.jsonl", "dev7.jsonl", "dev8.jsonl", "dev9.jsonl", "heldout.jsonl")
"""The bundled files: the development rounds, then the held-out set when one is bundled.

``dev5.jsonl``, ``dev7.jsonl`` and ``dev9.jsonl`` were held-out sets until rules were changed
after measuring them; they are development data now. ``dev8.jsonl`` holds probes written to
test the rule kinds added for ``dev7``. A fresh held-out file, measured once, goes in as
``heldout.jsonl``.
"""
TARGETS = {"urgency": 0.95, "urgency_emergency": 1.0, "imaging": 0.95, "safety_net": 0.90}
_FIELDS = {"id", "half", "style", "answer", "urgency", "imaging", "safety_net", "questions",
           "reason"}


@dataclass(frozen=True)
class Labelled:
    """One hand-labelled answer."""

    id: str
    half: str
    style: str
    answer: str
    urgency: str
    imaging: str
    safety_net: frozenset[str]
    questions: frozenset[str]
    reason: str


@dataclass(frozen=True)
class Read:
    """What the extractor made of one labelled answer (``None`` fields: it failed)."""

    item: Labelled
    urgency: str | None
    imaging: str | None
    safety_net: frozenset[str]
    questions: frozenset[str]
    error: str | None
    evidence: dict[str, Any]


def bundled_sets() -> list[Path]:
    """The labelled files shipped with the package (dev and, when bundled, held-out)."""
    folder = resources.files("backtriage.harness.extraction") / "labelled"
    return sorted(Path(str(folder / name)) for name in LABELLED_FILES
                  if (folder / name).is_file())


def read_labelled(paths: Sequence[Path]) -> list[Labelled]:
    """Read labelled files strictly.

    Raises:
        InputError: naming the file, line and id of every problem.
    """
    problems: list[Problem] = []
    items: list[Labelled] = []
    seen: set[str] = set()
    for path in paths:
        for number, line in enumerate(read_text(path, "labelled file").splitlines(), 1):
            if not line.strip():
                continue
            where = f"line {number}"
            try:
                obj = parse_json(line, f"{path}:{where}")
            except InputError as exc:
                problems.extend(exc.problems)
                continue
            bad = _check(obj)
            if bad or obj["id"] in seen:
                problems.append(Problem(str(path), where, bad or "duplicate id",
                                        vignette_id=obj.get("id") if isinstance(obj, dict)
                                        else None))
                continue
            seen.add(obj["id"])
            items.append(Labelled(obj["id"], obj["half"], obj["style"], obj["answer"],
                                  obj["urgency"], obj["imaging"], frozenset(obj["safety_net"]),
                                  frozenset(obj["questions"]), obj["reason"]))
    if problems:
        raise InputError(problems)
    return items


def _check(obj: Any) -> str | None:
    if not isinstance(obj, dict) or set(obj) != _FIELDS:
        return f"expected exactly the fields {', '.join(sorted(_FIELDS))}"
    if obj["urgency"] not in URGENCIES or obj["imaging"] not in IMAGING:
        return "urgency or imaging outside the vocabulary"
    if obj["half"] not in ("dev", "heldout"):
        return "half must be dev or heldout"
    for key in ("safety_net", "questions"):
        if not isinstance(obj[key], list) or not set(obj[key]) <= set(SAFETY_NET_TOPICS):
            return f"{key} must list known topics"
    return None


def read_all(extractor: Extractor, items: Sequence[Labelled]) -> list[Read]:
    """Run the extractor over every labelled answer."""
    out = []
    for item in items:
        try:
            extraction = extractor.extract(item.answer)
        except ExtractionFailed as exc:
            out.append(Read(item, None, None, frozenset(), frozenset(), str(exc), {}))
            continue
        d = extraction.decision
        out.append(Read(item, d.urgency, d.imaging, frozenset(d.safety_net or ()),
                        frozenset(d.questions or ()), None, dict(extraction.evidence)))
    return out


def agreement(reads: Sequence[Read]) -> dict[str, Any]:
    """Agreement figures for a group of reads (``None`` where the group is empty)."""
    n = len(reads)
    emergency = [r for r in reads if r.item.urgency == "emergency"]
    return {
        "n": n,
        "urgency": _share(reads, lambda r: r.urgency == r.item.urgency),
        "urgency_emergency": _share(emergency, lambda r: r.urgency == "emergency"),
        "n_emergency": len(emergency),
        "imaging": _share(reads, lambda r: r.imaging == r.item.imaging),
        "safety_net": _micro_f1([(r.safety_net, r.item.safety_net) for r in reads]),
        "safety_net_exact": _share(reads, lambda r: r.safety_net == r.item.safety_net),
        "questions": _micro_f1([(r.questions, r.item.questions) for r in reads]),
        "questions_exact": _share(reads, lambda r: r.questions == r.item.questions),
        "errors": sum(1 for r in reads if r.error),
    }


def urgency_confusion(reads: Sequence[Read]) -> dict[str, Counter[str]]:
    """Rows: hand-labelled urgency; columns: what the extractor read (or ``error``)."""
    table: dict[str, Counter[str]] = {u: Counter() for u in URGENCIES}
    for r in reads:
        table[r.item.urgency][r.urgency or "error"] += 1
    return table


def disagreements(reads: Sequence[Read]) -> list[tuple[Read, list[str]]]:
    """Every read that differs from its label, with the fields that differ."""
    out = []
    for r in reads:
        fields = [name for name, ok in (
            ("urgency", r.urgency == r.item.urgency), ("imaging", r.imaging == r.item.imaging),
            ("safety_net", r.safety_net == r.item.safety_net),
            ("questions", r.questions == r.item.questions)) if not ok]
        if fields:
            out.append((r, fields))
    return out


def meets_targets(figures: dict[str, Any]) -> bool:
    """True when every target is met (a figure that cannot be computed does not meet it)."""
    return all(figures[k] is not None and figures[k] >= v for k, v in TARGETS.items())


def _share(reads: Sequence[Read], ok: Any) -> float | None:
    return sum(1 for r in reads if ok(r)) / len(reads) if reads else None


def _micro_f1(pairs: Sequence[tuple[frozenset[str], frozenset[str]]]) -> float | None:
    tp = sum(len(got & want) for got, want in pairs)
    fp = sum(len(got - want) for got, want in pairs)
    fn = sum(len(want - got) for got, want in pairs)
    if tp + fp + fn == 0:
        return 1.0 if pairs else None
    return 2 * tp / (2 * tp + fp + fn)
