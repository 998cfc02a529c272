"""pytest plugin: every vignette as a test item, the policy's gates as the session verdict.

Loaded in every pytest session through the ``pytest11`` entry point, and inert there unless a
system is named (``--backtriage-system SPEC`` or ``backtriage_system`` in the ini file): until
then it only registers its options, and collects, prints and changes nothing.

Switched on, it adds one test item per vignette, named by the vignette id (node id
``backtriage::<id>``) and marked with its expected suspected conditions, urgency, label status
and register, so ``-m`` and ``-k`` select strata. The system is asked in the item's setup: a
system error (exception, timeout, invalid answer) is a test *error*, a wrong decision a test
*failure* whose message shows the outcome, expected and actual decision, rationale and sources.

Each item ships its answers on its setup report, which pytest-xdist carries from the workers to
the controller; there, at the end of the session, the answers are scored together and the
policy's run-level gates set the exit status: 0 when every gate passes (even if some vignettes
failed, which the lenient policy tolerated), 1 when a gate fails. Failures of ordinary tests in
the same session keep the exit status at 1 whatever the gates say.
"""

from __future__ import annotations

import pytest

from backtriage.harness.pytest_plugin.session import BacktriageSession
from backtriage.harness.pytest_plugin.settings import MARKERS, PLUGIN_NAME, read_settings

__all__ = ["BacktriageSession", "pytest_addoption", "pytest_configure"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the options; naming a system is what switches the plugin on."""
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
        "--backtriage-epochs",
        type=int,
        default=None,
        metavar="K",
        help="answers asked per vignette",
    )
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
    parser.addini("backtriage_system", "system spec to test on the corpus (switches the plugin on)")
    parser.addini(
        "backtriage_corpus", "vignette folders or files, relative to the ini file", type="paths"
    )
    parser.addini(
        "backtriage_policy", "gate policy YAML (relative to the ini file) or bundled name"
    )
    parser.addini("backtriage_epochs", "answers asked per vignette (default 1)")


def pytest_configure(config: pytest.Config) -> None:
    """Switch the plugin on when a system is named; otherwise do nothing at all."""
    settings = read_settings(config)
    if settings is None:
        return
    for name, description in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {description}")
    config.pluginmanager.register(BacktriageSession(config, settings), PLUGIN_NAME)
