"""Triage systems: the interface, the registry of spec kinds, and the built-in systems."""

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
