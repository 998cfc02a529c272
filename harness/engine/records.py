r"""What the engine records for each call of a system, made safe as it is made.

Every :class:`AnswerRecord` is cleaned when it is built, whoever builds it (the engine, a
journal or results file read back, the cache): secrets are redacted, text that no strict JSON
writer can encode (a lone surrogate such as ``"\ud800"``) is replaced by U+FFFD, and a huge raw
reply, error or traceback is cut to a bounded size. Each change is listed in ``notes``, so a
record says what was altered, and no later write can fail on what a system sent.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from backtriage.harness.model import Decision
from backtriage.harness.redaction import scrub, scrubber
from backtriage.harness.safe_json import plain_text

RAW_LIMIT_BYTES = 64 * 1024
"""The most of a raw reply kept; ``raw_size`` records the full size."""

ERROR_LIMIT_BYTES = 8 * 1024
TRACEBACK_LIMIT_BYTES = 16 * 1024
RATIONALE_LIMIT_BYTES = 16 * 1024

_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Attempt:
    """One try at a call: how it ended and how long it took."""

    number: int
    ok: bool
    seconds: float
    error: str | None = None
    retry_after: float | None = None

    def __post_init__(self) -> None:
        if self.error is not None:
            error = _bounded(scrub(self.error), ERROR_LIMIT_BYTES, [])[0]
            object.__setattr__(self, "error", error)
        if self.retry_after is not None and not math.isfinite(self.retry_after):
            object.__setattr__(self, "retry_after", None)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "number": self.number,
            "ok": self.ok,
            "seconds": round(self.seconds, 6),
            "error": self.error,
            "retry_after": self.retry_after,
        }


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One answer of a system to one vignette in one epoch.

    ``decision`` is ``None`` exactly when ``error`` says what went wrong; ``traceback`` then
    holds the system's own stack (trimmed to its frames, redacted) when it raised. ``final`` is
    False for a call the engine gave up on without an answer of the system's (the total time
    cap): such a record is scored as an error but never journaled, so ``--resume`` asks again.
    ``raw_size`` is the full size in UTF-8 bytes of the raw reply, of which at most
    :data:`RAW_LIMIT_BYTES` are kept in ``raw``. ``notes`` says what was changed to make the
    record safe to write (text replaced, cut short).
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
    traceback: str | None = None
    raw_size: int | None = None
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        notes = list(self.notes)
        clean = scrubber()  # the secrets gathered once for every string of the record
        if self.raw is not None:
            if self.raw_size is None:
                object.__setattr__(
                    self, "raw_size", len(self.raw.encode("utf-8", "surrogatepass"))
                )
            raw = clean(self.raw)
            object.__setattr__(self, "raw", _bounded(raw, RAW_LIMIT_BYTES, notes, "raw")[0])
        if self.error is not None:
            object.__setattr__(
                self, "error", _bounded(clean(self.error), ERROR_LIMIT_BYTES, notes, "error")[0]
            )
        if self.traceback is not None:
            object.__setattr__(self, "traceback", _bounded(
                clean(self.traceback), TRACEBACK_LIMIT_BYTES, notes, "traceback", keep_end=True
            )[0])
        if self.decision is not None and self.decision.rationale is not None:
            rationale = _bounded(
                clean(self.decision.rationale), RATIONALE_LIMIT_BYTES, notes, "rationale"
            )[0]
            if rationale != self.decision.rationale:
                object.__setattr__(self, "decision", replace(self.decision, rationale=rationale))
        metadata = _safe_data(dict(self.metadata), clean, notes)
        object.__setattr__(self, "metadata", metadata)
        object.__setattr__(self, "notes", tuple(dict.fromkeys(notes)))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used in results and journals."""
        return {
            "vignette_id": self.vignette_id,
            "epoch": self.epoch,
            "decision": self.decision.to_dict() if self.decision else None,
            "error": self.error,
            "traceback": self.traceback,
            "raw": self.raw,
            "raw_size": self.raw_size,
            "attempts": [a.to_dict() for a in self.attempts],
            "seconds": round(self.seconds, 6),
            "metadata": self.metadata,
            "cached": self.cached,
            "final": self.final,
            "unavailable": self.unavailable,
            "notes": list(self.notes),
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
            traceback=data.get("traceback"),
            raw_size=data.get("raw_size"),
            notes=tuple(data.get("notes", ())),
        )


_last_text: tuple[AnswerRecord, str | None] | None = None


def record_text(record: AnswerRecord) -> str | None:
    """The compact JSON of ``record.to_dict()`` if nothing in it needs replacing, else ``None``.

    The journal writes it, and the results entry made from the same record just after takes
    it again: the last one made is kept, for that record object alone.
    """
    global _last_text
    last = _last_text
    if last is not None and last[0] is record:
        return last[1]
    text = plain_text(record.to_dict(), compact=True)
    _last_text = (record, text)
    return text


def text_written(record: AnswerRecord) -> str | None:
    """:func:`record_text` of ``record`` if it is the last one made, else ``None``.

    Only what was made already: putting an answer's own text into an entry is worth it
    only when the journal has just written it.
    """
    last = _last_text
    return last[1] if last is not None and last[0] is record else None


def _bounded(
    text: str, limit: int, notes: list[str], name: str = "", keep_end: bool = False
) -> tuple[str, bool]:
    """Replace unencodable characters and cut ``text`` to ``limit`` UTF-8 bytes."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
        if name:
            notes.append(f"{name}: unencodable characters (lone surrogates) replaced by U+FFFD")
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text, False
    if name:
        notes.append(f"{name}: cut to {limit} of {len(data)} bytes")
    if keep_end:  # a traceback's last lines say what failed
        return "…" + data[-limit:].decode("utf-8", "ignore"), True
    return data[:limit].decode("utf-8", "ignore") + "…", True


def _safe_data(value: Any, clean: Callable[[str], str], notes: list[str]) -> Any:
    """Redact and replace unencodable characters in every string of a JSON-like value.

    One walk does what ``scrub_data`` and a second walk did: keys and values are redacted,
    then bounded; lists and tuples become lists.
    """
    if isinstance(value, str):
        return _bounded(clean(value), RAW_LIMIT_BYTES, notes, "metadata")[0]
    if isinstance(value, dict):
        # Keys recur in every answer ("usage", "finish_reason"): one copy each, interned.
        return {_key(_safe_data(k, clean, notes)) if isinstance(k, str) else k:
                _safe_data(v, clean, notes) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_safe_data(v, clean, notes) for v in value]
    return value


def _key(name: str) -> str:
    """Intern a short mapping key; a long one (rare, and unlikely to recur) is kept as is."""
    return sys.intern(name) if type(name) is str and len(name) <= 64 else name
