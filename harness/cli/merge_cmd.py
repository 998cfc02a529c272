"""``backtriage merge RESULTS... --output DIR``: combine shard results into one run."""

from __future__ import annotations

import argparse
from pathlib import Path

from backtriage.harness.cli import ci_args, console_args, exit_codes


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    p = sub.add_parser(
        "merge",
        help="combine the results of 'run --shard I/N' into one results.json and gate it",
        description="Merge shard results (files or folders) into the results.json an unsharded "
        "run would write, re-score and gate it. Refuses (exit 2) shards from different corpora, "
        "systems or policies, and missing or overlapping shards.",
    )
    p.add_argument(
        "results", nargs="+", metavar="RESULTS", help="shard results.json files or their folders"
    )
    p.add_argument("--output", required=True, help="folder for the merged results.json")
    p.add_argument("--policy", help="gate with this policy instead of the one the shards recorded")
    p.add_argument("--quiet", action="store_true", help="print only the safety lines and gates")
    console_args.add_arguments(p)
    ci_args.add_arguments(p, shard=False)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Merge, print the scorecard, write results and reports, and return the gate status."""
    # Imported here, not at the top: registering the command stays cheap (see main).
    from backtriage.harness.runs.evaluation import results_document
    from backtriage.harness.runs.merge import merge_shards, read_shard_results
    from backtriage.harness.runs.output_paths import claim_outputs
    from backtriage.harness.runs.results_io import safe_document, write_results
    from backtriage.scoring.policy import load_policy
    from backtriage.scoring.scorecard import render_scorecard

    worst = console_args.worst_count(args)
    shards = read_shard_results(args.results)
    policy = load_policy(args.policy) if args.policy else None
    result = merge_shards(shards, policy)
    claim = claim_outputs(Path(args.output), {}, {"--junit": args.junit,
                                                   "--markdown": args.markdown})
    try:
        document = safe_document(results_document(result))
        path = write_results(args.output, document)
        out = ci_args.console(args)
        print(render_scorecard(document, worst, args.quiet, console_args.paint(out)), file=out)
        print(f"\nmerged {len(shards)} shard(s); results: {path}", file=out)
        ci_args.write_reports(args, document)
    finally:
        claim.release()
    return exit_codes.OK if result.passed else exit_codes.GATE_FAILED
