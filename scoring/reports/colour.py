"""ANSI colour for console reports: failures red, passes green, misses highlighted.

Reports take a :class:`Paint`; :data:`PLAIN` adds nothing, so a report is plain text unless the
caller asks for colour (the command line decides: a terminal, ``NO_COLOR``, ``FORCE_COLOR``).
"""

from __future__ import annotations

from dataclasses import dataclass

from backtriage.scoring import outcomes as oc

_RESET = "\x1b[0m"
_RED = "\x1b[1;31m"
_GREEN = "\x1b[32m"
_YELLOW = "\x1b[33m"

_OUTCOME_STYLE = {oc.CRITICAL_MISS: _RED, oc.ERROR: _RED, oc.MAJOR_MISS: _YELLOW}
"""Outcomes a reader must not overlook: under-triage of an emergency or urgent case, errors."""


@dataclass(frozen=True)
class Paint:
    """Wraps text in ANSI colour codes, or returns it unchanged when ``enabled`` is False."""

    enabled: bool = False

    def _wrap(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.enabled and text else text

    def bad(self, text: str) -> str:
        """A failure: a failed gate, a FAIL verdict, a critical miss."""
        return self._wrap(_RED, text)

    def good(self, text: str) -> str:
        """A pass."""
        return self._wrap(_GREEN, text)

    def warn(self, text: str) -> str:
        """Something to look at that is not a failure by itself (a major miss)."""
        return self._wrap(_YELLOW, text)

    def verdict(self, passed: bool, text: str) -> str:
        """``text`` green when ``passed``, else red."""
        return self.good(text) if passed else self.bad(text)

    def outcome(self, name: str) -> str:
        """An outcome name, highlighted when it is a miss or an error."""
        code = _OUTCOME_STYLE.get(name)
        return self._wrap(code, name) if code else name

    def outcomes(self, names: list[str] | tuple[str, ...]) -> str:
        """A comma-separated list of outcomes, each highlighted as :meth:`outcome` does."""
        return ", ".join(self.outcome(n) for n in names)

    def gate_detail(self, passed: bool, detail: str) -> str:
        """A gate sentence with its closing verdict word coloured."""
        for word in ("FAILS", "cannot pass"):
            if detail.endswith(word):
                return detail[: -len(word)] + self.bad(word)
        if passed and detail.endswith("passes"):
            return detail[: -len("passes")] + self.good("passes")
        return detail


PLAIN = Paint(False)
"""No colour."""
