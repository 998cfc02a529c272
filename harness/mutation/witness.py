"""Witnesses for surviving mutants: where a new vignette could kill them.

A survivor answers every corpus vignette as the reference does. A *witness* is a set of findings
one edit away from a corpus vignette (one field set to another value of its vocabulary) on which
the survivor and the reference decide differently. A witness is a lead for a vignette writer,
not a vignette: whether its findings describe a coherent patient, and what the labeling guide
says for them, are clinical questions the search cannot answer. A survivor with no witness is
not proven equivalent either (two edits may tell it apart), but its reason must then come from
reading the code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backtriage.harness.model import Decision, Presentation, Vignette
from backtriage.harness.resources import load_schema
from backtriage.harness.systems.reference import ReferenceTriage

Findings = Mapping[str, Any]
DecisionKey = tuple[str, str, str, frozenset[str]]

_THRESHOLD = re.compile(r"^threshold:.*:(-?\d+(?:\.\d+)?)->(-?\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Edit:
    """One finding changed: ``field`` from ``before`` (absent: None) to ``after`` (absent: None)."""

    field: str
    before: Any
    after: Any

    def __str__(self) -> str:
        return f"{self.field}: {json.dumps(self.before)} -> {json.dumps(self.after)}"


@dataclass(frozen=True)
class Witness:
    """Findings on which a mutant and the reference decide differently."""

    mutant_id: str
    vignette_id: str
    edit: Edit | None
    reference: Decision
    mutant: Decision

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "mutant": self.mutant_id,
            "vignette": self.vignette_id,
            "edit": None if self.edit is None else {
                "field": self.edit.field, "before": self.edit.before, "after": self.edit.after,
            },
            "reference": _decision_dict(self.reference),
            "mutant_answer": _decision_dict(self.mutant),
        }


def _decision_dict(d: Decision) -> dict[str, Any]:
    return {"urgency": d.urgency, "imaging": d.imaging, "category": d.category,
            "suspected_conditions": list(d.suspected_conditions)}  # fmt: skip


def decision_key(d: Decision) -> DecisionKey:
    """What the scorer compares: urgency, imaging, category and the set of conditions."""
    return (d.urgency, d.imaging, d.category, frozenset(d.suspected_conditions))


class FindingsSpace:
    """The values each finding may take, read from the vignette schema.

    Numbers are probed at the corpus's smallest, middle and largest values and on both sides of
    every threshold a mutant shifts, so a witness for a shifted threshold is found where one
    exists.
    """

    def __init__(self, vignettes: Sequence[Vignette], mutant_ids: Iterable[str] = ()):
        schema = load_schema("vignette")
        defs = schema["$defs"]
        self._props: dict[str, Any] = defs["findings"]["properties"]
        self._tristate: list[Any] = defs["tristate"]["enum"]
        observed: dict[str, set[float]] = {}
        for v in vignettes:
            for name, value in v.presentation.findings.items():
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    observed.setdefault(name, set()).add(value)
        cuts: set[float] = set()
        for mid in mutant_ids:
            m = _THRESHOLD.match(mid)
            if m:
                old, new = float(m.group(1)), float(m.group(2))
                cuts |= {old, new, (old + new) / 2, old - 1, old + 1, new - 1, new + 1}
        # The corpus's smallest, middle and largest value of each number, and every cut: a
        # threshold lies between probes, and the search stays a few seconds per mutant.
        self._numbers = {name: _spread(observed.get(name, set())) | cuts for name in self._props}

    def values(self, name: str) -> list[Any]:
        """Every probe value of one finding (an absent finding is probed as ``None``)."""
        prop = self._props[name]
        kind = prop.get("type")
        if "$ref" in prop and prop["$ref"].endswith("tristate"):
            return list(self._tristate)
        if "enum" in prop:
            return list(prop["enum"])
        if kind == "boolean":
            return [True, False]
        if kind in ("integer", "number"):
            lo, hi = prop.get("minimum", float("-inf")), prop.get("maximum", float("inf"))
            probes = (x for x in self._numbers[name] if lo <= x <= hi)
            if kind == "integer":
                return sorted({int(x) for x in probes if float(x).is_integer()})
            return sorted(set(probes))
        return []

    def edits(self, findings: Findings) -> Iterator[tuple[Edit, dict[str, Any]]]:
        """Every findings dict one edit away from ``findings``."""
        for name, prop in self._props.items():
            before = findings.get(name)
            if prop.get("type") == "array":
                yield from self._list_edits(name, prop, findings)
                continue
            for after in self.values(name):
                if after != before:
                    yield Edit(name, before, after), {**findings, name: after}

    def _list_edits(
        self, name: str, prop: Mapping[str, Any], findings: Findings
    ) -> Iterator[tuple[Edit, dict[str, Any]]]:
        before = list(findings.get(name) or [])
        if "anyOf" in prop:  # bladder, bowel: [normal], [not_stated] or one or more changes
            choices = [alt["const"] for alt in prop["anyOf"] if "const" in alt]
            choices += [[x] for alt in prop["anyOf"] for x in alt.get("items", {}).get("enum", [])]
        else:
            items = prop.get("items", {}).get("enum", [])
            choices = [[*before, x] for x in items if x not in before]
            choices += [[y for y in before if y != x] for x in before]
        for after in choices:
            if after != before:
                yield Edit(name, before or None, after), {**findings, name: after}


def _spread(values: set[float]) -> set[float]:
    ordered = sorted(values)
    return {ordered[0], ordered[len(ordered) // 2], ordered[-1]} if ordered else set()


class WitnessSearch:
    """Search the one-edit neighbourhood of a corpus for witnesses; the reference is cached."""

    def __init__(self, vignettes: Sequence[Vignette], mutant_ids: Iterable[str] = ()):
        self._vignettes = vignettes
        self._space = FindingsSpace(vignettes, mutant_ids)
        self._reference = ReferenceTriage()
        self._cache: dict[str, Decision] = {}

    def _reference_answer(self, findings: Findings, register: str) -> Decision:
        key = json.dumps(findings, sort_keys=True) + register
        if key not in self._cache:
            self._cache[key] = self._reference.triage(Presentation("", findings, register))
        return self._cache[key]

    def find(self, mutant_id: str, triage: Any) -> Witness | None:
        """The first witness for one mutant (``triage`` answers a Presentation), or None."""
        for v in self._vignettes:
            register = v.presentation.register
            for edit, findings in self._space.edits(v.presentation.findings):
                expected = self._reference_answer(findings, register)
                try:
                    answer: Decision = triage(Presentation("", findings, register))
                except Exception:  # a crash on odd findings is no lead for a writer
                    continue
                if decision_key(answer) != decision_key(expected):
                    return Witness(mutant_id, v.id, edit, expected, answer)
        return None
