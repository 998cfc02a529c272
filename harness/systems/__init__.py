"""Triage systems: the interface, the registry of spec kinds, and the built-in systems."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
    from backtriage.harness.systems.protocol import (
        InvalidAnswer,
        Reply,
        SystemFailure,
        SystemUnavailable,
        TransientError,
        TriageSystem,
    )
    from backtriage.harness.systems.registry import known_kinds, register_kind, resolve_system
    from backtriage.harness.systems.spec_errors import SpecError

_EXPORTS = {
    "InvalidAnswer": "backtriage.harness.systems.protocol",
    "Reply": "backtriage.harness.systems.protocol",
    "SpecError": "backtriage.harness.systems.spec_errors",
    "SystemFailure": "backtriage.harness.systems.protocol",
    "SystemUnavailable": "backtriage.harness.systems.protocol",
    "TransientError": "backtriage.harness.systems.protocol",
    "TriageSystem": "backtriage.harness.systems.protocol",
    "known_kinds": "backtriage.harness.systems.registry",
    "register_kind": "backtriage.harness.systems.registry",
    "resolve_system": "backtriage.harness.systems.registry",
}

__all__ = [
    "InvalidAnswer",
    "Reply",
    "SpecError",
    "SystemFailure",
    "SystemUnavailable",
    "TransientError",
    "TriageSystem",
    "known_kinds",
    "register_kind",
    "resolve_system",
]
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
