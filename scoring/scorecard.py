"""The console scorecard: the safety line first, then over-imaging, then everything else."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tabulate import tabulate

from backtriage.harness.vocabulary import URGENCIES
from backtriage.scoring.metrics import RATE_METRICS


def pct(value: float | None) -> str:
    """Format a proportion as a percentage, or an em dash when there is no data."""
    return "—" if value is None else f"{100 * value:.1f}%"


def _rate_text(r: Mapping[str, Any]) -> str:
    if not r["denominator"]:
        return "no vignettes"
    interval = f"95% CI {pct(r['ci95_low'])}–{pct(r['ci95_high'])}"
    return f"{r['count']}/{r['denominator']} = {pct(r['value'])} ({interval})"


def safety_line(m: Mapping[str, Any]) -> str:
    """The headline: critical misses with their upper bound, and major misses."""
    crit = m["rates"]["critical_miss_rate"]
    major = m["rates"]["major_miss_rate"]
    bound = pct(m["critical_miss_upper95"])
    return (
        f"SAFETY  critical misses {m['critical_misses']} of {crit['denominator']} "
        "emergency vignettes "
        f"(true rate below {bound} with 95% confidence); "
        f"major misses {m['major_misses']} of {major['denominator']} urgent vignettes"
    )


def over_imaging_line(m: Mapping[str, Any]) -> str:
    """The second headline: over-imaging with its interval."""
    r = m["rates"]["over_imaging_rate"]
    if not r["denominator"]:
        return f"OVER-IMAGING  not measurable: no {r['denominator_is']}"
    return f"OVER-IMAGING  {_rate_text(r)} of {r['denominator_is']}"


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


QUIET_PREFIXES = ("SAFETY", "OVER-IMAGING", "ERRORS", "GATES", "  ok", "  FAIL")
"""Lines a quiet scorecard keeps: the headlines and the gates."""


def render_scorecard(doc: Mapping[str, Any], worst: int = 10, quiet: bool = False) -> str:
    """Render a results document (results.json) as the console scorecard.

    Args:
        doc: the results document.
        worst: how many of the worst vignettes to list.
        quiet: keep only the safety, over-imaging and error lines and the gates.
    """
    m = doc["metrics"]
    by = doc["metrics_by_status"]
    lines = [
        f"backtriage scorecard — system {doc['system']['spec']} — {m['n_vignettes']} vignettes "
        f"(corpus {doc['corpus']['content_hash'][:12]}, {m['n_epochs']} epoch(s))",
        "",
        safety_line(m),
        over_imaging_line(m),
        f"ERRORS  {m['errors']} ({pct(m['error_rate'])} of all vignettes; "
        "each counted as a failure)",
        *epochs_lines(doc),
        "",
    ]
    rows = []
    for name in RATE_METRICS:
        row = [name.replace("_", " ")]
        for scope in ("all", "consensus", "contested"):
            r = by[scope]["rates"][name]
            row.append(
                f"{r['count']}/{r['denominator']} {pct(r['value'])}" if r["denominator"] else "—"
            )
        row.append(
            f"{pct(by['all']['rates'][name]['ci95_low'])}–{pct(by['all']['rates'][name]['ci95_high'])}"
        )
        row.append(by["all"]["rates"][name]["denominator_is"])
        rows.append(row)
    lines.append(
        tabulate(
            rows, headers=["metric", "all", "consensus", "contested", "95% CI (all)", "denominator"]
        )
    )
    kappa = m.get("urgency_kappa")
    lines += [
        "",
        f"urgency agreement: quadratic-weighted kappa {'—' if kappa is None else f'{kappa:.3f}'}",
        "",
    ]

    cond_rows = [
        [
            c,
            f"{v['sensitivity']['count']}/{v['sensitivity']['denominator']}",
            pct(v["sensitivity"]["value"]),
            f"{pct(v['sensitivity']['ci95_low'])}–{pct(v['sensitivity']['ci95_high'])}",
            pct(v["named"]["value"]),
        ]
        for c, v in m["per_condition"].items()
    ]
    lines.append(
        tabulate(
            cond_rows, headers=["condition", "not under-triaged", "sensitivity", "95% CI", "named"]
        )
    )
    lines.append("")
    confusion = m["urgency_confusion"]
    cols = [*URGENCIES, "error"]
    lines.append("urgency confusion (rows: expected, columns: answered)")
    lines.append(
        tabulate([[u, *(confusion[u][c] for c in cols)] for u in URGENCIES], headers=["", *cols])
    )
    lines.append("")

    bad = [v for v in doc["vignettes"] if v["outcomes"]]
    order = [
        "error",
        "critical_miss",
        "major_miss",
        "missed_imaging",
        "wrong_modality",
        "minor_under_triage",
        "over_imaging",
        "over_triage",
        "missing_safety_net",
    ]
    bad.sort(key=lambda v: min(order.index(o) for o in v["outcomes"]))
    if bad:
        lines.append(f"worst vignettes ({min(worst, len(bad))} of {len(bad)} with an outcome)")
        lines.append(
            tabulate(
                [
                    [v["id"], v["label_status"], ", ".join(v["outcomes"]), _answer_text(v)]
                    for v in bad[:worst]
                ],
                headers=["vignette", "status", "outcomes", "answer (first epoch)"],
            )
        )
        lines.append("")

    policy = doc["policy"]
    verdict = "PASS" if doc["gates_passed"] else "FAIL"
    lines.append(f"GATES  policy {policy['name']} (scope: {policy['scope']}): {verdict}")
    lines += [f"  {'ok  ' if g['passed'] else 'FAIL'} {g['detail']}" for g in doc["gates"]]
    if quiet:
        lines = [
            line
            for block in lines
            for line in block.splitlines()
            if line.startswith(QUIET_PREFIXES)
        ]
    return "\n".join(lines)


def _answer_text(v: Mapping[str, Any]) -> str:
    a = v["answers"][0]
    if a["decision"] is None:
        return f"error: {(a['error'] or '')[:60]}"
    d = a["decision"]
    return f"{d['urgency']} / {d['imaging']} / {d['category']}"
