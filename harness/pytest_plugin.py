"""pytest plugin: every vignette as a test item. Inert unless --backtriage-system is given."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the switch that activates the plugin."""
    group = parser.getgroup("backtriage")
    group.addoption("--backtriage-system", default=None, help="system spec to test on the corpus")
    parser.addini("backtriage_system", "system spec to test on the corpus (activates the plugin)")
