"""The package version, from the installed distribution's metadata."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__: str = version("backtriage")
except PackageNotFoundError:  # a bare checkout on sys.path, not installed
    __version__ = "0+unknown"
