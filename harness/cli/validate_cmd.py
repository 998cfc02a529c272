"""``backtriage validate [PATH...]``: schema and semantic checks of a corpus."""

from __future__ import annotations

import argparse
import sys

from backtriage.harness.cli import exit_codes
from backtriage.harness.loading import check_corpus, errors_only


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    p = sub.add_parser("validate", help="check vignettes against the schema and semantic rules")
    p.add_argument(
        "paths", nargs="*", help="vignette files or folders (default: the bundled corpus)"
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Report every problem; exit 2 if any is an error."""
    corpus, problems = check_corpus(args.paths or None)
    for problem in problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    errors = errors_only(problems)
    warnings = len(problems) - len(errors)
    print(
        f"{len(corpus)} valid vignette(s); {len(errors)} error(s), {warnings} warning(s)"
        f"; corpus hash {corpus.content_hash[:12]}"
    )
    return exit_codes.BAD_INPUT if errors else exit_codes.OK
