"""The hooks pytest calls in every session: register the options, switch on when asked.

Switched on means a system is named (``--backtriage-system`` or ini ``backtriage_system``) and
the session wants vignettes: the option was given on the command line, the arguments name
vignettes (``backtriage::ID``), or no test path was given at all (the whole suite). With the ini
key alone, ``pytest tests/test_unit.py`` runs that file and nothing else: the corpus is not even
loaded. The switched-on session lives in :mod:`.session`, imported only then.
"""

from __future__ import annotations

import pytest

from backtriage.harness.pytest_plugin.settings import (
    MARKERS,
    NODE_PREFIX,
    PLUGIN_NAME,
    names_other_paths,
    read_settings,
    take_requested,
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the options and ini keys (CLI > ini > default)."""
    group = parser.getgroup("backtriage", "backtriage: every vignette as a test")
    group.addoption(
        "--backtriage-system",
        default=None,
        metavar="SPEC",
        help="system spec to test on the corpus (switches the plugin on): reference, "
        "baseline:NAME, python:MODULE:FUNCTION, ...",
    )
    group.addoption(
        "--backtriage-corpus",
        action="append",
        default=None,
        metavar="PATH",
        help="vignette folder or file (repeatable; default: the bundled corpus)",
    )
    group.addoption(
        "--backtriage-policy",
        default=None,
        metavar="FILE|NAME",
        help="gate policy YAML or bundled name (default, release, development)",
    )
    group.addoption(
        "--backtriage-epochs", type=int, default=None, metavar="K",
        help="answers asked per vignette (default 1)",
    )  # fmt: skip
    group.addoption(
        "--backtriage-timeout", type=float, default=None, metavar="SECONDS",
        help="seconds one call may take; a call still running then counts as a timeout "
        "(default 60)",
    )  # fmt: skip
    group.addoption(
        "--backtriage-retries", type=int, default=None, metavar="N",
        help="retries after a timeout, 429, 5xx or dropped connection (default 3)",
    )  # fmt: skip
    group.addoption(
        "--backtriage-concurrency", type=int, default=None, metavar="N",
        help="calls in flight at once: upcoming vignettes are asked ahead, N at a time "
        "(default 4; under pytest-xdist each worker asks its own vignettes)",
    )  # fmt: skip
    group.addoption(
        "--backtriage-shard",
        default=None,
        metavar="I/N",
        help="collect only shard I of N of the corpus (as 'backtriage run --shard')",
    )
    group.addoption(
        "--backtriage-output",
        default=None,
        metavar="DIR",
        help="write the session's results.json to DIR",
    )
    group.addoption(
        "--backtriage-markdown",
        default=None,
        metavar="FILE",
        help="write the session's Markdown summary to FILE",
    )
    parser.addini(
        "backtriage_system",
        "system spec to test on the corpus when pytest runs the whole suite (no test paths)",
    )
    parser.addini(
        "backtriage_corpus", "vignette folders or files, relative to the ini file", type="paths"
    )
    parser.addini(
        "backtriage_policy", "gate policy YAML (relative to the ini file) or bundled name"
    )
    parser.addini("backtriage_epochs", "answers asked per vignette (default 1)")
    parser.addini("backtriage_timeout", "seconds one call may take (default 60)")
    parser.addini("backtriage_retries", "retries after a retryable failure (default 3)")
    parser.addini("backtriage_concurrency", "calls in flight at once (default 4)")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Switch the plugin on when a system is named and vignettes are wanted."""
    requested = take_requested(config)
    settings = read_settings(config, requested)
    if settings is None:
        if requested:
            raise pytest.UsageError(
                f"backtriage: {NODE_PREFIX}::... names a vignette, but no system is named "
                "(--backtriage-system SPEC, or backtriage_system in the ini file)"
            )
        return
    on_command_line = config.getoption("backtriage_system") is not None
    if not (on_command_line or requested or not names_other_paths(config)):
        config.pluginmanager.register(_NotCollecting(settings.system), PLUGIN_NAME)
        return
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")
    # Imported here: the session loads the corpus, the policy and the system.
    from backtriage.harness.pytest_plugin.session import BacktriageSession

    config.pluginmanager.register(BacktriageSession(config, settings), PLUGIN_NAME)


class _NotCollecting:
    """Named by the ini file, but the command line names other test paths: say so, do nothing."""

    def __init__(self, system: str) -> None:
        self.system = system

    def pytest_report_header(self) -> str:
        """One line, so nobody wonders where the vignettes went."""
        return (
            f"backtriage: system {self.system} from the ini file; vignettes not collected "
            f"because test paths were given (add --backtriage-system or {NODE_PREFIX}::ID)"
        )
