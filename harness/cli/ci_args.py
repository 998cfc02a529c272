"""CI flags shared by ``run`` and ``merge``: ``--junit``, ``--markdown`` and ``--shard``.

The run command calls these functions at four points: adding the flags, cutting its shard of
the corpus, recording the shard in the result, and writing the reports after ``results.json``.
Each imports what it uses when called: registering the flags must stay cheap (see ``main``).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from backtriage.harness.cli import console_args, exit_codes

if TYPE_CHECKING:
    from backtriage.harness.loading import Corpus
    from backtriage.harness.runs.evaluation import RunResult
    from backtriage.harness.runs.sharding import Shard


@dataclass(frozen=True)
class ShardPlan:
    """The shard a run holds and the size of the whole corpus it was cut from."""

    shard: Shard
    n_total: int


def add_arguments(p: argparse.ArgumentParser, shard: bool = True) -> None:
    """Add the CI flags (``--shard`` only where a run can be split)."""
    g = p.add_argument_group("CI")
    g.add_argument(
        "--junit",
        metavar="FILE",
        help="write JUnit XML: wrong decision = failure, system error = error",
    )
    g.add_argument(
        "--markdown",
        metavar="FILE",
        help="write a Markdown summary for a PR comment or $GITHUB_STEP_SUMMARY ('-': stdout, "
        "which then holds the Markdown alone; the scorecard goes to stderr)",
    )
    if shard:
        g.add_argument(
            "--shard",
            metavar="I/N",
            help="run only shard I of N (vignettes sorted by id, dealt round-robin); "
            "combine shards with 'backtriage merge'",
        )


def select(args: argparse.Namespace, corpus: Corpus) -> tuple[Corpus, ShardPlan | None]:
    """Cut the shard ``--shard`` names out of ``corpus`` (the whole corpus without the flag).

    Raises:
        InputError: for a malformed ``--shard``.
    """
    text = getattr(args, "shard", None)
    if not text:
        return corpus, None
    from backtriage.harness.runs.sharding import parse_shard, select_shard

    shard = parse_shard(text)
    return select_shard(corpus, shard), ShardPlan(shard, len(corpus))


def mark(result: RunResult, plan: ShardPlan | None) -> RunResult:
    """Record the shard in the result, so ``results.json`` says which slice it holds."""
    if plan is None:
        return result
    from backtriage.scoring.gates import not_applied_without_data

    extra: dict[str, Any] = {**result.extra}
    extra["corpus"] = {
        **extra.get("corpus", {}),
        "shard": str(plan.shard),
        "n_vignettes_total": plan.n_total,
    }
    # A shard's gates read its own slice; one with no data there (no emergency vignette in
    # this slice) is not applied. The merged run applies every gate strictly.
    gates = not_applied_without_data(list(result.gates), f"no vignettes in shard {plan.shard}")
    return dataclasses.replace(result, extra=extra, gates=tuple(gates))


def console(args: argparse.Namespace) -> TextIO:
    """Where the scorecard and notes go: stdout, unless ``--markdown -`` claims it (stderr)."""
    return sys.stderr if getattr(args, "markdown", None) == "-" else sys.stdout


def write_reports(args: argparse.Namespace, document: Mapping[str, Any]) -> None:
    """Write the JUnit and Markdown reports the flags ask for, and say where."""
    out = console(args)
    junit = getattr(args, "junit", None)
    if junit:
        from backtriage.scoring.reports.junit import write_junit

        print(f"junit: {write_junit(junit, document)}", file=out)
    markdown = getattr(args, "markdown", None)
    if markdown:
        from backtriage.scoring.reports.markdown import render_markdown

        text = render_markdown(document, console_args.worst_count(args))
        if markdown == "-":
            sys.stdout.write(text if text.endswith("\n") else text + "\n")
        else:
            file = Path(markdown)
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(text, encoding="utf-8")
            print(f"markdown: {file}", file=out)


def exit_status(result: RunResult, plan: ShardPlan | None) -> int:
    """Return the gate status; an empty shard has nothing to gate and passes.

    ``result`` must be the one :func:`mark` returned, so a shard's gates are the shard's.
    """
    if plan is not None and len(result.corpus) == 0:
        print(
            f"shard {plan.shard} holds no vignette ({plan.n_total} in the corpus); nothing to gate",
            file=sys.stderr,
        )
        return exit_codes.OK
    return exit_codes.OK if result.passed else exit_codes.GATE_FAILED
