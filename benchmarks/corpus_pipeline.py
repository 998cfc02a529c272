"""How long loading, validating, running and scoring the bundled corpus takes, and its memory.

Runs in-process, no network: load + schema + semantic + consistency + near-duplicate checks,
then the reference triage over every vignette, scoring and the results document.

    python benchmarks/corpus_pipeline.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from backtriage.harness.engine import EngineOptions
from backtriage.harness.loading import check_corpus, load_corpus
from backtriage.harness.runs import evaluate, results_document
from backtriage.harness.systems import resolve_system
from backtriage.scoring.policy import load_policy


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Return the median seconds of ``repeat`` calls and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    seconds_check, (corpus, problems) = timed(lambda: check_corpus(), args.repeat)
    corpus = load_corpus()
    policy = load_policy()
    system = resolve_system("reference")

    def run_and_document() -> dict[str, Any]:
        result = evaluate(system, corpus, policy, EngineOptions(concurrency=4))
        return results_document(result)

    seconds_run, doc = timed(run_and_document, args.repeat)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n = len(corpus)
    print(f"vignettes {n}; problems {len(problems)}; median of {args.repeat}")
    print(
        f"validate (schema, semantics, consistency, near-duplicates): {seconds_check:.3f} s "
        f"({1000 * seconds_check / n:.2f} ms per vignette)"
    )
    print(
        f"run reference + score + results document: {seconds_run:.3f} s "
        f"({1000 * seconds_run / n:.2f} ms per vignette); "
        f"critical misses {doc['metrics']['critical_misses']}"
    )
    print(f"peak memory {peak_mib:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
