"""The population of systems item analysis measures the corpus on: baselines, mutants, runs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from backtriage.harness.loading import InputError, Problem
from backtriage.harness.model import Decision, Vignette
from backtriage.harness.mutation import all_mutants
from backtriage.harness.mutation.runner import MutantTriage
from backtriage.harness.runs.results_io import read_results
from backtriage.harness.systems.baselines import BASELINES
from backtriage.harness.systems.protocol import Reply, TriageSystem
from backtriage.harness.systems.reference import RULES
from backtriage.scoring.outcomes import score_answer

Correct = dict[str, bool]
"""Vignette id -> the system's answer had no outcome."""


def answered_right(system: TriageSystem, vignettes: Sequence[Vignette]) -> Correct:
    """Ask ``system`` about every vignette in-process; an exception counts as wrong."""
    out = {}
    for v in vignettes:
        decision: Decision | None
        try:
            answer = system.triage(v.presentation)
            decision = answer.decision if isinstance(answer, Reply) else answer
        except Exception:  # fails closed, like the engine
            decision = None
        out[v.id] = score_answer(v, decision).correct
    return out


def population(
    vignettes: Sequence[Vignette], results: Sequence[str | Path] = (), mutants: bool = True
) -> dict[str, Correct]:
    """System name -> its verdict on each vignette.

    Args:
        vignettes: the corpus.
        results: recorded runs (``results.json``) to add; a vignette a run did not answer
            counts as wrong for it.
        mutants: include every loadable mutant of the reference.

    Raises:
        InputError: for an unreadable results file or one from another corpus.
    """
    systems: dict[str, Correct] = {}
    for name, factory in sorted(BASELINES.items()):
        systems[f"baseline:{name}"] = answered_right(factory(), vignettes)
    if mutants:
        for mutant in all_mutants(RULES):
            try:
                system = MutantTriage(mutant)
            except Exception:  # stillborn: tests nothing (see backtriage mutants)
                continue
            systems[f"mutant:{mutant.id}"] = answered_right(system, vignettes)
    ids = {v.id for v in vignettes}
    for path in results:
        doc = read_results(path)
        answered = {v["id"]: bool(v["correct"]) for v in doc["vignettes"]}
        if not set(answered) & ids:
            raise InputError(
                [Problem(str(path), "/vignettes", "answers none of this corpus's vignettes")]
            )
        label = doc.get("label") or doc["system"]["spec"]
        systems[f"run:{label} ({path})"] = answered
    return systems
