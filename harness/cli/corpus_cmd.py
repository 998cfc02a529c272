"""``backtriage corpus stats [PATH...]``: what a corpus covers and what it can claim."""

from __future__ import annotations

import argparse
import json
import sys

from backtriage.harness.cli import exit_codes
from backtriage.harness.loading.problems import InputError, Problem, errors_only
from backtriage.scoring.report_choices import COVERAGE_FORMATS


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``corpus`` command group and its ``stats`` command."""
    group = sub.add_parser("corpus", help="inspect a vignette corpus")
    commands = group.add_subparsers(dest="corpus_command", required=True, metavar="COMMAND")
    stats = commands.add_parser(
        "stats",
        help="coverage counts and the safety claims each stratum can support",
        description=(
            "Count the corpus by category x urgency, suspected condition, register, label and "
            "review status, and 'trap' tag, and warn about every stratum too small to bound a "
            "miss rate below 10% (exact one-sided 95%, after 0 misses)."
        ),
    )
    stats.add_argument(
        "paths", nargs="*", help="vignette files or folders (default: the bundled corpus)"
    )
    stats.add_argument(
        "--format", choices=COVERAGE_FORMATS, default="table", help="output format (default: table)"
    )
    stats.set_defaults(handler=handle_stats)

    quality = commands.add_parser(
        "quality",
        help="item analysis: difficulty and discrimination of each vignette over baselines, "
        "mutants of the reference and recorded runs",
    )
    quality.add_argument(
        "paths", nargs="*", help="vignette files or folders (default: the bundled corpus)"
    )
    quality.add_argument(
        "--results",
        action="append",
        default=[],
        metavar="FILE",
        help="a recorded run (results.json) to add to the population",
    )
    quality.add_argument(
        "--no-mutants",
        action="store_true",
        help="leave the mutants of the reference out of the population",
    )
    quality.add_argument("--format", choices=("table", "json"), default="table")
    quality.add_argument(
        "--top",
        type=int,
        default=15,
        metavar="N",
        help="items to list in each section (default: 15)",
    )
    quality.set_defaults(handler=handle_quality)


def handle_quality(args: argparse.Namespace) -> int:
    """Print the item analysis; exit 2 for an invalid corpus or results file."""
    # Imported here, not at the top: registering the command stays cheap (see main).
    from backtriage.harness.loading.corpus import HOLD_EVERY_NARRATIVE, check_corpus
    from backtriage.harness.runs.population import population
    from backtriage.scoring.item_analysis import analyse
    from backtriage.scoring.item_report import render_item_analysis

    if args.top < 0:
        raise InputError([Problem("--top", "", "must be 0 or more")])
    corpus, problems = check_corpus(args.paths or None,
                                    narratives_held_up_to=HOLD_EVERY_NARRATIVE)
    errors = errors_only(problems)
    if errors:
        raise InputError(errors)
    systems = population(corpus.vignettes, args.results, mutants=not args.no_mutants)
    analysis = analyse(corpus.vignettes, systems)
    if args.format == "json":
        print(json.dumps(analysis.to_dict(), indent=2))
    else:
        print(render_item_analysis(analysis, args.top))
    return exit_codes.OK


def handle_stats(args: argparse.Namespace) -> int:
    """Print the coverage report; exit 2 for an invalid corpus."""
    from backtriage.harness.loading.corpus import HOLD_EVERY_NARRATIVE, check_corpus
    from backtriage.scoring.coverage import coverage
    from backtriage.scoring.coverage_report import render_coverage

    corpus, problems = check_corpus(args.paths or None,
                                    narratives_held_up_to=HOLD_EVERY_NARRATIVE)
    errors = errors_only(problems)
    if errors:
        raise InputError(errors)
    print(render_coverage(coverage(corpus.vignettes, corpus.roots), args.format), end="")
    warnings = len(problems) - len(errors)
    if warnings:
        print(f"note: {warnings} validation warning(s); see backtriage validate", file=sys.stderr)
    return exit_codes.OK
