"""The mutation report: kill rate, per operator, survivors, and the vignettes that kill."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tabulate import tabulate

from backtriage.harness.loading import InputError, Problem
from backtriage.harness.loading.yamlfile import load_yaml
from backtriage.harness.mutation.runner import MutantResult
from backtriage.scoring.stats import rate

EQUIVALENTS_FILE = Path(__file__).with_name("equivalent_mutants.yaml")
"""Survivors judged equivalent (no vignette can tell them apart), each with its kind and reason."""

EQUIVALENCE_KINDS = {
    "same_code": "the mutated code computes the same thing",
    "same_decision": "the two rows decide alike wherever both match (checked by a test)",
    "accepted_by_guide": "the labeling guide accepts the mutant's answer on every case of the row",
    "extra_conditions": "the mutant only names more suspected conditions, which scoring allows "
    "(checked by a test)",
    "no_coherent_case": "only findings no patient could present tell it apart",
}
"""Why a surviving mutant may be left out of the kill rate."""


@dataclass(frozen=True)
class Equivalence:
    """Why one surviving mutant is left out of the kill rate."""

    kind: str
    reason: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.reason}"


def load_equivalents(path: Path = EQUIVALENTS_FILE) -> dict[str, Equivalence]:
    """Mutant id -> why it is equivalent to the reference."""
    data = load_yaml(path, "equivalent mutants file") or {}
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), "", "must map each mutant id to a kind and reason")])
    problems, found = [], {}
    for mutant_id, entry in data.items():
        kind = entry.get("kind") if isinstance(entry, dict) else None
        reason = entry.get("reason") if isinstance(entry, dict) else None
        if kind not in EQUIVALENCE_KINDS:
            problems.append(Problem(str(path), str(mutant_id),
                                    f"kind must be one of {', '.join(EQUIVALENCE_KINDS)}"))
        elif not isinstance(reason, str) or not reason.strip():
            problems.append(Problem(str(path), str(mutant_id), "needs a reason"))
        else:
            found[str(mutant_id)] = Equivalence(kind, reason.strip())
    if problems:
        raise InputError(problems)
    return found


@dataclass(frozen=True)
class MutationReport:
    """Every mutant's result and the documented equivalents."""

    results: tuple[MutantResult, ...]
    equivalents: Mapping[str, Equivalence]

    def _left_out(self, r: MutantResult) -> bool:
        # A documented equivalent that some vignette kills is not equivalent: it counts again.
        return r.mutant.id in self.equivalents and not r.killed

    @property
    def scored(self) -> tuple[MutantResult, ...]:
        """Mutants that count: loaded, and not an unkilled documented equivalent."""
        return tuple(r for r in self.results if r.stillborn is None and not self._left_out(r))

    @property
    def wrong_equivalents(self) -> tuple[MutantResult, ...]:
        """Documented equivalents that a vignette kills: their reason is wrong."""
        return tuple(r for r in self.results if r.mutant.id in self.equivalents and r.killed)

    @property
    def survivors(self) -> tuple[MutantResult, ...]:
        """Counted mutants that no vignette killed: each needs a vignette or a reason."""
        return tuple(r for r in self.scored if not r.killed)

    @property
    def kill_rate(self) -> float | None:
        """Killed share of the counted mutants."""
        scored = self.scored
        return sum(r.killed for r in scored) / len(scored) if scored else None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        scored = self.scored
        killed = sum(r.killed for r in scored)
        stale = sorted(set(self.equivalents) - {r.mutant.id for r in self.results})
        return {
            "mutants": len(self.results),
            "stillborn": sum(r.stillborn is not None for r in self.results),
            "equivalent": sum(self._left_out(r) for r in self.results),
            "equivalent_by_kind": dict(sorted(Counter(
                self.equivalents[r.mutant.id].kind for r in self.results if self._left_out(r)
            ).items())),
            "scored": len(scored),
            "killed": killed,
            "kill_rate": rate(killed, len(scored)).to_dict(),
            "by_operator": _by_operator(scored),
            "survivors": [r.to_dict() for r in self.survivors],
            "equivalents_documented": [
                {**r.to_dict(), "kind": self.equivalents[r.mutant.id].kind,
                 "reason": self.equivalents[r.mutant.id].reason}
                for r in self.results
                if r.mutant.id in self.equivalents
            ],
            "wrong_equivalents": [r.mutant.id for r in self.wrong_equivalents],
            "stale_equivalents": stale,
            "results": [r.to_dict() for r in self.results],
        }


def _by_operator(scored: Sequence[MutantResult]) -> dict[str, dict[str, int]]:
    total = Counter(r.mutant.operator for r in scored)
    killed = Counter(r.mutant.operator for r in scored if r.killed)
    return {op: {"mutants": n, "killed": killed[op]} for op, n in sorted(total.items())}


def render(report: MutationReport, show_killers: int = 0) -> str:
    """The plain-text report."""
    d = report.to_dict()
    kr = d["kill_rate"]
    lines = ["backtriage mutants — mutation analysis of the reference triage", ""]
    if kr["value"] is None:
        lines.append("no mutant to score")
        return "\n".join(lines)
    lines.append(
        f"KILL RATE  {d['killed']}/{d['scored']} = {100 * kr['value']:.1f}% (95% CI "
        f"{100 * kr['ci95_low']:.1f}%–{100 * kr['ci95_high']:.1f}%) of {d['mutants']} mutants "
        f"({d['equivalent']} documented equivalent, {d['stillborn']} stillborn, left out)"
    )
    rows = [
        (op, v["mutants"], v["killed"], f"{100 * v['killed'] / v['mutants']:.0f}%")
        for op, v in d["by_operator"].items()
    ]
    lines += ["", tabulate(rows, headers=["operator", "mutants", "killed", "rate"])]
    if report.survivors:
        lines += [
            "",
            f"SURVIVORS ({len(report.survivors)}): no vignette tells these from the "
            "reference; each needs a vignette or a documented reason",
        ]
        lines += [f"  {r.mutant.id}  ({r.mutant.description})" for r in report.survivors]
    if d["equivalent_by_kind"]:
        kinds = ", ".join(f"{n} {k}" for k, n in d["equivalent_by_kind"].items())
        lines += ["", f"documented equivalents by kind: {kinds}"]
    if report.wrong_equivalents:
        lines += ["", "documented as equivalent but killed (the reason is wrong; counted):"]
        lines += [f"  {r.mutant.id}: killed by {', '.join(r.killers[:3])}"
                  for r in report.wrong_equivalents]
    if d["stale_equivalents"]:
        lines += ["", "documented equivalents that no longer exist (remove them):"]
        lines += [f"  {m}" for m in d["stale_equivalents"]]
    if show_killers:
        lines += ["", "killed by (first vignettes):"]
        lines += [
            f"  {r.mutant.id}: {', '.join(r.killers[:show_killers])}"
            for r in report.results
            if r.killed
        ]
    return "\n".join(lines)
