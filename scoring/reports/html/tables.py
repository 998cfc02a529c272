"""The run-level tables: every rate, sensitivity per condition, urgency confusion, safety nets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from backtriage.harness.vocabulary import URGENCIES, urgency_rank
from backtriage.scoring.reports.html.markup import el, esc, join, rate_brief, rate_text, words
from backtriage.scoring.reports.html.runs import RunView
from backtriage.scoring.stats import rate


def run_head(run: RunView) -> str:
    """A table header cell naming a run, with its colour swatch."""
    return el("th", swatch(run) + esc(run.label), scope="col")


def swatch(run: RunView) -> str:
    """A small square in the run's colour."""
    return el(
        "svg",
        el("rect", width=10, height=10, fill=run.colour),
        class_="swatch",
        width=10,
        height=10,
        aria_hidden="true",
    )


def rates_table(runs: Sequence[RunView]) -> str:
    """Every rate of every run (all vignettes) with its count, denominator and interval."""
    names: list[str] = []
    for run in runs:
        names += [n for n in run.metrics["rates"] if n not in names]
    head = el(
        "tr",
        el("th", "rate", scope="col")
        + join(run_head(r) for r in runs)
        + el("th", "denominator", scope="col"),
    )
    rows = []
    for name in names:
        cells = [el("th", esc(words(name)), scope="row")]
        denominators = set()
        for run in runs:
            r = run.metrics["rates"].get(name)
            cells.append(
                el(
                    "td",
                    esc(rate_brief(r)) if r else "—",
                    class_="num",
                    title=rate_text(r) if r else None,
                )
            )
            if r:
                denominators.add(str(r.get("denominator_is", "")))
        cells.append(el("td", esc("; ".join(sorted(denominators)))))
        rows.append(el("tr", join(cells), data_metric=name))
    return el("table", el("thead", head) + el("tbody", join(rows)), class_="rates")


def condition_table(runs: Sequence[RunView]) -> str:
    """Sensitivity per expected condition (share not under-triaged) with a bar per run."""
    conditions: list[str] = []
    for run in runs:
        conditions += [c for c in run.metrics["per_condition"] if c not in conditions]
    if not conditions:
        return el("p", "No vignette of these runs expects a suspected condition.", class_="note")
    head = el("tr", el("th", "condition", scope="col") + join(run_head(r) for r in runs))
    rows = []
    for condition in conditions:
        cells = [el("th", esc(words(condition)), scope="row")]
        for run in runs:
            entry = run.metrics["per_condition"].get(condition)
            if entry is None:
                cells.append(el("td", "not in this run", class_="muted"))
                continue
            sens = entry["sensitivity"]
            cells.append(
                el(
                    "td",
                    interval_bar(sens, run.colour) + el("span", esc(rate_brief(sens))),
                    class_="bar-cell",
                    title=rate_text(sens),
                )
            )
        rows.append(el("tr", join(cells), data_condition=condition))
    return el("table", el("thead", head) + el("tbody", join(rows)), class_="conditions")


def interval_bar(r: Mapping[str, Any], colour: str, width: int = 100) -> str:
    """A horizontal bar for a proportion with its 95% interval as a whisker (0-100%)."""
    if not r.get("denominator"):
        return ""
    value, low, high = (float(r[k]) * width for k in ("value", "ci95_low", "ci95_high"))
    return el(
        "svg",
        el("rect", x=0, y=3, width=width, height=10, class_="bar-track")
        + el("rect", x=0, y=3, width=round(value, 2), height=10, fill=colour, class_="bar")
        + el("line", x1=round(low, 2), y1=8, x2=round(high, 2), y2=8, class_="whisker")
        + el("line", x1=round(low, 2), y1=4, x2=round(low, 2), y2=12, class_="whisker")
        + el("line", x1=round(high, 2), y1=4, x2=round(high, 2), y2=12, class_="whisker"),
        class_="interval-bar",
        width=width,
        height=16,
        aria_hidden="true",
    )


def confusion_table(run: RunView) -> str:
    """The urgency confusion matrix of one run (every epoch's answer), coloured by direction."""
    confusion: Mapping[str, Mapping[str, int]] = run.metrics["urgency_confusion"]
    columns = [*URGENCIES, "error"]
    head = el(
        "tr",
        el("th", "expected ↓ / answered →", scope="col")
        + join(el("th", esc(words(c)), scope="col") for c in columns),
    )
    rows = []
    for expected in URGENCIES:
        row = confusion.get(expected, {})
        cells = [el("th", esc(words(expected)), scope="row")]
        for answered in columns:
            count = int(row.get(answered, 0))
            cells.append(
                el(
                    "td",
                    str(count),
                    class_=f"num {_direction(expected, answered)}"
                    + (" zero" if count == 0 else ""),
                )
            )
        rows.append(el("tr", join(cells)))
    caption = el("caption", swatch(run) + esc(run.label))
    return el(
        "table",
        caption + el("thead", head) + el("tbody", join(rows)),
        class_="confusion",
        data_run=run.index,
    )


def _direction(expected: str, answered: str) -> str:
    if answered == "error":
        return "under"  # an error fails closed: read as the worst answer
    diff = urgency_rank(answered) - urgency_rank(expected)
    return "agree" if diff == 0 else ("under" if diff < 0 else "over")


def safety_net_table(runs: Sequence[RunView]) -> str:
    """Share of answers that carry a safety net or ask questions, where the answers record it.

    ``safety_net`` and ``questions`` are optional decision fields: an answer without the field
    did not report it, which is not the same as an empty list ("reported none"). A run where no
    answer has the field says "not recorded", never 0%.
    """
    head = el(
        "tr",
        join(
            el("th", t, scope="col")
            for t in (
                "run",
                "answers with a decision",
                "safety net given",
                "questions asked",
                "either",
                "most common topics",
            )
        ),
    )
    rows = [el("tr", join(_coverage_cells(run))) for run in runs]
    return el("table", el("thead", head) + el("tbody", join(rows)), class_="safety-nets")


def _coverage_cells(run: RunView) -> list[str]:
    decisions = [
        a["decision"]
        for v in run.document["vignettes"]
        for a in v["answers"]
        if a.get("decision") is not None
    ]
    cells = [
        el("th", swatch(run) + esc(run.label), scope="row"),
        el("td", str(len(decisions)), class_="num"),
    ]
    topics: Counter[str] = Counter()
    for field in ("safety_net", "questions"):
        recorded = [d for d in decisions if d.get(field) is not None]
        given = sum(1 for d in recorded if d[field])
        for d in recorded:
            topics.update(d[field])
        cells.append(_coverage_cell(given, len(recorded), len(decisions)))
    either = [
        d for d in decisions if d.get("safety_net") is not None or d.get("questions") is not None
    ]
    cells.append(
        _coverage_cell(
            sum(1 for d in either if d.get("safety_net") or d.get("questions")),
            len(either),
            len(decisions),
        )
    )
    common = ", ".join(f"{words(t)} ({n})" for t, n in topics.most_common(4))
    cells.append(el("td", esc(common or "—")))
    return cells


def _coverage_cell(given: int, recorded: int, total: int) -> str:
    if recorded == 0:
        return el("td", "not recorded", class_="muted not-recorded")
    r = rate(given, recorded).to_dict()
    text = rate_text(r)
    if recorded < total:
        text += f"; recorded in {recorded} of {total} answers"
    return el("td", esc(text), class_="num")


def gates_list(run: RunView) -> str:
    """The run's gates, passed or failed, as the policy recorded them."""
    gates = run.document.get("gates") or []
    if not gates:
        return el("p", "The policy sets no gate.", class_="muted")
    items = [
        el(
            "li",
            el(
                "span",
                "pass" if g["passed"] else "FAIL",
                class_="gate-ok" if g["passed"] else "gate-fail",
            )
            + " "
            + esc(g["detail"]),
        )
        for g in gates
    ]
    return el("ul", join(items), class_="gates")
