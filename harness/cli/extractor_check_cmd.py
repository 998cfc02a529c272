"""``backtriage extractor-check``: the extractor's agreement with the hand-labelled answers."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backtriage.harness.cli import exit_codes
from backtriage.harness.cli.config import load_config
from backtriage.harness.vocabulary import URGENCIES

if TYPE_CHECKING:
    from backtriage.harness.extraction import check


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the command."""
    p = sub.add_parser(
        "extractor-check",
        help="validate the prose extractor on the hand-labelled answer set",
        description="Print the extractor's agreement with hand-labelled answers per field "
        "(overall, on emergency answers, per half: dev and held-out), the urgency confusion "
        "and every disagreement. Topic agreement is micro-F1 over (answer, topic) pairs, with "
        "exact-set agreement beside it. Exit 0 when the targets are met on the whole set and on "
        "the held-out half when the files have one (urgency >= 95%, 100% on emergency answers, "
        "imaging >= 95%, safety-net micro-F1 >= 90%), 1 when not, 4 when an LLM judge cannot be "
        "reached.",
    )
    p.add_argument("labelled", nargs="*", metavar="LABELLED.jsonl",
                   help="labelled files (default: the bundled set)")
    p.add_argument("--extractor", metavar="SPEC",
                   help="rules (default) or llm:openai:MODEL (settings: the config's adapter:)")
    p.add_argument("--config", help="YAML config file (adapter settings for an LLM judge)")
    p.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    """Print the agreement report; 0 when the targets are met (whole set, held-out half)."""
    # Imported here, not at the top: registering the command stays cheap (see main).
    from tabulate import tabulate

    from backtriage.harness.extraction import ExtractorUnavailable, check, extractor_for

    config = load_config(args.config)
    paths = [Path(p) for p in args.labelled] or check.bundled_sets()
    items = check.read_labelled(paths)
    extractor = extractor_for(args.extractor or config.get("extractor"),
                              config.get("adapter", {}))
    try:
        reads = check.read_all(extractor, items)
    except ExtractorUnavailable as exc:
        print(f"backtriage: extractor unavailable: no verdict: {extractor.name}: {exc}",
              file=sys.stderr)
        return exit_codes.SYSTEM_UNAVAILABLE
    finally:
        extractor.close()
    groups = {"all": reads, **{h: [r for r in reads if r.item.half == h]
                               for h in ("dev", "heldout")}}
    # A half with no answers gets no column: the bundled set may have no held-out half yet.
    figures = {name: check.agreement(group) for name, group in groups.items()
               if group or name == "all"}
    print(f"extractor {extractor.name}: {len(items)} labelled answers "
          f"({', '.join(str(p) for p in paths)})\n")
    print(_agreement_table(figures))
    if "heldout" not in figures:
        print("\nno held-out half in these files: the targets are checked on the whole set only")
    print("\nurgency confusion (rows: hand label; columns: extractor)")
    confusion = check.urgency_confusion(reads)
    columns = [*URGENCIES, "error"]
    print(tabulate([[u, *(confusion[u][c] for c in columns)] for u in URGENCIES],
                   headers=["label", *columns]))
    wrong = check.disagreements(reads)
    print(f"\ndisagreements: {len(wrong)}")
    for read, fields in wrong:
        print(f"- {read.item.id} [{read.item.style}] {', '.join(fields)}: label "
              f"{_label(read)}; extractor {_got(read)}")
        print(f"    answer: {read.item.answer[:200]!r}")
        if read.evidence.get("urgency"):
            print(f"    urgency sentence: {read.evidence['urgency'][:200]!r}")
    targets = ", ".join(f"{k} >= {v:.0%}" for k, v in check.TARGETS.items())
    verdicts = {name: check.meets_targets(figures[name])
                for name in ("all", "heldout") if name in figures}
    print()
    for name, ok in verdicts.items():
        print(f"targets {'met' if ok else 'NOT met'} on "
              f"{'the whole set' if name == 'all' else 'the held-out half'} ({targets})")
    return exit_codes.OK if all(verdicts.values()) else exit_codes.GATE_FAILED


def _agreement_table(figures: dict[str, dict[str, Any]]) -> str:
    from tabulate import tabulate

    rows = [
        ("urgency", "urgency"), ("urgency, emergency answers", "urgency_emergency"),
        ("imaging", "imaging"), ("safety net (micro-F1)", "safety_net"),
        ("safety net (exact set)", "safety_net_exact"), ("questions (micro-F1)", "questions"),
        ("questions (exact set)", "questions_exact"),
    ]
    body = [[label, *(_pct(figures[g][key]) for g in figures)] for label, key in rows]
    body.append(["answers (emergency)", *(f"{f['n']} ({f['n_emergency']})"
                                          for f in figures.values())])
    body.append(["unmappable (errors)", *(str(f["errors"]) for f in figures.values())])
    names = {"all": "all", "dev": "dev", "heldout": "held-out"}
    return tabulate(body, headers=["field", *(names[g] for g in figures)])


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _label(read: check.Read) -> str:
    i = read.item
    return f"{i.urgency}/{i.imaging} net={sorted(i.safety_net)} q={sorted(i.questions)}"


def _got(read: check.Read) -> str:
    if read.error:
        return f"error ({read.error[:80]})"
    return (f"{read.urgency}/{read.imaging} net={sorted(read.safety_net)} "
            f"q={sorted(read.questions)}")
