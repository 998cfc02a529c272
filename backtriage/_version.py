"""The package version: the one place it is written.

``pyproject.toml`` reads it from here (``[tool.setuptools.dynamic]``), so the installed
metadata always agrees; reading it here costs nothing, where ``importlib.metadata`` would add
about 25 ms to every start-up that prints or records the version.
"""

from __future__ import annotations

__version__ = "0.1.0"
