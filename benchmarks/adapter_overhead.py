"""Call-phase overhead of the OpenAI-compatible adapter, in process: CPU per call, by layer.

Builds ``openai:bench-model`` against ``openai_server.py`` at latency 0 (in its own process, so
its CPU is not counted) and times N generated vignettes through each layer in turn:

- ``request_body``: the prompt and JSON body alone, no network;
- ``triage``: the adapter's whole call (body, HTTP round trip, reading and validating the reply);
- ``call_with_retries``: what the engine adds (a thread per attempt with a bounded wait,
  re-validation of the answer, the safe record);
- the same at concurrency 32 from a thread pool, as the engine's threaded path calls it;
- ``atriage`` and ``acall_with_retries`` (32 tasks) on one event loop, as the engine's asyncio
  path calls the networked adapters (each pass opens its connections afresh).

CPU is this process's user + system time over the layer, divided by N (every thread counts);
the median of ``--repeat`` passes. No journal, cache, corpus validation or results file: those
are in ``llm_path.py``'s end-to-end figures.

    python benchmarks/adapter_overhead.py [--n 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import DUMMY_KEY, median, table
from openai_server import BenchServer
from synthetic_corpus import write_corpus

from backtriage.harness.engine import EngineOptions
from backtriage.harness.engine.async_calling import acall_with_retries
from backtriage.harness.engine.calling import call_with_retries
from backtriage.harness.model import Presentation
from backtriage.harness.systems.adapters.openai_chat import OpenAIChatSystem
from backtriage.harness.systems.protocol import async_methods


def presentations(folder: Path) -> list[Presentation]:
    """What the system sees of each generated vignette."""
    found = []
    for path in sorted(folder.rglob("*.json")):
        if path.name != "sources.json":
            data = json.loads(path.read_text(encoding="utf-8"))["presentation"]
            found.append(Presentation(data["narrative"], data.get("findings", {})))
    return found


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and process CPU seconds of ``work()``."""
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> int:
    """Time each layer and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bt-adapter-") as scratch, \
            BenchServer(0.0) as server:
        cases = presentations(write_corpus(Path(scratch) / "corpus", args.n))
        os.environ["OPENAI_API_KEY"] = DUMMY_KEY
        system = OpenAIChatSystem("openai:bench-model", {"base_url": server.base_url})
        options = EngineOptions(concurrency=args.concurrency)
        system.triage(cases[0])  # connect once: the first connection is not per-call work

        def engine_call(case: Presentation) -> object:
            return call_with_retries(system, case, "bench", 0, options)

        def in_pool() -> None:
            with ThreadPoolExecutor(args.concurrency) as pool:
                list(pool.map(engine_call, cases))

        methods = async_methods(system)
        assert methods is not None

        def on_loop(tasks: int, engine: bool) -> None:
            async def run() -> None:
                assert methods is not None
                todo, stop = list(cases), asyncio.Event()

                async def worker() -> None:
                    while todo:
                        case = todo.pop()
                        if engine:
                            await acall_with_retries(methods, case, "bench", 0, options, stop)
                        else:
                            await methods.triage(case)

                try:
                    await asyncio.gather(*(worker() for _ in range(tasks)))
                finally:
                    await methods.close()

            asyncio.run(run())

        layers: Sequence[tuple[str, Callable[[], object]]] = [
            ("request_body", lambda: [system.request_body(c) for c in cases]),
            ("triage", lambda: [system.triage(c) for c in cases]),
            ("call_with_retries", lambda: [engine_call(c) for c in cases]),
            (f"call_with_retries, {args.concurrency} threads", in_pool),
            ("atriage, one loop", lambda: on_loop(1, engine=False)),
            (f"acall_with_retries, {args.concurrency} tasks on one loop",
             lambda: on_loop(args.concurrency, engine=True)),
        ]
        rows = []
        for name, work in layers:
            passes = [timed(work) for _ in range(args.repeat)]
            wall = median([w for w, _ in passes])
            cpu = median([c for _, c in passes])
            rows.append([name, f"{cpu / len(cases) * 1e6:.0f}", f"{wall / len(cases) * 1e6:.0f}",
                         f"{len(cases) / wall:.0f}"])
        system.close()
    print(f"openai:bench-model against a 0 ms local server, {len(cases):,} calls, "
          f"median of {args.repeat}, {os.cpu_count()} CPUs")
    print(table(["layer", "CPU us/call", "wall us/call", "calls/s"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
