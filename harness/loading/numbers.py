"""The one range check for every number a flag, config file, policy or adapter setting gives.

A plain ``value < low`` lets ``NaN`` through (every comparison with it is false) and ``inf``
or ``1e308`` pass as a timeout that never ends; this check refuses both, and bounds each
setting above as well as below, so an absurd value is a clear exit 2, not a hang or a crash.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from backtriage.harness.loading.problems import InputError, Problem


@dataclass(frozen=True)
class Range:
    """Where a setting's value must lie.

    Attributes:
        low: the smallest value allowed (or the bound to stay above, with ``above``).
        high: the largest value allowed.
        above: ``True`` when ``low`` itself is not allowed (a timeout of 0 is not a timeout).
        integer: ``True`` when only whole numbers are allowed.
    """

    low: float
    high: float
    above: bool = False
    integer: bool = False

    def describe(self) -> str:
        """The range in words, e.g. "a whole number from 1 to 1000"."""
        kind = "a whole number" if self.integer else "a number"
        if self.above:
            return f"{kind} above {self.low:g} and at most {self.high:g}"
        return f"{kind} from {self.low:g} to {self.high:g}"


def number_problem(value: Any, allowed: Range) -> str | None:
    """Return why ``value`` is not a number in ``allowed``, or ``None`` when it is."""
    kinds = (int,) if allowed.integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds):
        return f"must be {allowed.describe()}, got {_show(value)}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be {allowed.describe()}, got {value!r} (not a finite number)"
    too_low = value <= allowed.low if allowed.above else value < allowed.low
    if too_low or value > allowed.high:
        return f"must be {allowed.describe()}, got {_show(value)}"
    return None


def check_numbers(checks: list[tuple[str, Any, Range]], file: str = "") -> None:
    """Check several settings at once; ``None`` values are absent and pass.

    Args:
        checks: ``(name, value, range)``; the name is the flag (``--timeout``) or, with
            ``file``, the field's JSON pointer (``/timeout``).
        file: the file the values came from, if any.

    Raises:
        InputError: naming every setting out of range.
    """
    problems = []
    for name, value, allowed in checks:
        if value is None:
            continue
        message = number_problem(value, allowed)
        if message:
            problems.append(Problem(file or name, name if file else "", message))
    if problems:
        raise InputError(problems)


def _show(value: Any) -> str:
    text = repr(value) if not isinstance(value, int) or value.bit_length() < 200 else "a huge int"
    return text if len(text) <= 60 else text[:57] + "..."
