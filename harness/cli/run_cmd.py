"""``backtriage run``: benchmark a system on a corpus, print the scorecard, gate, write results."""

from __future__ import annotations

import argparse
import dataclasses
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backtriage.harness.cli import ci_args, console_args, engine_args, evaluator_args, exit_codes
from backtriage.harness.cli.config import load_config, setting
from backtriage.harness.cli.validate_cmd import validation_note
from backtriage.harness.engine.availability import NoVerdict
from backtriage.harness.loading.problems import InputError, Problem

if TYPE_CHECKING:
    from backtriage.harness.cli.ci_args import ShardPlan
    from backtriage.harness.loading.corpus import Corpus
    from backtriage.harness.loading.pending_corpus import PendingCorpus
    from backtriage.harness.runs.selection import Selection
    from backtriage.harness.systems.protocol import TriageSystem
    from backtriage.scoring.policy import Policy

DEFAULT_OUTPUT = "backtriage-out"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    p = sub.add_parser("run", help="benchmark a triage system on a corpus and gate the result")
    p.add_argument(
        "--system",
        help="system spec: reference, baseline:NAME, "
        "python:MODULE:FUNCTION, cmd:COMMAND, http(s)://URL, openai:MODEL, "
        "anthropic:MODEL",
    )
    p.add_argument(
        "--corpus",
        action="append",
        help="vignette folder or file (repeatable; default: bundled corpus)",
    )
    p.add_argument(
        "--policy",
        help="gate policy YAML, or a bundled one by name: default, release, development "
        "(default: default)",
    )
    p.add_argument("--output", help=f"folder for results.json (default: {DEFAULT_OUTPUT})")
    p.add_argument("--config", help="YAML config file; CLI flags override it")
    p.add_argument("--quiet", action="store_true", help="print only the safety lines and gates")
    p.add_argument("--jsonl", action="store_true", default=None,
                   help="also write OUTPUT/results.jsonl: the per-vignette entries of "
                        "results.json, one per line, for tools that stream large runs")
    p.add_argument("--revalidate", action="store_true", default=None,
                   help="check the corpus again even if it is unchanged since its last check "
                        "(which is otherwise reused, and the run says so)")
    p.add_argument("--answer-format", choices=("json", "text"),
                   help="openai:/anthropic: only. json (default): the model fills in the "
                        "decision vocabulary; text: it answers the narrative in its own words "
                        "(as to a patient or a clinician, by the vignette's register) and the "
                        "extractor reads the prose (see 'backtriage grade --help')")
    engine_args.add_arguments(p)
    evaluator_args.add_arguments(p)
    console_args.add_arguments(p)
    ci_args.add_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Run, print the scorecard, write results, and return the gate status."""
    # Imported here, not at the top: registering the command stays cheap (see main).
    from backtriage.harness.resources import policies_dir, resolve_policy_path
    from backtriage.harness.runs.evaluation import evaluate, results_document
    from backtriage.harness.runs.output_paths import claim_outputs
    from backtriage.harness.systems.registry import resolve_system

    worst = console_args.worst_count(args)
    config = load_config(args.config)
    spec = setting("system", args.system, config, None)
    if not spec:
        print(
            "backtriage run: --system is required (or 'system' in the config file)", file=sys.stderr
        )
        return exit_codes.BAD_INPUT
    options = engine_args.engine_options(args, config)
    model_settings = evaluator_args.model_settings(args, spec)
    label = evaluator_args.run_label(args, config)
    terms, limit = evaluator_args.selection_request(args, config)
    policy_file = resolve_policy_path(setting("policy", args.policy, config, None))
    # A user's policy file is checked before the first call; a bundled one (each is loaded by
    # the tests) is loaded while the first calls wait, with what writes the results.
    policy: Policy | Callable[[], Policy] = (
        functools.partial(_bundled_policy, policy_file) if policy_file.parent == policies_dir()
        else _policy(policy_file))
    output = Path(setting("output", args.output, config, DEFAULT_OUTPUT))
    storage = engine_args.run_storage(args, config, output)
    answer_format = setting("answer_format", args.answer_format, config, None)
    if answer_format is not None and not spec.startswith(("openai:", "anthropic:")):
        raise InputError([Problem("--answer-format", "", "applies only to openai: and "
                                  f"anthropic: systems, not {spec!r}")])
    # Every path checked and --output locked before the first call, not after hours of them.
    claim = claim_outputs(
        output, {"--cache": storage.cache_dir},
        {"--junit": getattr(args, "junit", None), "--markdown": getattr(args, "markdown", None)},
    )
    try:
        settings = engine_args.adapter_settings(options, config, spec, args)
        if answer_format is not None:
            settings["answer_format"] = answer_format
        system = resolve_system(spec, evaluator_args.merge_settings(settings, model_settings))
        try:
            corpus, selection, shard_plan = _corpus(args, config, system, terms, limit)
            result = evaluate(system, corpus, policy, options, storage)
        except KeyboardInterrupt:
            engine_args.note_interrupted(output)
            return exit_codes.INTERRUPTED
        except NoVerdict as exc:
            engine_args.note_no_verdict(system.spec, exc, output)
            return exit_codes.SYSTEM_UNAVAILABLE
        finally:
            system.close()
        from backtriage.harness.runs.results_io import safe_document, write_results
        from backtriage.harness.runs.selection import mark_selection
        from backtriage.scoring.reports.common import first_error
        from backtriage.scoring.scorecard import render_scorecard

        engine_args.note_cache_failure(result.extra)
        shard_note = f"shard {shard_plan.shard}" if shard_plan else ""
        result = ci_args.mark(mark_selection(result, selection, shard_note), shard_plan)
        if label:
            result = dataclasses.replace(result, extra={**result.extra, "label": label})
        document = safe_document(results_document(result))
        path = write_results(output, document,
                             jsonl=bool(setting("jsonl", args.jsonl, config, False)))
        out = ci_args.console(args)
        print(render_scorecard(document, worst, args.quiet, console_args.paint(out)), file=out)
        # Building entries to look for a failure costs as much as writing them: look at the
        # records first, and at the entries only when one failed.
        failed = any(r.decision is None and r.error for r in result.records)
        failure = first_error(document["vignettes"]) if failed else None
        if failure:
            # What a user needs to debug their system: the first failure, traceback and all.
            print(f"\n{failure}", file=sys.stderr)
        print(f"\nresults: {path}", file=out)
        if not args.quiet:
            print(validation_note(result.corpus), file=out)
        ci_args.write_reports(args, document)
        return ci_args.exit_status(result, shard_plan)
    finally:
        claim.release()


def _corpus(
    args: argparse.Namespace, config: dict[str, Any], system: TriageSystem,
    terms: list[str], limit: int | None,
) -> tuple[Corpus | PendingCorpus, Selection | None, ShardPlan | None]:
    """The corpus to run, the selection made of it and the shard cut out of it.

    The whole corpus, for a system answered on an event loop (the networked adapters): on an
    unchanged corpus its vignettes are built as the engine takes them, so the first calls go
    out before the last is built. Any other system's engine path takes every vignette first,
    so its corpus is built at once (a pending one would read each file twice).
    """
    from backtriage.harness.engine.runner import takes_a_stream
    from backtriage.harness.loading.corpus import load_corpus, open_corpus

    paths = setting("corpus", args.corpus, config, None)
    revalidate = bool(setting("revalidate", args.revalidate, config, False))
    if terms or limit is not None or getattr(args, "shard", None):
        from backtriage.harness.runs.selection import select_vignettes

        corpus, selection = select_vignettes(load_corpus(paths, revalidate=revalidate),
                                             terms, limit)
        corpus, shard_plan = ci_args.select(args, corpus)
        return corpus, selection, shard_plan
    if not takes_a_stream(system):
        return load_corpus(paths, revalidate=revalidate), None, None
    return open_corpus(paths, revalidate=revalidate), None, None


def _policy(file: Path) -> Policy:
    """The policy in ``file``, checked now."""
    from backtriage.scoring.policy import load_policy

    return load_policy(file)


def _bundled_policy(file: Path) -> Policy:
    """A bundled policy, loaded while the first calls wait, and what writes the results then.

    Those modules are imported here because the calling thread is idle in that wait (the
    policy's YAML parser and the report modules were a tenth of the time before a first call).
    """
    from backtriage.harness.runs import results_io, selection  # noqa: F401 - in the wait
    from backtriage.scoring import scorecard  # noqa: F401
    from backtriage.scoring.reports import common  # noqa: F401

    return _policy(file)
