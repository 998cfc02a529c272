"""``backtriage mutants``: the kill rate of the corpus against mutants of the reference."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backtriage.harness.cli import exit_codes
from backtriage.harness.loading.problems import InputError, Problem

if TYPE_CHECKING:
    from backtriage.harness.model import Decision, Vignette
    from backtriage.harness.mutation import MutationReport


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    p = sub.add_parser(
        "mutants",
        help="mutation analysis: run the corpus against mutants of the reference triage and "
        "report how many it kills",
    )
    p.add_argument("--corpus", action="append", help="vignette folder or file (repeatable)")
    p.add_argument(
        "--operator",
        action="append",
        metavar="NAME",
        help="only this operator (repeatable): drop_rule, raise_urgency, "
        "lower_urgency, change_imaging, swap_rules, drop_clause, shift_threshold, "
        "not_stated_negative",
    )
    p.add_argument(
        "--min-kill-rate",
        type=float,
        metavar="RATE",
        help="exit 1 when the kill rate is below RATE (0-1)",
    )
    p.add_argument("--json", metavar="FILE", help="also write the full report as JSON")
    p.add_argument(
        "--killers",
        type=int,
        default=0,
        metavar="N",
        help="list the first N vignettes that kill each mutant",
    )
    p.add_argument(
        "--witness",
        action="store_true",
        help="for each survivor, search findings one edit away from a corpus vignette on which "
        "it answers differently from the reference (a lead for a new vignette)",
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Build every mutant, score the corpus on each, print the report."""
    # Imported here, not at the top: registering the command stays cheap (see main).
    from backtriage.harness.loading.corpus import load_corpus
    from backtriage.harness.mutation import (
        MutationReport,
        all_mutants,
        load_equivalents,
        reference_verdicts,
        render,
        run_mutant,
    )
    from backtriage.harness.runs.results_io import write_json_atomic
    from backtriage.harness.systems.reference import RULES

    bound = args.min_kill_rate
    if bound is not None and not 0.0 <= bound <= 1.0:  # also refuses NaN
        raise InputError([Problem("--min-kill-rate", "", "must be between 0 and 1")])
    if args.killers < 0:
        raise InputError([Problem("--killers", "", "must be 0 or more")])
    vignettes = load_corpus(args.corpus).vignettes
    mutants = all_mutants(RULES)
    if args.operator:
        known = {m.operator for m in mutants}
        unknown = sorted(set(args.operator) - known)
        if unknown:
            raise InputError(
                [
                    Problem(
                        "--operator",
                        "",
                        f"unknown {', '.join(unknown)}; known: {', '.join(sorted(known))}",
                    )
                ]
            )
        mutants = [m for m in mutants if m.operator in args.operator]
    baseline = reference_verdicts(vignettes)
    report = MutationReport(
        tuple(run_mutant(m, vignettes, baseline) for m in mutants), load_equivalents()
    )
    print(render(report, show_killers=args.killers))
    witnesses = _witnesses(report, vignettes) if args.witness else None
    if args.json:
        path = Path(args.json)
        data = report.to_dict()
        if witnesses is not None:
            data["witnesses"] = witnesses
        write_json_atomic(path, data)
        print(f"\nmutation report: {path}")
    if bound is not None and (report.kill_rate or 0.0) < bound:
        return exit_codes.GATE_FAILED
    return exit_codes.OK


def _witnesses(report: MutationReport, vignettes: Sequence[Vignette]) -> dict[str, Any]:
    """Search and print a witness for every survivor; return them by mutant id (None: none)."""
    from backtriage.harness.mutation import MutantTriage, WitnessSearch

    survivors = report.survivors
    search = WitnessSearch(vignettes, (r.mutant.id for r in survivors))
    found: dict[str, Any] = {}
    print(f"\nWITNESSES: findings one edit from a vignette that tell a survivor apart "
          f"(leads for new vignettes, not labels; {len(survivors)} survivors)", flush=True)
    for r in survivors:
        triage = MutantTriage(r.mutant).triage
        w = search.find(r.mutant.id, triage)
        found[r.mutant.id] = None if w is None else w.to_dict()
        if w is None:
            line = f"  {r.mutant.id}: no witness one edit from any vignette"
        else:
            where = "as it is" if w.edit is None else f"with {w.edit}"
            line = (f"  {r.mutant.id}: {w.vignette_id} {where}: reference "
                    f"{_short(w.reference)}, mutant {_short(w.mutant)}")
        print(line, flush=True)  # the search takes seconds per survivor: show progress
    return found


def _short(d: Decision) -> str:
    conditions = ",".join(d.suspected_conditions) or "-"
    return f"{d.urgency}/{d.imaging}/{d.category}/{conditions}"
