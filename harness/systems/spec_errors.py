"""The error raised for a system spec that cannot be resolved (exit status 2)."""

from __future__ import annotations


class SpecError(ValueError):
    """A ``--system`` spec that names no known system, or one that cannot be built."""

    def __init__(self, spec: str, reason: str):
        super().__init__(f"system spec {spec!r}: {reason}")
        self.spec = spec
        self.reason = reason
