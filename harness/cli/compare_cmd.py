"""``backtriage compare BASE NEW``: what changed between two runs, and the compare gates."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from backtriage.harness.cli import console_args, exit_codes
from backtriage.harness.loading.problems import InputError
from backtriage.scoring.report_choices import COMPARE_FORMATS

if TYPE_CHECKING:
    from backtriage.scoring.policy import Policy


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    p = sub.add_parser(
        "compare",
        help="list vignettes whose outcome changed between two runs and apply compare gates",
        description="Compare two results.json files (or the folders holding them). Exit 1 when "
        "a compare gate of the policy fails (e.g. a new critical miss).",
    )
    p.add_argument("base", metavar="BASE", help="baseline results.json or its folder")
    p.add_argument("new", metavar="NEW", help="candidate results.json or its folder")
    p.add_argument(
        "--policy",
        help="policy whose 'compare' gates apply: a YAML file or a bundled name "
        "(default: the policy recorded in NEW)",
    )
    p.add_argument(
        "--format", choices=COMPARE_FORMATS, default="table", help="what to print (default: table)"
    )
    p.add_argument("--markdown", metavar="FILE", help="also write the Markdown report to FILE")
    p.add_argument("--json", metavar="FILE", help="also write the JSON report to FILE")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Compare, print, write the requested files, and return the compare-gate status."""
    # Imported here, not at the top: registering the command stays cheap (see main).
    from backtriage.harness.runs.merge import recorded_policy
    from backtriage.harness.runs.output_paths import file_problem
    from backtriage.harness.runs.results_io import read_results
    from backtriage.scoring.compare import compare_runs
    from backtriage.scoring.policy import load_policy
    from backtriage.scoring.reports.compare_render import render_comparison

    problems = [p for flag, target in (("--markdown", args.markdown), ("--json", args.json))
                if target for p in [file_problem(Path(target), flag)] if p]
    if problems:
        raise InputError(problems)
    base = read_results(args.base)
    new = read_results(args.new)
    policy: Policy = load_policy(args.policy) if args.policy else recorded_policy(new, args.new)
    comparison = compare_runs(
        base, new, policy, base_label=_label(args.base, base), new_label=_label(args.new, new)
    )
    print(render_comparison(comparison, args.format, console_args.paint()))
    for fmt, target in (("markdown", args.markdown), ("json", args.json)):
        if target:
            file = Path(target)
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(render_comparison(comparison, fmt) + "\n", encoding="utf-8")
    return exit_codes.OK if comparison.passed else exit_codes.GATE_FAILED


def _label(path: str, document: dict[str, object]) -> str:
    """``LABEL (SPEC, PATH)`` for a labelled run, else ``SPEC (PATH)``."""
    system = document["system"]
    spec = system.get("spec", "?") if isinstance(system, dict) else "?"
    label = document.get("label")
    return f"{label} ({spec}, {path})" if label else f"{spec} ({path})"
