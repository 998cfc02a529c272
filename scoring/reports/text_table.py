"""Console tables that fit a terminal width: wide columns are wrapped, not the whole line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

WIDTH = 100
"""Columns a console report may use."""

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_GAP = 2  # tabulate's "simple" format puts two spaces between columns
_HEADER_PADDING = 2  # and makes a column two wider than its header
_MIN_WRAP = 8


def visible_width(line: str) -> int:
    """The columns ``line`` takes on a terminal (colour codes take none)."""
    return len(_ANSI.sub("", line))


def _natural_widths(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    widths = [visible_width(str(h)) + _HEADER_PADDING for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], visible_width(str(cell)))
    return widths


def fit_table(
    rows: Sequence[Sequence[Any]],
    headers: Sequence[str],
    wrap: Sequence[int],
    width: int = WIDTH,
    **options: Any,
) -> str:
    """Render ``rows`` with tabulate, wrapping the columns ``wrap`` names until it fits ``width``.

    Args:
        rows: the table body.
        headers: one per column.
        wrap: indexes of the columns that may wrap, the first to give up width first.
        width: the widest line allowed.
        options: passed to :func:`tabulate.tabulate` (e.g. ``colalign``).
    """
    # Imported when a table is drawn: the quiet scorecard of a CI log draws none, and importing
    # tabulate reads its installed metadata (about 15 ms of start-up).
    from tabulate import tabulate

    if not rows:
        return tabulate(rows, headers=list(headers), **options)
    widths = _natural_widths(headers, rows)
    total = sum(widths) + _GAP * (len(widths) - 1)
    limits: list[int | None] = [None] * len(widths)
    excess = total - width
    for index in wrap:
        if excess <= 0:
            break
        # tabulate never wraps a header, so a column stays at least as wide as its header.
        floor = max(_MIN_WRAP, visible_width(str(headers[index])) + _HEADER_PADDING)
        give = min(excess, max(0, widths[index] - floor))
        if give:
            limits[index] = widths[index] - give
            excess -= give
    if all(limit is None for limit in limits):
        return tabulate(rows, headers=list(headers), **options)
    return tabulate(rows, headers=list(headers), maxcolwidths=limits, **options)
