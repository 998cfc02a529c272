"""``backtriage grade``: score collected answers exactly like a run (same results, gates, exits)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from backtriage.harness.cli import ci_args, exit_codes
from backtriage.harness.cli.config import load_config, setting
from backtriage.harness.grading.answers_file import ANSWER_FORMATS
from backtriage.harness.loading.problems import InputError, Problem

DEFAULT_OUTPUT = "backtriage-out"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    p = sub.add_parser(
        "grade",
        help="score collected answers (JSONL) exactly like a run",
        description="Score answers collected from a product you cannot call. Each line of "
        "ANSWERS is a JSON object: vignette_id, answer (the text), and optionally system and "
        "epoch. Prose is read by the extractor (every field keeps the sentence that decided "
        "it); prose it cannot map is an error outcome. A vignette without an answer is an "
        "error outcome (fails closed) unless --subset is given. Unknown or duplicate ids are "
        "bad input (exit 2); an LLM judge that cannot be reached gives no verdict (exit 4).",
    )
    p.add_argument("answers", metavar="ANSWERS.jsonl", help="the collected answers")
    p.add_argument("--corpus", action="append",
                   help="vignette folder or file (repeatable; default: bundled corpus)")
    p.add_argument("--policy", help="gate policy YAML or bundled name (default: default)")
    p.add_argument("--output", help=f"folder for results.json (default: {DEFAULT_OUTPUT})")
    p.add_argument("--config", help="YAML config file; CLI flags override it")
    p.add_argument("--extractor", metavar="SPEC",
                   help="how prose is read: rules (default; deterministic) or "
                        "llm:openai:MODEL (an LLM judge; settings from the config's adapter:)")
    p.add_argument("--answer-format", choices=ANSWER_FORMATS,
                   help="text: always prose; json: always a decision object; auto (default): "
                        "a decision object when the answer starts with '{', else prose")
    p.add_argument("--subset", action="store_true", default=None,
                   help="grade only the vignettes that have an answer (results say so); "
                        "without it a vignette with no answer is an error outcome")
    p.add_argument("--system-name", help="name the graded system (default: the file's "
                                         "'system' field, else answers:FILE)")
    p.add_argument("--quiet", action="store_true", help="print only the safety lines and gates")
    ci_args.add_arguments(p, shard=False)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Grade, print the scorecard, write results, and return the gate status."""
    # Imported here, not at the top: registering the command stays cheap (see main).
    from backtriage.harness.extraction import ExtractorUnavailable, extractor_for
    from backtriage.harness.grading import grade_answers, read_answers
    from backtriage.harness.loading.corpus import load_corpus
    from backtriage.harness.runs.evaluation import results_document
    from backtriage.harness.runs.output_paths import claim_outputs
    from backtriage.harness.runs.results_io import safe_document, write_results
    from backtriage.scoring.policy import load_policy
    from backtriage.scoring.scorecard import render_scorecard

    config = load_config(args.config)
    corpus = load_corpus(setting("corpus", args.corpus, config, None))
    answers = read_answers(args.answers, {v.id for v in corpus.vignettes})
    policy = load_policy(setting("policy", args.policy, config, None))
    output = Path(setting("output", args.output, config, DEFAULT_OUTPUT))
    extractor = extractor_for(setting("extractor", args.extractor, config, "rules"),
                              config.get("adapter", {}))
    subset = bool(setting("subset", args.subset, config, False))
    answer_format = setting("answer_format", args.answer_format, config, "auto")
    if answer_format not in ANSWER_FORMATS:
        raise InputError([Problem("answer_format", "", f"must be one of "
                                  f"{', '.join(ANSWER_FORMATS)}, got {answer_format!r}")])
    # Every output path checked and --output locked before any answer is read (as run does).
    claim = claim_outputs(output, {}, {"--junit": getattr(args, "junit", None),
                                       "--markdown": getattr(args, "markdown", None)})
    try:
        try:
            result = grade_answers(
                answers, corpus, policy, extractor,
                answer_format=answer_format,
                subset=subset, system_name=args.system_name,
            )
        except ExtractorUnavailable as exc:
            print(f"backtriage: extractor unavailable: no verdict: {extractor.name}: {exc}",
                  file=sys.stderr)
            return exit_codes.SYSTEM_UNAVAILABLE
        finally:
            extractor.close()
        if subset:
            print(f"backtriage grade: --subset: grading the {len(result.corpus)} vignette(s) "
                  "with an answer, not the whole corpus", file=sys.stderr)
        document = safe_document(results_document(result))
        path = write_results(output, document)
        out = ci_args.console(args)
        print(render_scorecard(document, quiet=args.quiet), file=out)
        print(f"\nresults: {path}", file=out)
        ci_args.write_reports(args, document)
        return exit_codes.OK if result.passed else exit_codes.GATE_FAILED
    finally:
        claim.release()
