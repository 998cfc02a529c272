"""Reports for CI: JUnit XML, Markdown summaries of a run and of a comparison."""

from backtriage.scoring.reports.compare_render import render_comparison
from backtriage.scoring.reports.junit import junit_xml, write_junit
from backtriage.scoring.reports.markdown import render_markdown

__all__ = ["junit_xml", "render_comparison", "render_markdown", "write_junit"]
