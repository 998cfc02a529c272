"""The harness version, read from the installed package metadata when available."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def harness_version() -> str:
    """Return the installed backtriage version, or ``0+unknown`` from a bare checkout."""
    try:
        return version("backtriage")
    except PackageNotFoundError:
        return "0+unknown"
