"""What the reports can be asked for, importable without the reports themselves.

The command line lists these in ``--help``; importing the renderers (tabulate, the metrics)
just to register a flag would slow every command's start-up.
"""

from __future__ import annotations

DEFAULT_WORST = 10
"""How many of the worst vignettes the scorecard lists unless told otherwise."""

COMPARE_FORMATS = ("table", "json", "markdown")
"""The formats ``backtriage compare`` prints."""

COVERAGE_FORMATS = ("table", "markdown", "json")
"""The formats ``backtriage corpus stats`` prints."""
