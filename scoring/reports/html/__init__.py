"""The HTML report: one self-contained page comparing runs (chart, tables, vignettes)."""

from backtriage.scoring.reports.html.page import render_html
from backtriage.scoring.reports.html.runs import RunView, build_runs, run_label

__all__ = ["RunView", "build_runs", "render_html", "run_label"]
