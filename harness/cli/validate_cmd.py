"""``backtriage validate [PATH...]``: schema and semantic checks of a corpus."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from backtriage.harness.cli import exit_codes
from backtriage.harness.loading.problems import errors_only

if TYPE_CHECKING:
    from backtriage.harness.loading.corpus import Corpus
    from backtriage.harness.model import Vignette


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    p = sub.add_parser("validate", help="check vignettes against the schema and semantic rules")
    p.add_argument(
        "paths", nargs="*", help="vignette files or folders (default: the bundled corpus)"
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="also fail on warnings, and when the shortcut audit finds that surface features "
        "alone predict urgency more than 5 points above the majority-class rate",
    )
    p.add_argument("--revalidate", action="store_true",
                   help="check every file again even if the corpus is unchanged since its last "
                        "check (which is otherwise reused)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Report every problem; exit 2 if any is an error."""
    # Imported here, not at the top: registering the command stays cheap (see main).
    from backtriage.harness.loading.corpus import check_corpus

    corpus, problems = check_corpus(args.paths or None, revalidate=args.revalidate)
    for problem in problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    errors = errors_only(problems)
    warnings = len(problems) - len(errors)
    print(
        f"{len(corpus)} valid vignette(s); {len(errors)} error(s), {warnings} warning(s)"
        f"; corpus hash {corpus.content_hash[:12]}"
    )
    print(validation_note(corpus))
    if errors:
        return exit_codes.BAD_INPUT
    if args.strict:
        return _strict_status(corpus.vignettes, warnings)
    return exit_codes.OK


def _strict_status(vignettes: Sequence[Vignette], warnings: int) -> int:
    from backtriage.scoring.shortcuts import audit as shortcut_audit

    failed = warnings > 0
    if warnings:
        print(f"validate --strict: {warnings} warning(s) count as failures", file=sys.stderr)
    result = shortcut_audit(vignettes)
    if result is not None and not result.passed:
        failed = True
        print(
            f"validate --strict: shortcut audit: surface features predict urgency with "
            f"{100 * result.accuracy:.1f}% accuracy against a majority rate of "
            f"{100 * result.majority_rate:.1f}% ({100 * result.gain:+.1f} points, limit "
            f"{100 * result.limit:.0f}); see backtriage corpus stats",
            file=sys.stderr,
        )
    return exit_codes.BAD_INPUT if failed else exit_codes.OK


def validation_note(corpus: Corpus) -> str:
    """One line saying whether the corpus was checked now or its last check reused."""
    if corpus.validation == "reused":
        return "validation: reused (files unchanged since last checked; --revalidate to recheck)"
    return "validation: performed (every check ran)"
