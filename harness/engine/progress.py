"""Showing a run's progress on stderr: a live bar on a terminal, sparse lines in CI logs."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TextIO

from backtriage.harness.engine.records import AnswerRecord

IsMiss = Callable[[AnswerRecord], bool]

_BAR_WIDTH = 24
_REDRAW_SECONDS = 0.1
_LINE_SECONDS = 15.0
_LINE_STEP = 0.10
# A run that ends within seconds needs no play-by-play in a log, not even a final line.
_QUIET_START_SECONDS = 10.0


def interactive(stream: TextIO) -> bool:
    """True when ``stream`` is a terminal and no CI system is driving us."""
    is_tty = getattr(stream, "isatty", None)
    return bool(is_tty and is_tty()) and not os.environ.get("CI")


class Progress:
    """Counts answers, misses and errors, and shows rate and ETA.

    On a terminal it redraws one line in place (at most ten times a second) and erases it at
    the end, when the scorecard takes over. Elsewhere it prints a plain line at every tenth of
    the run (none in the first ten seconds) or every 15 seconds, and a final line, so CI logs
    stay short but a long run still shows signs of life. A run over within those ten seconds
    prints nothing at all: the scorecard that follows says everything (and
    ``backtriage run ... | head`` leaves stderr clean).
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        is_miss: IsMiss | None = None,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.stream = stream or sys.stderr
        self.live = interactive(self.stream) if live is None else live
        self.is_miss = is_miss
        self.clock = clock
        self.total = 0
        self.already = 0
        self.done = 0
        self.misses = 0
        self.errors = 0
        self.cached = 0
        self._started = 0.0
        self._last_draw = float("-inf")
        self._last_step = -1
        self._shown = False

    def start(self, total: int, already: int) -> None:
        """The run begins."""
        self.total, self.already, self.done = total, already, already
        self._started = self.clock()
        self._last_draw = self._started
        if already:
            self.stream.write(f"resuming: {already} of {total} answers already in the journal\n")
            self.stream.flush()

    def update(self, record: AnswerRecord) -> None:
        """Count one answer and redraw when due."""
        self.done += 1
        self.errors += record.decision is None
        self.cached += record.cached
        if self.is_miss and self.is_miss(record):
            self.misses += 1
        now = self.clock()
        if self.live:
            if now - self._last_draw >= _REDRAW_SECONDS or self.done == self.total:
                self._emit(self.status_text(now))
            return
        step = int(self.fraction * (1 / _LINE_STEP) + 1e-9)
        quiet_start = now - self._started < _QUIET_START_SECONDS
        if (step > self._last_step and not quiet_start) or now - self._last_draw >= _LINE_SECONDS:
            self._last_step = step
            self._emit(self.status_text(now))

    def finish(self) -> None:
        """Show the final count in a log; on a terminal, erase the live line."""
        if not self.total:
            return
        if self.live:
            if self._shown:
                self.stream.write("\r\x1b[2K")
                self.stream.flush()
            return
        if self._shown or self.clock() - self._started >= _QUIET_START_SECONDS:
            self._emit(self.status_text(self.clock()))

    @property
    def fraction(self) -> float:
        """Share of all answers known so far."""
        return self.done / self.total if self.total else 1.0

    def status_text(self, now: float) -> str:
        """The status: count, rate, misses, errors and time left."""
        new = self.done - self.already
        elapsed = max(now - self._started, 1e-9)
        rate = new / elapsed
        left = self.total - self.done
        eta = _duration(left / rate) if rate > 0 and left else ("0:00" if not left else "?")
        counts = (
            f"{self.done}/{self.total} ({100 * self.fraction:.0f}%) {rate:.1f}/s "
            f"misses {self.misses} errors {self.errors}"
            + (f" cached {self.cached}" if self.cached else "")
            + f" ETA {eta}"
        )
        if not self.live:
            return f"progress: {counts}"
        filled = int(_BAR_WIDTH * self.fraction)
        return f"[{'#' * filled}{'.' * (_BAR_WIDTH - filled)}] {counts}"

    def _emit(self, text: str) -> None:
        self._last_draw = self.clock()
        self._shown = True
        if self.live:
            self.stream.write("\r\x1b[2K" + text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
