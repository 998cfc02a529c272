"""The policy's gates as test reports, so JUnit, the terminal and other reporters show them.

Gates read every answer, so they can only be judged once every item has run, on the controller
(which under pytest-xdist runs no item). Each gate is reported there, at the end of the test
loop, as a test of its own, ``backtriage::gates::<metric>``, through the ordinary report hooks:
a failed gate is a failed test case in ``--junitxml`` and on the terminal, a gate with no data
in a partial selection is skipped, and any reporting plugin sees them like other tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pytest

from backtriage.harness.pytest_plugin.settings import GATES_NODE, NODE_PREFIX
from backtriage.scoring.gates import GateResult

GATE_REPORT_FLAG = "backtriage_gate"
"""Set on gate reports, so the plugin does not count them as failures of other tests."""


def gate_nodeid(gate: GateResult) -> str:
    """``backtriage::gates::critical_misses`` for the gate ``critical_misses <= 0``."""
    return f"{NODE_PREFIX}::{GATES_NODE}::{gate.name.split(' ')[0]}"


def count_gates(session: pytest.Session, n_gates: int) -> None:
    """Count the gates among the tests, so progress percentages end at 100%, not beyond."""
    session.testscollected += n_gates


def report_gates(
    session: pytest.Session,
    gates: Sequence[GateResult],
    policy_name: str,
    scope: str,
    *,
    counted: bool,
) -> None:
    """Send one test report per gate through pytest's report hooks.

    Args:
        session: the controller's session.
        gates: the verdicts.
        policy_name: for the failure message.
        scope: likewise.
        counted: the gates are already in ``session.testscollected`` (see
            :func:`count_gates`); otherwise they are added now.
    """
    hook = session.config.hook
    if not counted:
        session.testscollected += len(gates)
    # A failed gate is not a reason to stop (the run is over): keep -x and --maxfail quiet.
    should_fail, should_stop = session.shouldfail, session.shouldstop
    for gate in gates:
        nodeid = gate_nodeid(gate)
        location = (NODE_PREFIX, None, nodeid.removeprefix(NODE_PREFIX + "::"))
        hook.pytest_runtest_logstart(nodeid=nodeid, location=location)
        for report in _reports(nodeid, location, gate, policy_name, scope):
            hook.pytest_runtest_logreport(report=report)
        hook.pytest_runtest_logfinish(nodeid=nodeid, location=location)
    session.shouldfail, session.shouldstop = should_fail, should_stop


def _reports(
    nodeid: str,
    location: tuple[str, int | None, str],
    gate: GateResult,
    policy_name: str,
    scope: str,
) -> list[pytest.TestReport]:
    outcome: Literal["passed", "failed", "skipped"]
    longrepr: tuple[str, int, str] | str | None
    if gate.value is None and gate.passed:  # not applied: no data in this selection
        outcome, longrepr = "skipped", (NODE_PREFIX, 0, f"Skipped: {gate.detail}")
    elif gate.passed:
        outcome, longrepr = "passed", None
    else:
        outcome = "failed"
        longrepr = f"gate failed: {gate.detail}\npolicy {policy_name} (scope: {scope})"
    keywords: dict[str, Literal[1]] = {GATES_NODE: 1, NODE_PREFIX: 1}
    properties = [("gate", gate.name), ("value", "" if gate.value is None else f"{gate.value:g}")]
    call = pytest.TestReport(
        nodeid, location, keywords, outcome, longrepr, "call", user_properties=properties
    )
    teardown = pytest.TestReport(nodeid, location, keywords, "passed", None, "teardown")
    for report in (call, teardown):
        setattr(report, GATE_REPORT_FLAG, True)
    return [call, teardown]
