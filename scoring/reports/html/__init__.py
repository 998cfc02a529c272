"""The HTML report: one self-contained page comparing runs (chart, tables, vignettes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
    from backtriage.scoring.reports.html.page import render_html
    from backtriage.scoring.reports.html.runs import RunView, build_runs, run_label

_EXPORTS = {
    "RunView": "backtriage.scoring.reports.html.runs",
    "build_runs": "backtriage.scoring.reports.html.runs",
    "render_html": "backtriage.scoring.reports.html.page",
    "run_label": "backtriage.scoring.reports.html.runs",
}

__all__ = ["RunView", "build_runs", "render_html", "run_label"]
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
