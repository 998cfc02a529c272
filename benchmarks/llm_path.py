"""LLM path: ``backtriage run --system openai:bench-model`` end to end against a local server.

For each workload (N generated ~150-word vignettes, a server latency), runs the real command
line as a child process at concurrency 32 against ``openai_server.py`` and prints, as the median
of ``--repeat`` runs:

- wall: from just before the process starts to its exit (start-up, loading and validating the
  corpus, the calls, scoring, writing results.json and the scorecard);
- ideal: ``N * latency / concurrency``, what the calls alone would take with no overhead;
- CPU per vignette: user + system CPU of the harness process, divided by N;
- peak RSS of the harness process;
- requests the server received from the run;
- a breakdown from the server's clock: before the first request (start-up, load, validate),
  first request to last reply (the call phase), after the last reply (score, write, print);
- the server's own CPU per request, to show it is not the bottleneck;
- bare calls: the same N calls made by ``bare_client.py`` (asyncio streams and nothing else,
  no harness) against the same server, median of ``--repeat``: the floor of the call phase,
  above the fluid ideal because N calls on C connections take ``ceil(N / C)`` rounds; and the
  harness's whole run over that floor (wall minus bare calls);
- httpx start: a process that only starts Python and imports what any asyncio client built on
  httpx needs (``python -c "import asyncio, httpx"``), median of ``--repeat``. Start plus
  bare calls is the floor of a whole run through such a client: the fixed cost of the
  interpreter and those imports is paid before any first request.

The warm-cache rerun repeats the first 1,000-vignette workload with the cache the cold run
filled (a fresh output folder each time): every answer comes from the cache, 0 requests.

Where the harness keeps a validation cache (``BACKTRIAGE_CACHE_DIR``), the benchmark gives it a
folder of its own, and checks each corpus once with ``backtriage validate`` before its runs
(that first check is printed apart), so every run measured reuses the checks as a user's rerun
of an unchanged corpus does ("1st run s" is the workload's first run). With
``--cold-validation`` every run checks its corpus itself. The median is of all runs.

    python benchmarks/llm_path.py                       # 1k and 10k, 0 and 100 ms, warm rerun
    python benchmarks/llm_path.py --n 1000 --latency 0.1 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import REPO, ChildRun, base_env, median, run_child, table
from openai_server import BenchServer
from synthetic_corpus import write_corpus

ACCEPTED_EXITS = (0, 1)
"""0: every gate passed; 1: a gate failed (the server's one fixed answer fails some)."""


@dataclass(frozen=True)
class Measured:
    """One run of the command line, with what the server saw of it."""

    run: ChildRun
    requests: int
    before_first: float | None
    calls: float | None
    after_last: float | None
    server_cpu: float


def backtriage_command(python: str, corpus: Path, output: Path, cache: Path,
                       concurrency: int) -> list[str]:
    """The command line measured (``python -m backtriage`` is the ``backtriage`` script)."""
    return [python, "-m", "backtriage", "run", "--system", "openai:bench-model",
            "--corpus", str(corpus), "--concurrency", str(concurrency), "--output", str(output),
            "--cache", str(cache), "--quiet"]


def child_env(server: BenchServer, cache_dir: Path) -> dict[str, str]:
    """The environment of the harness: this checkout first on the path, the local server,
    its own cache folder (corpus validation is kept there; never the user's)."""
    return base_env({"OPENAI_BASE_URL": server.base_url, "BACKTRIAGE_CACHE_DIR": str(cache_dir),
                     "PYTHONPATH": checkout_first_pythonpath()})


def measure(server: BenchServer, args: argparse.Namespace, corpus: Path, work: Path,
            name: str, k: int, cache: Path | None = None) -> Measured:
    """Run the command line once in ``work`` and line its times up with the server's."""
    work.mkdir(parents=True, exist_ok=True)
    command = backtriage_command(args.python, corpus, work / "out", cache or work / "cache",
                                 args.concurrency)
    log = work / "log.txt"
    server.reset()
    validation = work / "validation-cache" if args.cold_validation else args.root / "bt-cache"
    run = run_child(command, child_env(server, validation), work, log)
    if run.returncode not in ACCEPTED_EXITS:
        sys.exit(f"llm_path: exit {run.returncode} from {' '.join(command)}; see {log}:\n"
                 + log.read_text(errors="replace")[-3000:])
    stats = server.stats()
    first, last = stats["first"], stats["last"]
    print(f"  {name}, run {k + 1}: {run.wall:.2f} s", file=sys.stderr, flush=True)
    return Measured(
        run, int(stats["requests"]),
        None if first is None else first - run.started,
        None if first is None or last is None else last - first,
        None if last is None else run.ended - last,
        float(stats["cpu"]),
    )


def check_once(args: argparse.Namespace, corpus: Path, n: int) -> None:
    """Check ``corpus`` into the benchmark's validation cache, so the runs measured reuse it."""
    if args.cold_validation:
        return
    log = args.root / f"validate-{n}.txt"
    env = base_env({"BACKTRIAGE_CACHE_DIR": str(args.root / "bt-cache"),
                    "PYTHONPATH": checkout_first_pythonpath()})
    run = run_child([args.python, "-m", "backtriage", "validate", str(corpus)], env, args.root,
                    log)
    if run.returncode != 0:
        sys.exit(f"llm_path: the corpus check failed ({run.returncode}); see {log}")
    print(f"  corpus of {n:,}: first check {run.wall:.2f} s (the runs below reuse it)",
          file=sys.stderr, flush=True)


def checkout_first_pythonpath() -> str:
    """``PYTHONPATH`` for a child: this checkout first."""
    path = os.environ.get("PYTHONPATH")
    return f"{REPO}{os.pathsep}{path}" if path else str(REPO)


def _seconds(values: Sequence[float | None]) -> str:
    known = [v for v in values if v is not None]
    return f"{median(known):.2f}" if known else "-"


def bare_calls(server: BenchServer, n: int, concurrency: int, repeat: int) -> float:
    """The median seconds ``bare_client.py`` takes for ``n`` calls (its own process)."""
    script = Path(__file__).resolve().parent / "bare_client.py"
    seconds = []
    for _ in range(repeat):
        done = subprocess.run([sys.executable, str(script), str(server.port), str(n),
                               "--concurrency", str(concurrency)],
                              capture_output=True, text=True, check=True)
        seconds.append(float(done.stdout))
    return median(seconds)


def httpx_start(python: str, repeat: int) -> float:
    """The median seconds a process takes to start and import asyncio and httpx."""
    seconds = []
    for _ in range(repeat):
        begin = time.perf_counter()
        subprocess.run([python, "-c", "import asyncio, httpx"], env=base_env(), check=True)
        seconds.append(time.perf_counter() - begin)
    return median(seconds)


def row(name: str, n: int, latency: float, concurrency: int, runs: Sequence[Measured],
        bare: float | None = None, start: float | None = None) -> list[str]:
    """One table row: medians over ``runs``; ``bare`` is the bare client's seconds, if run,
    and ``start`` an httpx client process's start."""
    wall = median([m.run.wall for m in runs])
    ideal = n * latency / concurrency
    return [
        name,
        f"{wall:.2f}",
        f"{runs[0].run.wall:.2f}",
        f"{ideal:.3f}" if ideal else "-",
        f"{wall / ideal:.2f}x" if ideal else "-",
        f"{median([m.run.cpu for m in runs]) / n * 1000:.2f}",
        f"{median([m.run.peak_rss_mb for m in runs]):.0f}",
        str(int(median([m.requests for m in runs]))),
        _seconds([m.before_first for m in runs]),
        _seconds([m.calls for m in runs]),
        _seconds([m.after_last for m in runs]),
        _per_request([m.server_cpu for m in runs], [m.requests for m in runs]),
        "-" if bare is None else f"{bare:.2f}",
        "-" if bare is None else f"{wall - bare:.2f}",
        "-" if start is None else f"{start:.2f}",
    ]


def _per_request(cpu: Sequence[float], requests: Sequence[int]) -> str:
    total = sum(requests)
    return f"{sum(cpu) / total * 1000:.2f}" if total else "-"


HEADERS = ["workload", "wall s", "1st run s", "ideal s", "ratio", "CPU ms/vignette", "peak RSS MB",
           "requests", "to 1st request s", "call phase s", "after last reply s",
           "server CPU ms/request", "bare calls s", "over bare s", "httpx start s"]


def main() -> int:
    """Run the workloads and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10000],
                        help="corpus sizes (default: 1000 10000)")
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 0.1],
                        help="server latencies in seconds (default: 0 0.1)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--repeat", type=int, default=3, help="runs per workload (median)")
    parser.add_argument("--no-warm", action="store_true", help="skip the warm-cache rerun")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter that runs backtriage (default: this one)")
    parser.add_argument("--keep", type=Path, help="keep corpora, outputs and logs here")
    parser.add_argument("--cold-validation", action="store_true",
                        help="a fresh validation cache for every run (default: one for the "
                             "whole benchmark, so only a corpus's first run checks it)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bt-llm-path-") as scratch, \
            BenchServer(0.0) as server:
        # One server for everything: its base URL is part of the cache key, so the warm rerun
        # must see the same one as the cold run that filled the cache.
        root = args.keep or Path(scratch)
        root.mkdir(parents=True, exist_ok=True)
        args.root = root
        rows: list[list[str]] = []
        warm_source: tuple[Path, Path] | None = None
        for n in args.n:
            corpus = write_corpus(root / f"corpus-{n}", n)
            check_once(args, corpus, n)
            for latency in args.latency:
                name = f"{n:,} at {latency * 1000:g} ms"
                server.set_latency(latency)
                runs = [measure(server, args, corpus, root / f"{n}-{latency:g}-{k}", name, k)
                        for k in range(args.repeat)]
                bare = bare_calls(server, n, args.concurrency, args.repeat)
                start = httpx_start(args.python, args.repeat)
                rows.append(row(name, n, latency, args.concurrency, runs, bare, start))
                if warm_source is None and n == 1000:
                    warm_source = (corpus, root / f"{n}-{latency:g}-0" / "cache")
        if not args.no_warm:
            if warm_source is None:
                corpus = write_corpus(root / "corpus-1000", 1000)
                check_once(args, corpus, 1000)
                server.set_latency(0.0)
                measure(server, args, corpus, root / "warm-fill", "filling the cache", 0)
                warm_source = (corpus, root / "warm-fill" / "cache")
            # Any request the rerun made would take 100 ms, so one would show in the wall time
            # as well as in the count.
            server.set_latency(0.1)
            corpus, cache = warm_source
            runs = [measure(server, args, corpus, root / f"warm-{k}", "warm cache", k, cache)
                    for k in range(args.repeat)]
            rows.append(row("warm cache, 1,000", 1000, 0.0, args.concurrency, runs))

    print(f"backtriage run --system openai:bench-model, concurrency {args.concurrency}, "
          f"median of {args.repeat}, {os.cpu_count()} CPUs")
    print(table(HEADERS, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
