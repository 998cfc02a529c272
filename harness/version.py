"""The harness version, as the package declares it (``backtriage/_version.py``)."""

from __future__ import annotations

from backtriage._version import __version__


def harness_version() -> str:
    """Return the backtriage version."""
    return __version__
