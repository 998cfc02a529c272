"""The safety-versus-over-imaging chart: one point per run, with 95% intervals on both axes.

Inline SVG, drawn here from the numbers of the results files; no script draws it. The y axis is
the critical-miss rate (under-triaged emergencies), the x axis the over-imaging rate; lower left
is safer and images less. Each axis is scaled to the largest interval bound shown, so a run at
0% is still told apart from one at 2%.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backtriage.scoring.reports.html.markup import el, esc, join, rate_brief, rate_text
from backtriage.scoring.reports.html.runs import RunView
from backtriage.scoring.reports.html.tables import swatch

WIDTH, HEIGHT = 680, 440
LEFT, RIGHT, TOP, BOTTOM = 78, 24, 20, 64
"""Plot margins, in SVG units: room for the tick labels and axis titles."""

_SCALES = ((0.02, 0.005), (0.05, 0.01), (0.1, 0.02), (0.2, 0.05), (0.3, 0.05), (0.5, 0.1))
"""Axis maxima from small to large with their tick steps; beyond the last, 0-100% by 20%."""

X_METRIC = "over_imaging_rate"
Y_METRIC = "critical_miss_rate"


@dataclass(frozen=True)
class Axis:
    """A linear axis from 0 to ``maximum`` mapped onto ``start``..``end`` SVG units."""

    maximum: float
    step: float
    start: float
    end: float

    def at(self, value: float) -> float:
        """The SVG coordinate of ``value``."""
        return self.start + (self.end - self.start) * value / self.maximum

    def ticks(self) -> list[float]:
        """Tick values from 0 to the maximum."""
        n = round(self.maximum / self.step)
        return [round(i * self.step, 6) for i in range(n + 1)]


def axis_scale(largest: float) -> tuple[float, float]:
    """The smallest axis maximum (and its tick step) that holds ``largest``."""
    for maximum, step in _SCALES:
        if largest <= maximum:
            return maximum, step
    return 1.0, 0.2


def _largest(runs: Sequence[RunView], metric: str) -> float:
    highs = [
        r.metrics["rates"][metric].get("ci95_high")
        for r in runs
        if r.metrics["rates"][metric].get("denominator")
    ]
    return max((h for h in highs if h is not None), default=0.0)


def safety_chart(runs: Sequence[RunView]) -> str:
    """Render the chart, its caption, and the runs it cannot place (no denominator)."""
    x_max, x_step = axis_scale(_largest(runs, X_METRIC))
    y_max, y_step = axis_scale(_largest(runs, Y_METRIC))
    x = Axis(x_max, x_step, LEFT, WIDTH - RIGHT)
    y = Axis(y_max, y_step, HEIGHT - BOTTOM, TOP)
    plotted = [r for r in runs if _placeable(r)]
    parts = [_frame(x, y)]
    placed: list[tuple[float, float]] = []
    for run in plotted:
        parts.append(_point(run, x, y, placed))
    svg = el(
        "svg",
        "".join(parts),
        class_="chart",
        viewBox=f"0 0 {WIDTH} {HEIGHT}",
        width=WIDTH,
        height=HEIGHT,
        role="img",
        aria_label="Critical-miss rate against over-imaging rate, one point per run",
    )
    missing = [r for r in runs if not _placeable(r)]
    note = ""
    if missing:
        note = el(
            "p",
            "Not placed (a rate without a denominator): "
            + "; ".join(f"{esc(r.label)}: {esc(_why_not(r))}" for r in missing),
            class_="note",
        )
    caption = el(
        "figcaption",
        "Each point is a run: critical-miss rate (emergency vignettes under-triaged) against "
        "over-imaging rate (imaging ordered where it is not indicated, red-flag vignettes "
        "excluded). Bars are Wilson 95% intervals. Lower left is safer and images less.",
    )
    figure = el("figure", svg + caption + note, class_="chart-figure")
    return el("div", figure + chart_legend(runs), class_="chart-row")


def tick_text(value: float) -> str:
    """A tick label: the percentage without trailing zeros (``2.5%``, ``100%``)."""
    return f"{round(value * 100, 4):g}%"


def chart_legend(runs: Sequence[RunView]) -> str:
    """The numbers behind the points: each run's critical misses and over-imaging."""
    head = el(
        "tr", join(el("th", t, scope="col") for t in ("run", "critical misses", "over-imaging"))
    )
    rows = [
        el(
            "tr",
            el("th", swatch(run) + esc(run.label), scope="row")
            + el("td", esc(rate_brief(run.metrics["rates"][Y_METRIC])), class_="num")
            + el("td", esc(rate_brief(run.metrics["rates"][X_METRIC])), class_="num"),
            data_run=run.index,
        )
        for run in runs
    ]
    return el("table", el("thead", head) + el("tbody", join(rows)), class_="legend")


def _placeable(run: RunView) -> bool:
    rates = run.metrics["rates"]
    return bool(rates[X_METRIC]["denominator"]) and bool(rates[Y_METRIC]["denominator"])


def _why_not(run: RunView) -> str:
    rates = run.metrics["rates"]
    return ", ".join(
        f"no {rates[m]['denominator_is']}"
        for m in (Y_METRIC, X_METRIC)
        if not rates[m]["denominator"]
    )


def _frame(x: Axis, y: Axis) -> str:
    parts = [
        el(
            "rect",
            x=x.start,
            y=y.end,
            width=x.end - x.start,
            height=y.start - y.end,
            class_="plot-area",
        ),
    ]
    for value in x.ticks():
        px = x.at(value)
        parts.append(
            el(
                "g",
                el("line", x1=px, y1=y.end, x2=px, y2=y.start, class_="grid")
                + el("text", tick_text(value), x=px, y=y.start + 18, text_anchor="middle"),
                class_="tick tick-x",
                data_value=value,
                data_pos=round(px, 3),
            )
        )
    for value in y.ticks():
        py = y.at(value)
        parts.append(
            el(
                "g",
                el("line", x1=x.start, y1=py, x2=x.end, y2=py, class_="grid")
                + el("text", tick_text(value), x=x.start - 8, y=py + 4, text_anchor="end"),
                class_="tick tick-y",
                data_value=value,
                data_pos=round(py, 3),
            )
        )
    parts.append(
        el(
            "text",
            "over-imaging rate →",
            x=(x.start + x.end) / 2,
            y=HEIGHT - 18,
            text_anchor="middle",
            class_="axis-title",
        )
    )
    mid_y = (y.start + y.end) / 2
    parts.append(
        el(
            "text",
            "critical-miss rate →",
            x=18,
            y=mid_y,
            text_anchor="middle",
            transform=f"rotate(-90 18 {mid_y})",
            class_="axis-title",
        )
    )
    return "".join(parts)


CHAR_WIDTH = 7.8
"""A generous width of one character of a point label (13px bold), in SVG units."""


def fit_label(label: str, cx: float) -> tuple[str, str, float]:
    """Place a point's label beside it on the side with room, shortened with … if need be.

    Returns:
        The text shown, its ``text-anchor`` and its x coordinate.
    """
    room_right = WIDTH - (cx + 9)
    room_left = cx - 9
    fits = int(max(room_right, room_left) // CHAR_WIDTH)
    text = label if len(label) <= fits else label[: max(fits - 1, 1)] + "…"
    if len(text) * CHAR_WIDTH <= room_right or room_right >= room_left:
        return text, "start", cx + 9
    return text, "end", cx - 9


def _point(run: RunView, x: Axis, y: Axis, placed: list[tuple[float, float]]) -> str:
    rx: Mapping[str, Any] = run.metrics["rates"][X_METRIC]
    ry: Mapping[str, Any] = run.metrics["rates"][Y_METRIC]
    cx, cy = x.at(rx["value"]), y.at(ry["value"])
    x_lo, x_hi = x.at(rx["ci95_low"]), x.at(rx["ci95_high"])
    y_lo, y_hi = y.at(ry["ci95_low"]), y.at(ry["ci95_high"])
    cap = 5
    bars = (
        el("line", x1=x_lo, y1=cy, x2=x_hi, y2=cy)
        + el("line", x1=x_lo, y1=cy - cap, x2=x_lo, y2=cy + cap)
        + el("line", x1=x_hi, y1=cy - cap, x2=x_hi, y2=cy + cap)
        + el("line", x1=cx, y1=y_lo, x2=cx, y2=y_hi)
        + el("line", x1=cx - cap, y1=y_lo, x2=cx + cap, y2=y_lo)
        + el("line", x1=cx - cap, y1=y_hi, x2=cx + cap, y2=y_hi)
    )
    # Labels of points that sit close together are stacked so they stay readable.
    near = sum(1 for px, py in placed if abs(px - cx) < 90 and abs(py - cy) < 16)
    placed.append((cx, cy))
    text, anchor, lx = fit_label(run.label, cx)
    label = el(
        "text",
        esc(text),
        x=round(lx, 3),
        y=round(cy - 8 - 15 * near, 3),
        text_anchor=anchor,
        class_="point-label",
    )
    tooltip = el(
        "title",
        esc(f"{run.label}\ncritical misses: {rate_text(ry)}\nover-imaging: {rate_text(rx)}"),
    )
    return el(
        "g",
        tooltip
        + el("g", bars, class_="error-bars", stroke=run.colour)
        + el("circle", cx=round(cx, 3), cy=round(cy, 3), r=6, fill=run.colour, class_="point")
        + label,
        class_="run-point",
        data_run=run.index,
        data_label=run.label,
        data_x=rx["value"],
        data_y=ry["value"],
    )
