"""What the engine records for each call of a system."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backtriage.harness.model import Decision


@dataclass(frozen=True)
class Attempt:
    """One try at a call: how it ended and how long it took."""

    number: int
    ok: bool
    seconds: float
    error: str | None = None
    retry_after: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "number": self.number,
            "ok": self.ok,
            "seconds": round(self.seconds, 6),
            "error": self.error,
            "retry_after": self.retry_after,
        }


@dataclass(frozen=True)
class AnswerRecord:
    """One answer of a system to one vignette in one epoch.

    ``decision`` is ``None`` exactly when ``error`` says what went wrong. ``final`` is False for
    a call the engine gave up on without an answer of the system's (the total time cap): such a
    record is scored as an error but never journaled, so ``--resume`` asks again.
    ``unavailable`` is True when the call never reached the system (connection refused, 401,
    404, ...): scored as an error too, but ``--resume`` asks it again.
    """

    vignette_id: str
    epoch: int
    decision: Decision | None
    error: str | None
    raw: str | None = None
    attempts: tuple[Attempt, ...] = ()
    seconds: float = 0.0
    metadata: dict[str, Any] = field(default_factory=dict)
    cached: bool = False
    final: bool = True
    unavailable: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used in results and journals."""
        return {
            "vignette_id": self.vignette_id,
            "epoch": self.epoch,
            "decision": self.decision.to_dict() if self.decision else None,
            "error": self.error,
            "raw": self.raw,
            "attempts": [a.to_dict() for a in self.attempts],
            "seconds": round(self.seconds, 6),
            "metadata": self.metadata,
            "cached": self.cached,
            "final": self.final,
            "unavailable": self.unavailable,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AnswerRecord:
        """Rebuild a record from its JSON form (journals, results files)."""
        return cls(
            vignette_id=data["vignette_id"],
            epoch=data["epoch"],
            decision=Decision.from_dict(data["decision"]) if data.get("decision") else None,
            error=data.get("error"),
            raw=data.get("raw"),
            attempts=tuple(Attempt(**a) for a in data.get("attempts", [])),
            seconds=data.get("seconds", 0.0),
            metadata=data.get("metadata", {}),
            cached=data.get("cached", False),
            final=data.get("final", True),
            unavailable=data.get("unavailable", False),
        )
