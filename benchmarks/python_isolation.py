"""What running a ``python:`` system in worker processes costs (``--isolate``, the default).

Runs a trivial keyword function over the bundled corpus, in process and isolated, at
concurrency 1 and 4, and reports: the time to build the system (the first worker's start-up
and the module import), the wall time of the run, and the overhead per answer. Each figure is
the median of ``--repeats`` runs. No journal, no cache: only the calls are measured.

Usage: python benchmarks/python_isolation.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backtriage.harness.engine import EngineOptions, run_system
from backtriage.harness.loading import load_corpus
from backtriage.harness.model import Vignette
from backtriage.harness.systems import resolve_system

FUNCTION = '''
def triage(p):
    urgent = "retention" in p["narrative"].lower()
    return {"urgency": "emergency" if urgent else "self_care",
            "imaging": "mri" if urgent else "none",
            "category": "serious_pathology" if urgent else "nonspecific",
            "suspected_conditions": []}
'''


def measure(
    spec: str, isolate: bool, concurrency: int, vignettes: list[Vignette]
) -> tuple[float, float]:
    """Seconds to build the system, and seconds to ask every vignette once."""
    start = time.perf_counter()
    system = resolve_system(spec, {"isolate": isolate, "processes": concurrency})
    built = time.perf_counter() - start
    try:
        start = time.perf_counter()
        records = run_system(system, vignettes, EngineOptions(concurrency=concurrency))
        elapsed = time.perf_counter() - start
    finally:
        system.close()
    assert all(r.decision is not None for r in records), "every call must answer"
    return built, elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    vignettes = list(load_corpus().vignettes)
    with tempfile.TemporaryDirectory() as folder:
        module = Path(folder) / "bench_triage.py"
        module.write_text(FUNCTION)
        spec = f"python:{module}:triage"
        print(f"{len(vignettes)} vignettes, median of {args.repeats} runs")
        print(f"{'mode':<12} {'concurrency':>11} {'build s':>8} {'run s':>7} {'ms/answer':>10}")
        for concurrency in (1, 4):
            for isolate in (False, True):
                runs = [measure(spec, isolate, concurrency, vignettes)
                        for _ in range(args.repeats)]
                built = statistics.median(r[0] for r in runs)
                elapsed = statistics.median(r[1] for r in runs)
                mode = "isolated" if isolate else "in-process"
                print(f"{mode:<12} {concurrency:>11} {built:>8.3f} {elapsed:>7.3f} "
                      f"{1000 * elapsed / len(vignettes):>10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
