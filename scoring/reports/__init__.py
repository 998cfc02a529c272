"""Reports for CI: JUnit XML, Markdown summaries of a run and of a comparison."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
    from backtriage.scoring.reports.compare_render import render_comparison
    from backtriage.scoring.reports.junit import junit_xml, write_junit
    from backtriage.scoring.reports.markdown import render_markdown

_EXPORTS = {
    "junit_xml": "backtriage.scoring.reports.junit",
    "render_comparison": "backtriage.scoring.reports.compare_render",
    "render_markdown": "backtriage.scoring.reports.markdown",
    "write_junit": "backtriage.scoring.reports.junit",
}

__all__ = ["junit_xml", "render_comparison", "render_markdown", "write_junit"]
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
