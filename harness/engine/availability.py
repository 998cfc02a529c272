"""Telling an unreachable system from a bad one: a run that never reaches the system stops.

A refused connection, a DNS or TLS failure, or a 401/403/404 says nothing about triage. Scored
as errors, a dead endpoint would fail the safety gates for a system that was never asked. The
watcher below sees each newly asked answer in order of completion and stops the run when

- the system's first calls all failed that way (``FIRST_CALLS``, or fewer in a smaller run), or
- after the system had answered, ``WINDOW`` calls in a row failed that way (it went away).

The run then ends with :class:`NoVerdict` (exit status 4) and its journal stays resumable.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Annotations only: the CLI imports NoVerdict at start-up, before any record exists.
    from backtriage.harness.engine.records import AnswerRecord

FIRST_CALLS = 3
"""Unreachable answers, with none reached before them, that end a run."""
WINDOW = 20
"""Unreachable answers in a row, after the system has answered, that end a run."""


class NoVerdict(Exception):
    """The system could not be reached: the run stopped early and gives no verdict.

    Attributes:
        reason: one line naming the failure and the endpoint (credentials removed).
        failed: how many calls in a row failed that way.
    """

    def __init__(self, reason: str, failed: int):
        super().__init__(f"{reason} ({failed} call(s) in a row)")
        self.reason = reason
        self.failed = failed


class AvailabilityWatch:
    """Counts unreachable answers in a row and says when the run should stop.

    Workers report to it as each call ends (it is thread-safe), so a dead endpoint stops the
    run after a few calls rather than after every worker has raced through the queue.
    """

    def __init__(self, jobs: int):
        self.first_calls = max(1, min(FIRST_CALLS, jobs))
        self.reached = False
        self.streak = 0
        self.tripped = False
        self.last_failure: AnswerRecord | None = None
        self._lock = threading.Lock()

    def observe(self, record: AnswerRecord) -> bool:
        """Take one newly asked answer; return True once the run should stop."""
        with self._lock:
            if record.cached or self.tripped:
                return self.tripped  # a cached answer says nothing about the system now
            if not record.unavailable:
                if record.final:
                    self.reached = True
                    self.streak = 0
                return False
            self.streak += 1
            self.last_failure = record
            self.tripped = self.streak >= (WINDOW if self.reached else self.first_calls)
            return self.tripped

    def verdict(self) -> NoVerdict:
        """The exception that ends the run (call after :meth:`observe` returned True)."""
        error = (self.last_failure.error if self.last_failure else None) or "unreachable"
        # "SystemUnavailable: connection refused: http://..." -> "connection refused: http://..."
        reason = error.partition(": ")[2] or error
        return NoVerdict(reason, self.streak)
