"""The rule path at scale: the reference triage over 1,000, 10,000 and 100,000 generated vignettes.

For each size, in a fresh process (so each peak memory is its own):

- **end to end**: ``backtriage run --system reference --corpus DIR --output OUT --quiet`` as a
  whole process, twice: *cold* (an empty validation cache: every corpus check runs) and *warm*
  (the corpus unchanged, so its check is reused, as on every run after the first);
- **per stage**, in process, warm: load (read, parse, build vignettes), run (the engine, with its
  journal), score (outcomes, metrics, gates), write (the streamed results.json).

Growth is linear when the per-vignette figures stay flat from one size to the next.

    python benchmarks/rule_path.py                 # 1,000 / 10,000 / 100,000
    python benchmarks/rule_path.py --sizes 1000 10000 --keep /tmp/bt-corpora

Corpora come from ``benchmarks/synthetic_corpus.py`` and are kept in ``--keep`` (default: a
folder in the system temp directory) so a second invocation does not write them again.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import as_installed
from synthetic_corpus import write_corpus

STAGES = ("load", "run", "score", "write")


def corpus_for(keep: Path, n: int) -> Path:
    """The generated corpus of ``n`` vignettes, written once and kept."""
    folder = keep / f"corpus-{n}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        write_corpus(folder, n)
        done.write_text("ok")
    return folder


def end_to_end(corpus: Path, out: Path, cache: Path) -> tuple[float, float, float]:
    """Run the CLI as a process; return wall seconds, CPU seconds and peak RSS in MiB."""
    env = {**as_installed(os.environ), "BACKTRIAGE_CACHE_DIR": str(cache)}
    argv = [sys.executable, "-m", "backtriage.harness.cli.main", "run", "--system", "reference",
            "--corpus", str(corpus), "--output", str(out), "--quiet", "--no-progress"]
    start = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 1):
        err = child.stderr.read().decode() if child.stderr else ""
        raise SystemExit(f"run failed ({child.returncode}): {err[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def stages(corpus: Path, out: Path) -> dict[str, Any]:
    """Time each stage in this process (warm validation); return seconds and peak MiB."""
    from backtriage.harness.cli.main import YOUNG_GC_THRESHOLD
    from backtriage.harness.engine import EngineOptions
    from backtriage.harness.engine.session import RunStorage, run_session
    from backtriage.harness.loading import load_corpus
    from backtriage.harness.runs.evaluation import result_from_records, results_document
    from backtriage.harness.runs.results_io import safe_document, write_results
    from backtriage.harness.runs.run_identity import run_identity
    from backtriage.harness.systems import resolve_system
    from backtriage.scoring.policy import load_policy

    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])  # as the command line does
    times: dict[str, float] = {}
    t = time.perf_counter()
    loaded = load_corpus([corpus])
    times["load"] = time.perf_counter() - t
    system = resolve_system("reference")
    options = EngineOptions()
    t = time.perf_counter()
    identity = run_identity(system, loaded.vignettes, loaded.content_hash, options)
    session = run_session(system, loaded.vignettes, options, RunStorage(output_dir=out),
                          identity, "now")
    times["run"] = time.perf_counter() - t
    t = time.perf_counter()
    result = result_from_records(system.spec, system.describe(), loaded, options,
                                 load_policy(None), session.records, session.started_at)
    times["score"] = time.perf_counter() - t
    t = time.perf_counter()
    write_results(out, safe_document(results_document(result)))
    times["write"] = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": len(loaded), "validation": loaded.validation, "seconds": times, "peak_mib": peak,
            "results_mib": (out / "results.json").stat().st_size / 2**20}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--keep", type=Path,
                        default=Path(tempfile.gettempdir()) / "backtriage-bench-corpora")
    parser.add_argument("--stages-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stages_only:  # the child process of one size
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(stages(args.stages_only, Path(tmp) / "out")))
        return 0

    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    rows = []
    for n in args.sizes:
        corpus = corpus_for(args.keep, n)
        with tempfile.TemporaryDirectory() as tmp:
            cache = Path(tmp) / "cache"
            cold = end_to_end(corpus, Path(tmp) / "cold", cache)
            warm = end_to_end(corpus, Path(tmp) / "warm", cache)
            child = subprocess.run(
                [sys.executable, __file__, "--stages-only", str(corpus)], capture_output=True,
                text=True, check=True,
                env={**as_installed(os.environ), "BACKTRIAGE_CACHE_DIR": str(cache)},
            )
        staged = json.loads(child.stdout.strip().splitlines()[-1])
        rows.append((n, cold, warm, staged))

    print("\nend to end (backtriage run --system reference, a whole process)")
    print("| vignettes | cold: wall | cold: peak | warm: wall | warm: CPU | warm: per vignette "
          "| warm: peak |")
    print("|---|---|---|---|---|---|---|")
    for n, cold, warm, _ in rows:
        print(f"| {n:,} | {cold[0]:.2f} s | {cold[2]:.0f} MiB | {warm[0]:.2f} s | {warm[1]:.2f} s "
              f"| {1000 * warm[0] / n:.3f} ms | {warm[2]:.0f} MiB |")
    print("\nper stage, warm, in process (seconds; ms per vignette)")
    print("| vignettes | " + " | ".join(STAGES) + " | peak | results.json |")
    print("|---|" + "---|" * (len(STAGES) + 2))
    for n, _, _, staged in rows:
        cells = [f"{staged['seconds'][s]:.2f} ({1000 * staged['seconds'][s] / n:.3f})"
                 for s in STAGES]
        print(f"| {n:,} | " + " | ".join(cells) + f" | {staged['peak_mib']:.0f} MiB | "
              f"{staged['results_mib']:.0f} MiB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
