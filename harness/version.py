"""The harness version, read from the installed package metadata when available."""

from __future__ import annotations

from backtriage._version import __version__


def harness_version() -> str:
    """Return the installed backtriage version, or ``0+unknown`` from a bare checkout."""
    return __version__
