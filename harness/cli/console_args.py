"""How ``run`` and ``merge`` print the scorecard: how many worst vignettes, and colour.

Colour follows the conventions of https://no-color.org and https://force-color.org: a
non-empty ``NO_COLOR`` turns it off, a non-empty ``FORCE_COLOR`` turns it on (``NO_COLOR`` wins
when both are set, since turning colour off is the safer reading), and otherwise only a
terminal gets colour (not a pipe, a file or ``TERM=dumb``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, TextIO

from backtriage.harness.loading.problems import InputError, Problem
from backtriage.scoring.report_choices import DEFAULT_WORST

if TYPE_CHECKING:
    from backtriage.scoring.reports.colour import Paint


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add ``--top N`` and ``--all`` (one or the other)."""
    g = p.add_argument_group("scorecard")
    worst = g.add_mutually_exclusive_group()
    worst.add_argument("--top", type=int, metavar="N",
                       help=f"list the N worst vignettes (default: {DEFAULT_WORST}; 0: none)")
    worst.add_argument("--all", dest="all_worst", action="store_true",
                       help="list every vignette with an outcome")


def worst_count(args: argparse.Namespace) -> int | None:
    """How many of the worst vignettes to list; ``None`` lists them all.

    Raises:
        InputError: for a negative ``--top``.
    """
    if getattr(args, "all_worst", False):
        return None
    top = getattr(args, "top", None)
    if top is None:
        return DEFAULT_WORST
    if top < 0:
        raise InputError([Problem("--top", "", f"must be at least 0, got {top}")])
    return int(top)


def colour_wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Whether text written to ``stream`` should carry ANSI colour (see the module docstring)."""
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def paint(stream: TextIO | None = None) -> Paint:
    """The colour to print with on ``stream`` (default: standard output)."""
    from backtriage.scoring.reports.colour import Paint

    return Paint(colour_wanted(stream or sys.stdout))
