"""Shared fixtures. The pytester plugin is enabled for tests of our pytest plugin."""

from __future__ import annotations

from pathlib import Path

import pytest

from backtriage.harness.loading import Corpus, load_corpus
from tests.support.factory import mixed_corpus

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def bundled_corpus() -> Corpus:
    """The corpus shipped with the package."""
    return load_corpus()


@pytest.fixture
def small_corpus_dir(tmp_path: Path) -> Path:
    """A five-vignette corpus folder, one per urgency plus a contested case."""
    return mixed_corpus(tmp_path / "corpus")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print where tests saved screenshots (their ``screenshot`` user property)."""
    paths = [
        value
        for key in ("passed", "failed")
        for report in terminalreporter.stats.get(key, [])
        for name, value in getattr(report, "user_properties", ())
        if name == "screenshot"
    ]
    for path in paths:
        terminalreporter.write_line(f"screenshot: {path}")


def pytest_configure(config: pytest.Config) -> None:
    """Keep the corpus validation cache of this test session out of the user's home."""
    import os
    import tempfile

    os.environ.setdefault("BACKTRIAGE_CACHE_DIR", tempfile.mkdtemp(prefix="backtriage-cache-"))
