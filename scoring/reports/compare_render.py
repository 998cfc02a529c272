"""Rendering a comparison of two runs as a console table, Markdown or JSON."""

from __future__ import annotations

import json

from tabulate import tabulate

from backtriage.scoring.compare import (
    CHANGE_ORDER,
    NEW_CRITICAL_MISS,
    NEW_MAJOR_MISS,
    Comparison,
    MetricDelta,
    VignetteChange,
)
from backtriage.scoring.report_choices import COMPARE_FORMATS
from backtriage.scoring.reports.colour import PLAIN, Paint
from backtriage.scoring.reports.common import md_code, md_escape, md_table
from backtriage.scoring.reports.text_table import fit_table

FORMATS = COMPARE_FORMATS


def render_comparison(comparison: Comparison, fmt: str = "table", paint: Paint = PLAIN) -> str:
    """Render ``comparison`` in ``fmt`` (``table``, ``json`` or ``markdown``).

    ``paint`` colours the console table's verdicts (the other formats are never coloured).

    Raises:
        ValueError: for an unknown format.
    """
    if fmt == "json":
        return json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False)
    if fmt == "markdown":
        return _markdown(comparison)
    if fmt == "table":
        return _table(comparison, paint)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _fmt_value(d: MetricDelta, value: float | None) -> str:
    if value is None:
        return "—"
    if d.is_count:
        return f"{value:g}"
    return f"{100 * value:.1f}%" if d.is_proportion else f"{value:.3f}"


def _fmt_delta(d: MetricDelta) -> str:
    if d.delta is None:
        return "—"
    if d.is_count:
        return f"{d.delta:+g}"
    return f"{100 * d.delta:+.1f} pts" if d.is_proportion else f"{d.delta:+.3f}"


def _outcomes(outcomes: tuple[str, ...] | None) -> str:
    if outcomes is None:
        return "(absent)"
    return ", ".join(outcomes) or "ok"


def _change_row(c: VignetteChange) -> list[str]:
    note = [] if c.in_scope else ["outside gate scope"]
    if c.relabelled:
        note.append("label changed")
    return [
        "; ".join(c.kinds),
        c.id,
        c.label_status + (f" ({', '.join(note)})" if note else ""),
        c.expected,
        f"{c.base_answer} → {c.new_answer}",
        f"{_outcomes(c.base_outcomes)} → {_outcomes(c.new_outcomes)}",
    ]


_CHANGE_HEADERS = [
    "change",
    "vignette",
    "status",
    "expected",
    "answer base → new",
    "outcomes base → new",
]


_GROUP_HEADERS = ["vignette", "expected", "answer base → new", "outcomes base → new"]


def _change_groups(comparison: Comparison, paint: Paint) -> list[str]:
    """The changed vignettes under one heading per kind of change, each table 100 columns wide.

    A vignette is listed once, under its most important change; its other changes show in
    its outcome columns.
    """
    lines: list[str] = []
    for kind in CHANGE_ORDER:
        group = [c for c in comparison.changes if c.kind == kind]
        if not group:
            continue
        heading = f"{kind} ({len(group)})"
        if kind in (NEW_CRITICAL_MISS, NEW_MAJOR_MISS):
            heading = paint.bad(heading) if kind == NEW_CRITICAL_MISS else paint.warn(heading)
        rows = []
        for c in group:
            note = [] if c.in_scope else ["outside gate scope"]
            if c.relabelled:
                note.append("label changed")
            status = c.label_status + (f", {', '.join(note)}" if note else "")
            rows.append([
                f"{c.id} ({status})",
                c.expected,
                f"{c.base_answer} → {c.new_answer}",
                f"{_outcomes(c.base_outcomes)} → {_outcomes(c.new_outcomes)}",
            ])
        lines += [heading, fit_table(rows, _GROUP_HEADERS, wrap=[3, 2, 0, 1]), ""]
    return lines


def _summary_counts(comparison: Comparison) -> str:
    parts = [f"{comparison.count(k)} {k}" for k in CHANGE_ORDER if comparison.count(k)]
    return ", ".join(parts) if parts else "no vignette changed outcome"


def _table(comparison: Comparison, paint: Paint) -> str:
    verdict = paint.verdict(comparison.passed, "PASS" if comparison.passed else "FAIL")
    lines = [
        f"backtriage compare — base {comparison.base_label} → new {comparison.new_label} "
        f"(policy {comparison.policy_name}, scope {comparison.scope})",
        "",
        f"CHANGES  {_summary_counts(comparison)}",
    ]
    lines += [f"warning: {w}" for w in comparison.warnings]
    lines.append("")
    if comparison.changes:
        lines += _change_groups(comparison, paint)
        lines.append("")
    lines.append(f"metric deltas ({comparison.scope} vignettes)")
    lines.append(
        tabulate(
            [
                [d.name, _fmt_value(d, d.base), _fmt_value(d, d.new), _fmt_delta(d)]
                for d in comparison.deltas
            ],
            headers=["metric", "base", "new", "change"],
        )
    )
    lines += ["", comparison.mcnemar.sentence(), ""]
    lines.append(f"GATES  compare gates of policy {comparison.policy_name}: {verdict}")
    if comparison.gates:
        lines += [
            f"  {paint.good('ok  ') if g.passed else paint.bad('FAIL')} "
            f"{paint.gate_detail(g.passed, g.detail)}"
            for g in comparison.gates
        ]
    else:
        lines.append("  (the policy sets no compare gate)")
    return "\n".join(lines)


def _markdown(comparison: Comparison) -> str:
    verdict = "PASS ✅" if comparison.passed else "FAIL ❌"
    lines = [
        f"## backtriage compare: {verdict}",
        "",
        f"Base {md_code(comparison.base_label)} → new {md_code(comparison.new_label)} · policy "
        f"{md_code(comparison.policy_name)} (scope {comparison.scope}) · "
        f"{_summary_counts(comparison)}",
        "",
    ]
    lines += [f"> ⚠️ {md_escape(w)}" for w in comparison.warnings]
    if comparison.warnings:
        lines.append("")
    lines += ["### Compare gates", ""]
    if comparison.gates:
        lines.append(
            md_table(
                ["", "gate", "detail"],
                [["✅" if g.passed else "❌", g.name, g.detail] for g in comparison.gates],
            )
        )
    else:
        lines.append("The policy sets no compare gate.")
    lines += ["", "### Changed vignettes", ""]
    if comparison.changes:
        lines.append(md_table(_CHANGE_HEADERS, [_change_row(c) for c in comparison.changes]))
    else:
        lines.append("No vignette changed outcome.")
    lines += ["", f"### Metric deltas ({comparison.scope} vignettes)", ""]
    lines.append(
        md_table(
            ["metric", "base", "new", "change"],
            [
                [d.name, _fmt_value(d, d.base), _fmt_value(d, d.new), _fmt_delta(d)]
                for d in comparison.deltas
            ],
        )
    )
    lines += ["", comparison.mcnemar.sentence(), ""]
    return "\n".join(lines)
