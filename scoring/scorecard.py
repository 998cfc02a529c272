"""The console scorecard: the safety line first, then over-imaging, then everything else.

Every table fits 100 columns (long cells wrap); colour is the caller's choice (a
:class:`~backtriage.scoring.reports.colour.Paint`); the headlines name the vignettes they read
(all of them), as the gate lines name theirs (the policy's scope).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backtriage.harness.vocabulary import URGENCIES
from backtriage.scoring.formatting import pct
from backtriage.scoring.metrics import RATE_METRICS
from backtriage.scoring.report_choices import DEFAULT_WORST
from backtriage.scoring.reports.colour import PLAIN, Paint
from backtriage.scoring.reports.common import first_answer_text, shown_outcomes, worst_vignettes
from backtriage.scoring.reports.text_table import fit_table

__all__ = ["QUIET_PREFIXES", "over_imaging_line", "pct", "render_scorecard", "safety_line"]

HEADLINE_SCOPE = "all vignettes"
"""The headlines read every vignette, consensus and contested alike."""


SHORT_DENOMINATORS = {
    "critical_miss_rate": "emergency",
    "major_miss_rate": "urgent",
    "minor_under_triage_rate": "routine",
    "missed_imaging_rate": "imaging indicated",
    "wrong_modality_rate": "imaging expected",
    "over_imaging_rate": "not indicated*",
    "over_triage_rate": "non-emergency",
}
"""The denominator column's short names (the rest read all vignettes); the footnote says more."""

DENOMINATOR_NOTE = (
    "of: the vignettes each rate counts over. * imaging not indicated, red-flag vignettes excluded"
)


def _rate_text(r: Mapping[str, Any]) -> str:
    if not r["denominator"]:
        return "no vignettes"
    interval = f"95% CI {pct(r['ci95_low'])}–{pct(r['ci95_high'])}"
    return f"{r['count']}/{r['denominator']} = {pct(r['value'])} ({interval})"


def safety_line(m: Mapping[str, Any], scope: str = HEADLINE_SCOPE, paint: Paint = PLAIN) -> str:
    """The headline: critical misses with their upper bound, and major misses."""
    crit = m["rates"]["critical_miss_rate"]
    major = m["rates"]["major_miss_rate"]
    bound = pct(m["critical_miss_upper95"])
    critical = f"critical misses {m['critical_misses']}"
    majors = f"major misses {m['major_misses']}"
    return (
        f"SAFETY  {paint.bad(critical) if m['critical_misses'] else critical} "
        f"of {crit['denominator']} emergency vignettes "
        f"(true rate below {bound} with 95% confidence); "
        f"{paint.warn(majors) if m['major_misses'] else majors} "
        f"of {major['denominator']} urgent vignettes — {scope}"
    )


def over_imaging_line(m: Mapping[str, Any], scope: str = HEADLINE_SCOPE) -> str:
    """The second headline: over-imaging with its interval."""
    r = m["rates"]["over_imaging_rate"]
    if not r["denominator"]:
        return f"OVER-IMAGING  not measurable: no {r['denominator_is']} — {scope}"
    return f"OVER-IMAGING  {_rate_text(r)} of {r['denominator_is']} — {scope}"


def epochs_lines(doc: Mapping[str, Any]) -> list[str]:
    """With k > 1 answers per vignette: pass^k and the flip rate (empty for a single epoch)."""
    m = doc["metrics"]
    k = m["n_epochs"]
    if k <= 1:
        return []
    r = m["rates"]["pass_all_epochs"]
    flipped = sum(1 for v in doc["vignettes"] if v.get("flip_rate"))
    return [
        f"EPOCHS  {k} answers per vignette, the worst decides safety; "
        f"pass^{k} (all {k} acceptable) {r['count']}/{r['denominator']} = {pct(r['value'])}; "
        f"mean flip rate {pct(m['mean_flip_rate'])}, {flipped} vignette(s) changed answer"
    ]


def answers_lines(doc: Mapping[str, Any]) -> list[str]:
    """How the answers were obtained: asked, from the cache, resumed (empty for merged shards)."""
    run = doc.get("run")
    if not run:
        return []
    parts = [f"{run.get('asked', 0)} asked", f"{run.get('cached', 0)} from the cache"]
    if run.get("resumed"):
        parts.append(f"{run['resumed']} resumed from the journal")
    if run.get("not_attempted"):
        parts.append(f"{run['not_attempted']} not attempted (time cap)")
    return [f"ANSWERS  {', '.join(parts)}"]


QUIET_PREFIXES = ("SAFETY", "OVER-IMAGING", "ERRORS", "GATES", "  ok", "  FAIL")
"""Lines a quiet scorecard keeps: the headlines and the gates."""


def part_note(doc: Mapping[str, Any]) -> str:
    """What part of the corpus the run holds (``selection of 12 of 374 vignettes``), or ``""``.

    Reads a ``run --select/--limit`` selection, a pytest selection and a shard alike.
    """
    corpus = doc["corpus"]
    selection = corpus.get("selection")
    text = selection.get("description", "") if isinstance(selection, Mapping) else selection
    if corpus.get("shard"):
        shard = f"shard {corpus['shard']}"
        return f"{text}, {shard}" if text else (
            f"{shard} of a {corpus.get('n_vignettes_total', '?')}-vignette corpus"
        )
    return str(text or "")


def usage_line(doc: Mapping[str, Any]) -> list[str]:
    """Token totals the adapters reported (empty when none did)."""
    usage = doc.get("usage")
    if not usage:
        return []
    cached = usage.get("cached", {}).get("answers_reporting", 0)
    return [
        f"TOKENS  {usage['input_tokens']:,} in, {usage['output_tokens']:,} out over "
        f"{usage['answers_reporting']} answer(s)"
        + (f" ({cached} more served from the cache)" if cached else "")
    ]


def headline_lines(doc: Mapping[str, Any], paint: Paint = PLAIN) -> list[str]:
    """Safety, over-imaging and errors: what a quiet scorecard still prints."""
    m = doc["metrics"]
    return [
        safety_line(m, paint=paint),
        over_imaging_line(m),
        f"ERRORS  {m['errors']} ({pct(m['error_rate'])} of all vignettes; "
        "each counted as a failure)",
    ]


def gate_lines(doc: Mapping[str, Any], paint: Paint = PLAIN) -> list[str]:
    """The verdict and one line per gate."""
    policy = doc["policy"]
    passed = doc["gates_passed"]
    note = part_note(doc)
    lines = [
        f"GATES  policy {policy['name']} (scope: {policy['scope']})"
        + (f" on a {note}" if note else "")
        + ": "
        + paint.verdict(passed, "PASS" if passed else "FAIL")
    ]
    for g in doc["gates"]:
        mark = paint.good("ok  ") if g["passed"] else paint.bad("FAIL")
        lines.append(f"  {mark} {paint.gate_detail(g['passed'], g['detail'])}")
    return lines


def rates_table(doc: Mapping[str, Any]) -> str:
    """Every rate for all, consensus and contested vignettes, with the interval for all."""
    by = doc["metrics_by_status"]
    rows = []
    for name in RATE_METRICS:
        r_all = by["all"]["rates"][name]
        row = [name.removesuffix("_rate").replace("_", " ")]
        for scope in ("all", "consensus", "contested"):
            r = by[scope]["rates"][name]
            row.append(f"{r['count']}/{r['denominator']} {pct(r['value'])}" if r["denominator"]
                       else "—")
        row.append(f"{pct(r_all['ci95_low'])}–{pct(r_all['ci95_high'])}")
        row.append(SHORT_DENOMINATORS.get(name, "all"))
        rows.append(row)
    table = fit_table(
        rows, ["rate", "all", "consensus", "contested", "95% CI (all)", "of"], wrap=[5, 0]
    )
    return f"{table}\n{DENOMINATOR_NOTE}"


def condition_table(m: Mapping[str, Any]) -> str:
    """Sensitivity per expected condition: share of its vignettes not under-triaged."""
    rows = [
        [
            c,
            f"{v['sensitivity']['count']}/{v['sensitivity']['denominator']}",
            pct(v["sensitivity"]["value"]),
            f"{pct(v['sensitivity']['ci95_low'])}–{pct(v['sensitivity']['ci95_high'])}",
            pct(v["named"]["value"]),
        ]
        for c, v in m["per_condition"].items()
    ]
    return fit_table(
        rows, ["condition", "not under-triaged", "sensitivity", "95% CI", "named"], wrap=[0]
    )


def confusion_table(m: Mapping[str, Any]) -> str:
    """Rows: expected urgency; columns: answered urgency (every epoch), plus errors."""
    confusion = m["urgency_confusion"]
    cols = [*URGENCIES, "error"]
    from tabulate import tabulate  # when a table is drawn (see text_table.fit_table)

    table = tabulate(
        [[u, *(confusion[u][c] for c in cols)] for u in URGENCIES], headers=["", *cols]
    )
    return f"urgency confusion (rows: expected, columns: answered)\n{table}"


def worst_table(doc: Mapping[str, Any], worst: int | None, paint: Paint = PLAIN) -> list[str]:
    """The vignettes with an outcome, worst first: ``worst`` of them, or all for ``None``."""
    bad = worst_vignettes(doc["vignettes"])
    if not bad:
        return []
    shown = bad if worst is None else bad[:worst]
    rows = [
        [v["id"], v["label_status"], paint.outcomes(shown_outcomes(v)), first_answer_text(v, 60)]
        for v in shown
    ]
    return [
        f"worst vignettes ({len(shown)} of {len(bad)} with an outcome"
        + ("" if len(shown) == len(bad) else "; --top N or --all for more")
        + ")",
        fit_table(rows, ["vignette", "status", "outcomes", "answer (first epoch)"], wrap=[2, 3, 0]),
        "",
    ]


def render_scorecard(
    doc: Mapping[str, Any],
    worst: int | None = DEFAULT_WORST,
    quiet: bool = False,
    paint: Paint = PLAIN,
) -> str:
    """Render a results document (results.json) as the console scorecard.

    Args:
        doc: the results document.
        worst: how many of the worst vignettes to list (``None``: all of them).
        quiet: keep only the safety, over-imaging and error lines and the gates.
        paint: colour for the verdicts and misses (default: none).
    """
    if quiet:
        return "\n".join([*headline_lines(doc, paint), *gate_lines(doc, paint)])
    m = doc["metrics"]
    kappa = m.get("urgency_kappa")
    label = f" — label {doc['label']}" if doc.get("label") else ""
    held = part_note(doc) or f"{m['n_vignettes']} vignettes"
    lines = [
        f"backtriage scorecard — system {doc['system']['spec']}{label} — {held} "
        f"(corpus {doc['corpus']['content_hash'][:12]}, {m['n_epochs']} epoch(s))",
        "",
        *headline_lines(doc, paint),
        *epochs_lines(doc),
        *usage_line(doc),
        *answers_lines(doc),
        "",
        rates_table(doc),
        "",
        f"urgency agreement: quadratic-weighted kappa {'—' if kappa is None else f'{kappa:.3f}'}",
        "",
        condition_table(m),
        "",
        confusion_table(m),
        "",
        *worst_table(doc, worst, paint),
        *gate_lines(doc, paint),
    ]
    return "\n".join(lines)
