"""The whole report page: one self-contained HTML file comparing one or more runs.

Style and script are inlined from the package's ``report.css`` and ``report.js``. A Content
Security Policy in the page allows exactly those two (by hash) and nothing else: no network, no
other script. Escaping keeps answers from becoming markup; the policy is a second wall should an
escape ever be missed.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

from backtriage.harness.version import harness_version
from backtriage.scoring.reports.html.chart import safety_chart
from backtriage.scoring.reports.html.markup import el, esc, join
from backtriage.scoring.reports.html.runs import RunView
from backtriage.scoring.reports.html.tables import (
    condition_table,
    confusion_table,
    gates_list,
    rates_table,
    safety_net_table,
    swatch,
)
from backtriage.scoring.reports.html.vignettes import sources_list, vignette_table

FILTERS = (
    ("all", "all"),
    ("wrong", "any outcome"),
    ("miss", "misses"),
    ("error", "errors"),
)
"""Filter buttons of the vignette table: the row flag each reads, and its caption."""


def _asset(name: str) -> str:
    return resources.files("backtriage.scoring.reports.html").joinpath(name).read_text("utf-8")


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


def render_html(runs: Sequence[RunView]) -> str:
    """Render the report of ``runs`` (at least one) as a complete HTML document."""
    if not runs:
        raise ValueError("a report needs at least one run")
    css, js = _asset("report.css"), _asset("report.js")
    policy = (
        "default-src 'none'; "
        f"style-src '{_sha256(css)}'; script-src '{_sha256(js)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    title = "backtriage report: " + ", ".join(r.label for r in runs)
    head = (
        '<meta charset="utf-8">'
        + f'<meta http-equiv="Content-Security-Policy" content="{esc(policy)}">'
        + '<meta name="viewport" content="width=device-width, initial-scale=1">'
        + el("title", esc(title))
        + el("style", css)
    )
    body = el("main", _sections(runs)) + el("script", js)
    return f'<!DOCTYPE html>\n<html lang="en">\n<head>{head}</head>\n<body>{body}</body>\n</html>\n'


def _sections(runs: Sequence[RunView]) -> str:
    n = len(runs)
    parts = [
        el("h1", "backtriage report"),
        el(
            "p",
            esc(
                f"{n} run{'s' if n > 1 else ''} compared · rendered by backtriage "
                f"{harness_version()} · every rate reads all vignettes of its run "
                "(consensus and contested); gates read their policy's scope."
            ),
            class_="lede",
        ),
        el("h2", "Runs", id="runs"),
        el("div", _runs_table(runs), class_="scroll"),
        el("h2", "Safety against over-imaging", id="chart"),
        safety_chart(runs),
        el("h2", "Sensitivity per condition", id="conditions"),
        el(
            "p",
            "Share of the vignettes expecting each condition that were not under-triaged "
            "(the answer was at least as urgent as an acceptable urgency), with its Wilson 95% "
            "interval.",
            class_="note",
        ),
        el("div", condition_table(runs), class_="scroll"),
        el("h2", "Urgency confusion", id="confusion"),
        el(
            "p",
            "Rows: expected urgency; columns: answered urgency, every epoch's answer "
            "counted. Red: under-triage or error (an error counts as the worst answer); amber: "
            "over-triage; green: agreement.",
            class_="note",
        ),
        el("div", join(confusion_table(r) for r in runs), class_="confusions"),
        el("h2", "Safety-net coverage", id="safety-nets"),
        el(
            "p",
            "Share of answers that tell the person which warning signs to act on (safety "
            "net) or ask about them (questions), among the answers that record these optional "
            'fields. "Not recorded" means no answer of the run carries the field, which says '
            "nothing about what the system advised.",
            class_="note",
        ),
        safety_net_table(runs),
        el("h2", "Every rate", id="rates"),
        el("div", rates_table(runs), class_="scroll"),
        el("h2", "Vignettes", id="vignettes-section"),
        _controls(runs),
        vignette_table(runs),
        el("h2", "Sources", id="sources"),
        sources_list(runs),
        el(
            "footer",
            "Labels, rationales and sources are the corpus's; each row shows the vignette as "
            "the run recorded it. Text from vignettes and answers is shown as written, never "
            "run.",
        ),
    ]
    return join(parts)


def _runs_table(runs: Sequence[RunView]) -> str:
    heads = ["run", "system", "results file", "vignettes", "epochs", "corpus", "policy", "gates"]
    rows = []
    for run in runs:
        doc = run.document
        m = run.metrics
        corpus = doc["corpus"]
        policy = doc["policy"]
        passed = doc["gates_passed"]
        verdict = el(
            "span", "PASS" if passed else "FAIL", class_="gate-ok" if passed else "gate-fail"
        )
        gates = el("details", el("summary", verdict) + gates_list(run))
        cells = [
            el("th", swatch(run) + esc(run.label), scope="row"),
            el("td", el("code", esc(doc["system"]["spec"]))),
            el("td", el("code", esc(run.source))),
            el("td", str(m["n_vignettes"]), class_="num"),
            el("td", str(m.get("n_epochs", "—")), class_="num"),
            el("td", el("code", esc(corpus["content_hash"][:12])) + esc(_part_of(corpus))),
            el("td", esc(f"{policy['name']} (gates read {policy['scope']})")),
            el("td", gates),
        ]
        rows.append(el("tr", join(cells), data_run=run.index))
    head = el("tr", join(el("th", h, scope="col") for h in heads))
    return el("table", el("thead", head) + el("tbody", join(rows)), class_="runs")


def _part_of(corpus: Mapping[str, Any]) -> str:
    """Say when a run holds only part of its corpus: a shard, a selection, a graded subset."""
    notes = []
    if corpus.get("shard"):
        notes.append(f"shard {corpus['shard']}")
    selection = corpus.get("selection")
    if isinstance(selection, Mapping):
        notes.append(str(selection.get("description") or "a selection"))
    elif selection:
        notes.append(str(selection))
    if corpus.get("subset"):
        notes.append("answered subset")
    return "".join(f"; {n}" for n in notes)


def _controls(runs: Sequence[RunView]) -> str:
    buttons = join(
        el(
            "button",
            esc(caption),
            type="button",
            data_filter=flag,
            aria_pressed="true" if flag == "all" else "false",
            disabled="disabled",
        )
        for flag, caption in FILTERS
    )
    select = ""
    if len(runs) > 1:
        options = el("option", "every run", value="all") + join(
            el("option", esc(r.label), value=r.index) for r in runs
        )
        select = el("label", "run " + el("select", options, id="run-filter", disabled="disabled"))
    shown = el(
        "span",
        esc(f"{sum(len(r.document['vignettes']) for r in runs)} rows"),
        id="shown-count",
        aria_live="polite",
    )
    note = el(
        "p",
        "Misses: critical or major miss, minor under-triage, missed imaging "
        "(errors count here too, failing closed). Click a row to open the case.",
        class_="note",
    )
    return el("div", el("span", "show") + buttons + select + shown, class_="controls") + note
