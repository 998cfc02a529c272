"""``backtriage robustness``: flip rates of a system under meaning-preserving rewrites."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from backtriage.harness.cli import engine_args, exit_codes
from backtriage.harness.cli.config import load_config, setting
from backtriage.harness.engine.availability import NoVerdict
from backtriage.harness.loading.problems import InputError, Problem

TRANSFORMATION_NAMES = (
    "sex-swap", "age-within-band", "irrelevant-detail", "sentence-order", "duration-wording",
    "uk-us-idiom", "typos", "add-cauda-equina-feature",
)
"""The transformations, as ``--help`` lists them without importing them (a test keeps this
equal to :data:`~backtriage.harness.robustness.transforms.TRANSFORMATIONS`)."""
DEFAULT_OUTPUT = "backtriage-out/robustness"
REPORT_NAME = "robustness.json"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    names = ", ".join(TRANSFORMATION_NAMES)
    p = sub.add_parser(
        "robustness",
        help="rewrite each vignette in ways that should not change (or must raise) the "
        "answer, and report how often the system's answer flips",
        description=f"Transformations: {names}.",
    )
    p.add_argument("--system", help="system spec, as for 'run'")
    p.add_argument("--corpus", action="append", help="vignette folder or file (repeatable)")
    p.add_argument(
        "--transform",
        action="append",
        metavar="NAME",
        help="run only this transformation (repeatable; default: all)",
    )
    p.add_argument("--limit", type=int, metavar="N", help="use only the first N vignettes, by id")
    p.add_argument(
        "--max-flip-rate",
        type=float,
        metavar="RATE",
        help="exit 1 when any transformation's flip rate is above RATE (0-1); "
        "without it the report never fails",
    )
    p.add_argument(
        "--output", help=f"folder for {REPORT_NAME} and the journal (default: {DEFAULT_OUTPUT})"
    )
    p.add_argument("--config", help="YAML config file; CLI flags override it")
    p.add_argument(
        "--top", type=int, default=20, metavar="N", help="flipped vignettes to list (default: 20)"
    )
    engine_args.add_arguments(p)
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Build the variants, ask the system about originals and variants, report the flips."""
    # Imported here, not at the top: registering the command stays cheap (see main).
    from backtriage.harness.engine.session import run_session
    from backtriage.harness.loading.corpus import HOLD_EVERY_NARRATIVE, load_corpus
    from backtriage.harness.robustness.flips import flips_by_transformation, render_report
    from backtriage.harness.robustness.transforms import TRANSFORMATIONS, by_name, variants_of
    from backtriage.harness.runs.evaluation import now_iso
    from backtriage.harness.runs.results_io import write_json_atomic
    from backtriage.harness.runs.run_identity import run_identity
    from backtriage.harness.systems.registry import resolve_system
    from backtriage.harness.version import harness_version

    config = load_config(args.config)
    spec = setting("system", args.system, config, None)
    if not spec:
        print("backtriage robustness: --system is required", file=sys.stderr)
        return exit_codes.BAD_INPUT
    _check_numbers(args)
    try:
        transformations = by_name(args.transform)
    except KeyError as exc:
        known = ", ".join(t.name for t in TRANSFORMATIONS)
        raise InputError(
            [Problem("--transform", "", f"unknown {exc.args[0]}; known: {known}")]
        ) from None
    # One answer per vignette: a flip compares two single answers, not two samples.
    options = dataclasses.replace(engine_args.engine_options(args, config), epochs=1)
    corpus = load_corpus(setting("corpus", args.corpus, config, None),
                         narratives_held_up_to=HOLD_EVERY_NARRATIVE)
    originals = sorted(corpus.vignettes, key=lambda v: v.id)[: args.limit]
    variants = [x for v in originals for x in variants_of(v, transformations)]
    asked_originals = sorted({x.original.id for x in variants})
    by_id = {v.id: v for v in originals}
    vignettes = [by_id[i] for i in asked_originals] + [x.vignette for x in variants]

    output = Path(setting("output", args.output, config, DEFAULT_OUTPUT))
    storage = engine_args.run_storage(args, config, output)
    system = resolve_system(spec, engine_args.adapter_settings(options, config, spec))
    try:
        identity = {
            **run_identity(system, vignettes, corpus.content_hash, options),
            "robustness": [t.name for t in transformations],
        }
        session = run_session(system, vignettes, options, storage, identity, now_iso())
    except KeyboardInterrupt:
        engine_args.note_interrupted(output)
        return exit_codes.INTERRUPTED
    except NoVerdict as exc:
        engine_args.note_no_verdict(system.spec, exc, output)
        return exit_codes.SYSTEM_UNAVAILABLE
    finally:
        system.close()
    answers = {r.vignette_id: r for r in session.records if r.epoch == 0}
    reports = flips_by_transformation(variants, transformations, answers)
    document: dict[str, Any] = {
        "kind": "backtriage-robustness",
        "harness_version": harness_version(),
        "system": {"spec": system.spec, **system.describe()},
        "corpus_hash": corpus.content_hash,
        "n_originals": len(asked_originals),
        "n_variants": len(variants),
        "transformations": [r.to_dict() for r in reports],
        "run": session.stats,
    }
    path = output / REPORT_NAME
    write_json_atomic(path, document)
    print(render_report(system.spec, reports, top=args.top))
    print(f"\nrobustness report: {path}")
    if args.max_flip_rate is None:
        return exit_codes.OK
    worst = max((len(r.flips) / r.applied for r in reports if r.applied), default=0.0)
    return exit_codes.GATE_FAILED if worst > args.max_flip_rate else exit_codes.OK


def _check_numbers(args: argparse.Namespace) -> None:
    problems = []
    if args.limit is not None and args.limit < 1:
        problems.append(Problem("--limit", "", "must be at least 1"))
    rate = args.max_flip_rate
    if rate is not None and not 0.0 <= rate <= 1.0:  # also refuses NaN
        problems.append(Problem("--max-flip-rate", "", "must be between 0 and 1"))
    if args.top < 0:
        problems.append(Problem("--top", "", "must be 0 or more"))
    if problems:
        raise InputError(problems)
