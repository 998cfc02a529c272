"""What the LLM-path benchmarks share: timing a child process and printing a table."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
"""The checkout the benchmarks measure (its ``backtriage`` package is put first on the path)."""

DUMMY_KEY = "bench-not-a-key"
"""An API key for the local server: the clients that insist on one get this, all alike."""


@dataclass(frozen=True)
class ChildRun:
    """One measured child process.

    Attributes:
        wall: seconds from just before the process was started to just after it was reaped.
        cpu: user + system CPU seconds of the process (and of children it waited for).
        peak_rss_mb: its peak resident set size, in MiB.
        returncode: its exit status.
        started: ``time.time()`` just before it was started (to line up with server times).
        ended: ``time.time()`` just after it was reaped.
    """

    wall: float
    cpu: float
    peak_rss_mb: float
    returncode: int
    started: float
    ended: float


def run_child(command: Sequence[str], env: Mapping[str, str], cwd: Path,
              log: Path) -> ChildRun:
    """Run ``command`` to its end with stdout and stderr to ``log``, measuring it.

    ``os.wait4`` reaps the process, so its resource usage is its own, not the sum of every
    child this script ever had (as ``RUSAGE_CHILDREN`` would be).
    """
    with log.open("wb") as out:
        started = time.time()
        begin = time.perf_counter()
        process = subprocess.Popen(list(command), env=dict(env), cwd=cwd, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - begin
        ended = time.time()
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait again
    return ChildRun(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024,
                    process.returncode, started, ended)


def as_installed(env: Mapping[str, str]) -> dict[str, str]:
    """``env`` with bytecode caching on, as an installed package has it.

    With ``PYTHONDONTWRITEBYTECODE`` set (some shells set it) a checkout never gets bytecode of
    its own, so every measured process would compile the whole project again (0.07 s before
    the first request of an LLM run): a cost no user of an install pays.
    """
    return {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}


def base_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured child: this one (bytecode cached), minus real keys, plus
    ``extra``."""
    env = {k: v for k, v in as_installed(os.environ).items()
           if not k.endswith("_API_KEY") and k not in ("OPENAI_BASE_URL", "PYTHONSTARTUP")}
    env["OPENAI_API_KEY"] = DUMMY_KEY
    env.update(extra or {})
    return env


def median(values: Sequence[float]) -> float:
    """The median (of one value: that value)."""
    return statistics.median(values)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain Markdown table, columns padded, so it reads in a terminal and pastes in docs."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])
