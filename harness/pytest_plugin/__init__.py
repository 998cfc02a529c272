"""pytest plugin: every vignette as a test item, the policy's gates as test cases and verdict.

Loaded in every pytest session through the ``pytest11`` entry point, and inert there unless a
system is named (``--backtriage-system SPEC``, or ``backtriage_system`` in the ini file for runs
of the whole suite): until then it only registers its options, imports nothing heavy, and
collects, prints and changes nothing.

Switched on, it adds one test item per vignette, node id ``backtriage::<id>`` (pass it back to
``pytest`` to run that vignette again), marked with its expected suspected conditions, urgency,
label status and register, so ``-m`` and ``-k`` select strata. The system is asked in the item's
setup, a few upcoming vignettes at a time (``--backtriage-concurrency``), each call bounded by
``--backtriage-timeout`` and retried ``--backtriage-retries`` times: a system error (exception,
timeout, invalid answer) is a test *error*, a wrong decision a test *failure* whose message shows
the outcome, expected and actual decision, rationale and sources.

Each item ships its answers on its setup report, which pytest-xdist carries from the workers to
the controller; there, at the end of the session, the answers are scored together and the
policy's run-level gates are reported as test cases ``backtriage::gates::<metric>`` (so JUnit and
the terminal show a failed gate) and set the exit status: 0 when every gate passes (even if some
vignettes failed, which a lenient policy tolerates), 1 when a gate fails. Failures of ordinary
tests in the same session keep the exit status at 1 whatever the gates say.

Modules: :mod:`.hooks` (options, switching on), :mod:`.settings` (what was asked for),
:mod:`.items` (the corpus as items), :mod:`.asking` (calling the system ahead of the items),
:mod:`.gate_reports` (gates as test reports), :mod:`.session` (the switched-on plugin).
"""

from __future__ import annotations

from backtriage.harness.pytest_plugin.hooks import pytest_addoption, pytest_configure

__all__ = ["pytest_addoption", "pytest_configure"]
