"""Start-up: how long ``backtriage --version``, ``--help`` and a one-vignette run take.

Each figure is a whole process, as a user meets it: interpreter start, imports, the work and
the exit, timed from outside over N rounds (the commands take turns within a round, so drift
of a shared machine touches every row alike). A row gives the wall-clock median, minimum and
maximum and the median CPU time (user + system) of the process, which noise inflates less.

The run is ``backtriage run --system reference --corpus ONE --output OUT`` on a folder holding
one bundled vignette and the bibliography, a fresh ``OUT`` each time:

- *cold*: an empty validation cache, so the corpus is checked in full;
- *second*: the same corpus again, with what the first run left in the cache;
- *--quiet*: a second run printing only the safety lines and gates (as in a CI log).

Caches live in a temporary folder (``BACKTRIAGE_CACHE_DIR``), never the user's. The children
import the checkout this script is in (it goes first on ``PYTHONPATH``); the command is the
``backtriage`` script beside this interpreter, else ``python -m backtriage``.

    python benchmarks/startup.py [-n 10]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import as_installed

ROOT = Path(__file__).resolve().parents[1]
VIGNETTES = ROOT / "vignettes"
PREFERRED = "common/lbp-after-tennis-match-clinician.json"
TARGETS = {"--version": 0.15, "run, cold": 0.25, "run, second": 0.25}
"""Issue 14's targets for this machine class, in seconds of wall clock."""


@dataclass
class Row:
    """One command and what its runs took."""

    label: str
    argv: Callable[[], list[str]]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    failures: int = 0


def command() -> list[str]:
    """The ``backtriage`` console script beside this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("backtriage")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "backtriage"]


def one_vignette_corpus(folder: Path) -> Path:
    """A corpus folder with one bundled vignette that stands alone, and the bibliography."""
    folder.mkdir(parents=True)
    shutil.copy(VIGNETTES / "sources.json", folder)
    preferred = VIGNETTES / PREFERRED
    if preferred.is_file():
        shutil.copy(preferred, folder)
        return folder
    for file in sorted(VIGNETTES.glob("*/*.json")):
        tags = json.loads(file.read_text(encoding="utf-8")).get("tags", [])
        if not any(t.startswith("contrast-") for t in tags):  # a pair needs both members
            shutil.copy(file, folder)
            return folder
    raise SystemExit("no standalone vignette in the bundled corpus")


def timed(argv: Sequence[str], env: dict[str, str]) -> tuple[float, float, int]:
    """Run ``argv`` once; return wall seconds, CPU seconds and the exit status."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    status = subprocess.run(
        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    ).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, status


def rows(work: Path, base: list[str]) -> tuple[list[Row], Callable[[], None]]:
    """The commands to time, and what to do before each round (fresh caches for cold runs)."""
    corpus = one_vignette_corpus(work / "corpus")
    counter = iter(range(10**9))

    def run_argv(*extra: str) -> list[str]:
        out = work / f"out-{next(counter)}"  # a fresh output folder every time
        return [*base, "run", "--system", "reference", "--corpus", str(corpus), "--output",
                str(out), *extra]

    cold_cache = work / "cache-cold"

    def before_round() -> None:
        shutil.rmtree(cold_cache, ignore_errors=True)

    table = [
        Row("python -c pass", lambda: [sys.executable, "-c", "pass"]),
        Row("--version", lambda: [*base, "--version"]),
        Row("--help", lambda: [*base, "--help"]),
        Row("run, cold", run_argv),
        Row("run, second", run_argv),
        Row("run, --quiet", lambda: run_argv("--quiet")),
    ]
    return table, before_round


def environment(work: Path, label: str) -> dict[str, str]:
    """The child's environment: this checkout first on the path, a private cache folder."""
    env = as_installed(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["BACKTRIAGE_CACHE_DIR"] = str(work / ("cache-cold" if label == "run, cold" else "cache"))
    env.pop("FORCE_COLOR", None)
    return env


def render(table: list[Row], n: int) -> str:
    """The results as a fixed-width table."""
    head = f"{'command':<16}{'median s':>10}{'min s':>9}{'max s':>9}{'cpu s':>9}{'target':>9}  ok"
    lines = [head, "-" * len(head)]
    for row in table:
        median = statistics.median(row.wall)
        target = TARGETS.get(row.label)
        verdict = "" if target is None else ("yes" if median <= target else "NO")
        lines.append(
            f"{row.label:<16}{median:>10.3f}{min(row.wall):>9.3f}{max(row.wall):>9.3f}"
            f"{statistics.median(row.cpu):>9.3f}{'' if target is None else f'{target:.2f}':>9}"
            f"  {verdict}" + (f"  ({row.failures} failed)" if row.failures else "")
        )
    lines.append(f"{n} rounds; wall clock and CPU (user + system) of each whole process; "
                 "python -c pass is the interpreter's own floor")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=10, help="rounds (default: 10)")
    args = parser.parse_args()
    base = command()
    with tempfile.TemporaryDirectory(prefix="backtriage-startup-") as tmp:
        work = Path(tmp)
        table, before_round = rows(work, base)
        for row in table:  # warm-up: bytecode compiled, files in the page cache
            timed(row.argv(), environment(work, row.label))
        for _ in range(args.n):
            before_round()
            for row in table:
                wall, cpu, status = timed(row.argv(), environment(work, row.label))
                row.wall.append(wall)
                row.cpu.append(cpu)
                row.failures += status not in (0, 1)  # 1: a gate failed, still a full run
        print(f"command: {' '.join(base)} (checkout {ROOT})")
        print(render(table, args.n))
    return 0


if __name__ == "__main__":
    sys.exit(main())
