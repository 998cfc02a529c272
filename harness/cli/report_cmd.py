"""``backtriage report RESULTS... --html FILE``: one self-contained page comparing runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from backtriage.harness.cli import exit_codes
from backtriage.harness.loading.problems import InputError, Problem


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    p = sub.add_parser(
        "report",
        help="write an HTML report comparing one or more runs",
        description="Render results.json files (or the folders holding them) as one "
        "self-contained HTML page: safety against over-imaging, sensitivity per condition, "
        "urgency confusion, safety-net coverage, and every vignette with its answer. "
        "Narratives are read from the corpus each run recorded (else the bundled one) and "
        "shown only where the vignette is unchanged.",
    )
    p.add_argument("results", nargs="+", metavar="RESULTS", help="results.json or its folder")
    p.add_argument("--html", required=True, metavar="FILE", help="the HTML file to write")
    p.add_argument(
        "--corpus",
        action="append",
        help="read narratives from this vignette folder or file (repeatable; default: the "
        "corpus each run recorded, else the bundled corpus)",
    )
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Read every results file, render the page, write it atomically."""
    # Imported here, not at the top: registering the command stays cheap (see main).
    from backtriage.harness.atomic_files import write_text_atomic
    from backtriage.harness.runs.case_texts import load_case_texts
    from backtriage.harness.runs.results_io import read_results
    from backtriage.scoring.reports.html import build_runs, render_html

    inputs: list[tuple[str, dict[str, Any]]] = []
    problems: list[Problem] = []
    for path in args.results:
        try:
            inputs.append((path, read_results(path)))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    target = Path(args.html)
    if target.is_dir():
        raise InputError([Problem(str(target), "", "is a folder; --html needs a file name")])
    texts = load_case_texts([doc for _, doc in inputs], args.corpus)
    page = render_html(build_runs(inputs, texts))
    try:
        write_text_atomic(target, page)
    except OSError as exc:
        raise InputError([Problem(str(target), "", f"cannot write: {exc.strerror}")]) from exc
    print(f"html report: {target}")
    return exit_codes.OK
