"""``backtriage mutants``: the kill rate of the corpus against mutants of the reference."""

from __future__ import annotations

import argparse
from pathlib import Path

from backtriage.harness.cli import exit_codes
from backtriage.harness.loading import InputError, Problem, load_corpus
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
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Build every mutant, score the corpus on each, print the report."""
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
    if args.json:
        path = Path(args.json)
        write_json_atomic(path, report.to_dict())
        print(f"\nmutation report: {path}")
    if bound is not None and (report.kill_rate or 0.0) < bound:
        return exit_codes.GATE_FAILED
    return exit_codes.OK
