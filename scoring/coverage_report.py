"""Rendering a :class:`backtriage.scoring.coverage.Coverage` as a text table, Markdown or JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping

from tabulate import tabulate

from backtriage.harness.vocabulary import URGENCIES
from backtriage.scoring.coverage import Coverage, Stratum
from backtriage.scoring.report_choices import COVERAGE_FORMATS
from backtriage.scoring.stats import smallest_n_for_upper_bound

FORMATS = COVERAGE_FORMATS
"""The output formats of ``backtriage corpus stats``."""


def render_coverage(cov: Coverage, fmt: str = "table") -> str:
    """Render ``cov`` in ``fmt`` (one of :data:`FORMATS`).

    Raises:
        ValueError: for an unknown format.
    """
    if fmt == "json":
        return json.dumps(cov.to_dict(), indent=2)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    markdown = fmt == "markdown"
    tablefmt = "github" if markdown else "simple"

    def heading(text: str) -> str:
        return f"## {text}" if markdown else text.upper()

    where = f" ({', '.join(cov.roots)})" if cov.roots else ""
    parts = [
        ("# " if markdown else "") + f"Corpus coverage: {cov.total} vignettes{where}",
        heading("Category x expected urgency"),
        _cross_table(cov, tablefmt),
        heading("Suspected conditions"),
        _condition_table(cov, tablefmt),
        heading("Register"),
        _counts(cov.by_register, "register", tablefmt),
        heading("Label status"),
        _counts(cov.by_label_status, "label status", tablefmt),
        heading("Review status"),
        _counts(cov.by_review_status, "review status", tablefmt),
        heading("Areas"),
        _counts(cov.by_area, "folder", tablefmt),
        heading(f"Traps (tag 'trap'): {cov.traps}"),
        _counts(cov.traps_by_urgency, "expected urgency", tablefmt),
        heading("Safety-claim strength"),
        _strength_intro(cov),
        _strata_table(cov.strata, tablefmt),
        heading(f"Warnings: {len(cov.small_strata)} strata too small"),
        _warnings(cov, markdown),
        heading("Narratives"),
        _profile_table(cov, tablefmt),
        heading("Shortcut audit"),
        _shortcut_text(cov),
    ]
    return "\n\n".join(parts) + "\n"


def _profile_table(cov: Coverage, tablefmt: str) -> str:
    p = cov.profile
    if p is None or p.total == 0:
        return "no vignettes"

    def pct(k: int, n: int) -> str:
        return f"{k} ({100 * k / n:.0f}%)" if n else str(k)

    by_urgency = ", ".join(f"{u} {n}" for u, n in p.back_numbness_by_urgency.items())
    rows = [
        ("numbness, tingling or pins and needles", pct(p.numbness, p.total)),
        ("numbness of the back itself", f"{p.back_numbness} ({by_urgency})"),
        ("sparse lay messages (10-60 words, most negatives unstated)", str(p.sparse_lay)),
        ("lay message length, words", f"{p.lay_words_min}-{p.lay_words_max}"),
        ("lay: typos, fragments or lowercase", pct(p.informal_lay, p.lay)),
        ("lay: UK idiom / US idiom", f"{p.uk_idiom} / {p.us_idiom}"),
        ("lay: self-diagnosis or web words", str(p.self_diagnosis)),
        ("lay: written by a partner, parent or child", str(p.written_by_relative)),
        ("lay: several messages pasted", str(p.several_messages)),
        ("contrast pairs (tag contrast-<pair>)", str(p.contrast_pairs)),
    ]
    return tabulate(rows, headers=["narratives", "count"], tablefmt=tablefmt)


def _shortcut_text(cov: Coverage) -> str:
    audit = cov.shortcut_audit
    if audit is None:
        return "too few vignettes to cross-validate the surface classifier"
    verdict = "within" if audit.passed else "ABOVE"
    return (
        f"A naive Bayes classifier on surface features only (length, punctuation, closing "
        f"question, setting words, duration phrasing, register) predicts expected urgency with "
        f"{100 * audit.accuracy:.1f}% accuracy ({audit.n} vignettes, {10}-fold cross-validation) "
        f"against a majority-class rate of {100 * audit.majority_rate:.1f}% "
        f"('{audit.majority_class}'): {100 * audit.gain:+.1f} points, {verdict} the "
        f"{100 * audit.limit:.0f}-point limit. Balanced accuracy (mean recall per urgency, "
        f"reported, not gated): {100 * audit.balanced_accuracy:.1f}% against "
        f"{100 / audit.n_classes:.1f}% by chance."
    )


def _cross_table(cov: Coverage, tablefmt: str) -> str:
    rows: list[list[str | int]] = []
    for category, row in cov.category_by_urgency.items():
        rows.append([category, *(row[u] for u in URGENCIES), sum(row.values())])
    totals = [sum(r[u] for r in cov.category_by_urgency.values()) for u in URGENCIES]
    rows.append(["total", *totals, cov.total])
    return tabulate(rows, headers=["category", *URGENCIES, "total"], tablefmt=tablefmt)


def _counts(counts: Mapping[str, int], label: str, tablefmt: str) -> str:
    rows = [[key, n] for key, n in counts.items()]
    return tabulate(rows, headers=[label, "vignettes"], tablefmt=tablefmt)


def _condition_table(cov: Coverage, tablefmt: str) -> str:
    rows = [[c, n, cov.consensus_by_condition.get(c, 0)] for c, n in cov.by_condition.items()]
    return tabulate(rows, headers=["condition", "vignettes", "consensus"], tablefmt=tablefmt)


def _strength_intro(cov: Coverage) -> str:
    needed = smallest_n_for_upper_bound(cov.target)
    return (
        "If a system misses none of a stratum's n vignettes (n counts those whose expected "
        "urgency is above self_care), the exact one-sided 95% bound on its miss rate is "
        f"1 - 0.05^(1/n). A claim below {100 * cov.target:.0f}% needs n >= {needed}."
    )


def _strata_table(strata: tuple[Stratum, ...], tablefmt: str) -> str:
    rows = []
    for s in strata:
        bound = "—" if s.upper95 is None else f"{100 * s.upper95:.1f}%"
        ok = "yes" if s.supports_target else ("n/a" if not s.can_miss else "NO")
        rows.append([s.kind, s.name, s.total, s.n, bound, ok])
    headers = ["kind", "stratum", "vignettes", "n", "bound if 0 misses", "supports target"]
    return tabulate(rows, headers=headers, tablefmt=tablefmt)


def _warnings(cov: Coverage, markdown: bool) -> str:
    lines = [s.warning() for s in cov.small_strata]
    if not lines:
        return "none: every stratum can support the target claim"
    bullet = "- " if markdown else "WARNING "
    return "\n".join(f"{bullet}{line}" for line in lines if line)
