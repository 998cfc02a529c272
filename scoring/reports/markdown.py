"""A Markdown summary of a run, fit for a pull-request comment or ``$GITHUB_STEP_SUMMARY``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backtriage.scoring.reports.common import (
    first_answer_text,
    md_code,
    md_escape,
    md_table,
    outcome_text,
    worst_vignettes,
)
from backtriage.scoring.scorecard import over_imaging_line, pct, safety_line


def render_markdown(doc: Mapping[str, Any], worst: int | None = 10) -> str:
    """Render a results document: verdict, safety, over-imaging, errors, gates, worst vignettes.

    Args:
        doc: a results document (``results.json``).
        worst: how many of the worst vignettes to list (``None``: all).
    """
    m = doc["metrics"]
    policy = doc["policy"]
    corpus = doc["corpus"]
    verdict = "PASS ✅" if doc["gates_passed"] else "FAIL ❌"
    facts = [
        *([f"label {md_code(doc['label'])}"] if doc.get("label") else []),
        f"system {md_code(doc['system']['spec'])}",
        f"{m['n_vignettes']} vignettes",
        f"corpus `{corpus['content_hash'][:12]}`",
        f"{m['n_epochs']} epoch(s)",
    ]
    if corpus.get("shard"):
        facts.append(
            f"shard {corpus['shard']} of a {corpus.get('n_vignettes_total', '?')}-vignette corpus"
        )
    if isinstance(corpus.get("selection"), Mapping):
        facts.append(md_escape(corpus["selection"]["description"]))
    if corpus.get("merged_from"):
        facts.append(f"merged from {len(corpus['merged_from'])} shards")
    facts.append(f"backtriage {doc['harness_version']}")
    lines = [
        f"## backtriage: {verdict}",
        "",
        f"Policy {md_code(policy['name'])} (gates read {policy['scope']} vignettes) · "
        + " · ".join(facts),
        "",
        f"- **Safety:** {md_escape(safety_line(m).removeprefix('SAFETY').strip())}",
        f"- **Over-imaging:** "
        f"{md_escape(over_imaging_line(m).removeprefix('OVER-IMAGING').strip())}",
        f"- **Errors:** {m['errors']} ({pct(m['error_rate'])} of all vignettes; each counted "
        "as a failure)",
        "",
    ]
    if corpus.get("shard"):
        lines += [
            "> This is one shard: its gates read its own slice. Merge the shards "
            "(`backtriage merge`) for the verdict that counts.",
            "",
        ]
    lines.append("### Gates")
    lines.append("")
    if doc["gates"]:
        lines.append(
            md_table(
                ["", "gate", "value", "detail"],
                [
                    ["✅" if g["passed"] else "❌", g["name"], g.get("shown") or _value(g["value"]),
                     g["detail"]]
                    for g in doc["gates"]
                ],
            )
        )
    else:
        lines.append("The policy sets no gate.")
    lines.append("")
    bad = worst_vignettes(doc["vignettes"])
    shown = bad if worst is None else bad[:worst]
    if bad:
        lines.append(f"### Worst vignettes ({len(shown)} of {len(bad)} with an outcome)")
        lines.append("")
        lines.append(
            md_table(
                ["vignette", "status", "outcomes", "expected", "answered (first epoch)"],
                [
                    [
                        f"`{v['id']}`",
                        v["label_status"],
                        outcome_text(v),
                        f"{v['expected']['urgency']} / {v['expected']['imaging']}",
                        first_answer_text(v, 60),
                    ]
                    for v in shown
                ],
            )
        )
    else:
        lines.append("No vignette has an outcome: every answer was acceptable.")
    lines.append("")
    return "\n".join(lines)


def _value(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if float(value).is_integer() else f"{value:.4g}"
