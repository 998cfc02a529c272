"""Run the corpus against every mutant and find the vignettes that kill each one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from backtriage.harness.model import Decision, Presentation, Vignette
from backtriage.harness.mutation.loader import PackageCopy
from backtriage.harness.mutation.operators import Mutant
from backtriage.harness.systems.reference import ReferenceTriage
from backtriage.scoring.outcomes import Score, score_answer


class MutantTriage:
    """The reference triage with one mutation applied, in a private copy of its package."""

    def __init__(self, mutant: Mutant):
        self.spec = f"mutant:{mutant.id}"
        self.mutant = mutant
        package = PackageCopy(mutant.source_edit)
        rules = package.module("rules")
        if mutant.rules_edit is not None:
            setattr(rules, "RULES", mutant.rules_edit(rules.RULES))  # noqa: B010
        # system reads RULES when it loads, so it loads after the table is edited
        self._system = package.module("system").ReferenceTriage()

    def triage(self, presentation: Presentation) -> Decision:
        """Answer as the mutated reference would."""
        if self.mutant.findings_edit is not None:
            presentation = presentation.with_findings(
                self.mutant.findings_edit(presentation.findings))
        decision: Decision = self._system.triage(presentation)
        return decision

    def describe(self) -> dict[str, Any]:
        """Identify the mutant."""
        return {"kind": "mutant", "mutant": self.mutant.id, "operator": self.mutant.operator}

    def close(self) -> None:
        """Nothing to release."""


@dataclass(frozen=True)
class MutantResult:
    """Which vignettes killed one mutant (scored differently from the reference)."""

    mutant: Mutant
    killers: tuple[str, ...]
    stillborn: str | None = None
    """Why the mutated package could not even load; such a mutant tests nothing and is left
    out of the kill rate (and listed)."""

    @property
    def killed(self) -> bool:
        """True when some vignette tells the mutant from the reference."""
        return bool(self.killers)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "id": self.mutant.id,
            "operator": self.mutant.operator,
            "description": self.mutant.description,
            "killed": self.killed,
            "killers": list(self.killers),
            "stillborn": self.stillborn,
        }


def _verdict(score: Score) -> tuple[Any, ...]:
    # Everything a run would report about the answer: outcomes and agreement on every field.
    return (score.outcomes, score.urgency_ok, score.imaging_ok, score.category_ok,
            score.conditions_ok)  # fmt: skip


def reference_verdicts(vignettes: Sequence[Vignette]) -> dict[str, tuple[Any, ...]]:
    """The reference's scored verdict on every vignette."""
    reference = ReferenceTriage()
    return {v.id: _verdict(score_answer(v, reference.triage(v.presentation))) for v in vignettes}


def run_mutant(
    mutant: Mutant, vignettes: Sequence[Vignette], baseline: dict[str, tuple[Any, ...]]
) -> MutantResult:
    """Score the mutant on every vignette; a vignette kills it when its verdict differs."""
    try:
        system = MutantTriage(mutant)
    except Exception as exc:
        return MutantResult(mutant, (), stillborn=f"{type(exc).__name__}: {exc}")
    killers = []
    for v in vignettes:
        try:
            answer: Decision | None = system.triage(v.presentation)
        except Exception:  # a crash is an error outcome: fails closed, so it kills
            answer = None
        if _verdict(score_answer(v, answer)) != baseline[v.id]:
            killers.append(v.id)
    return MutantResult(mutant, tuple(killers))
