"""Mutation analysis: does the corpus catch real bugs in triage logic?

:mod:`~backtriage.harness.mutation.operators` makes mutants of the reference triage (a rule
dropped, an urgency raised or lowered, imaging changed, a threshold shifted, a clause dropped,
two rules swapped, unknowns read as negatives); :mod:`~backtriage.harness.mutation.loader`
loads each into a private copy of the package; :mod:`~backtriage.harness.mutation.runner`
scores the corpus on it; a mutant is killed when some vignette is scored differently;
:mod:`~backtriage.harness.mutation.witness` searches near the corpus for findings that would
tell a survivor apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
    from backtriage.harness.mutation.operators import Mutant, all_mutants
    from backtriage.harness.mutation.report import MutationReport, load_equivalents, render
    from backtriage.harness.mutation.runner import (
        MutantResult,
        MutantTriage,
        reference_verdicts,
        run_mutant,
    )
    from backtriage.harness.mutation.witness import Witness, WitnessSearch

_EXPORTS = {
    "Mutant": "backtriage.harness.mutation.operators",
    "MutantResult": "backtriage.harness.mutation.runner",
    "MutantTriage": "backtriage.harness.mutation.runner",
    "MutationReport": "backtriage.harness.mutation.report",
    "Witness": "backtriage.harness.mutation.witness",
    "WitnessSearch": "backtriage.harness.mutation.witness",
    "all_mutants": "backtriage.harness.mutation.operators",
    "load_equivalents": "backtriage.harness.mutation.report",
    "reference_verdicts": "backtriage.harness.mutation.runner",
    "render": "backtriage.harness.mutation.report",
    "run_mutant": "backtriage.harness.mutation.runner",
}

__all__ = [
    "Mutant",
    "MutantResult",
    "MutantTriage",
    "MutationReport",
    "Witness",
    "WitnessSearch",
    "all_mutants",
    "load_equivalents",
    "reference_verdicts",
    "render",
    "run_mutant",
]
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
