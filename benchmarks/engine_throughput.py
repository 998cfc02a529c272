"""Engine throughput: 1000 vignettes through the HTTP adapter against a 100 ms server.

Starts a threaded HTTP/1.1 server on 127.0.0.1 in a separate process (so its work does not
compete with the harness for the GIL), answering every POST after a fixed latency. Generates a
corpus of 1000 valid vignettes in a temporary folder, then runs the engine exactly as
``backtriage run`` does (journal with fsync per answer, progress off) at concurrency 32.

The ideal time is ``n * latency / concurrency`` (1000 x 0.1 s / 32 = 3.125 s). The script
prints elapsed, ideal and their ratio, and exits 1 if the ratio exceeds the limit (1.3).

Usage: python benchmarks/engine_throughput.py [--n 1000] [--concurrency 32] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backtriage.harness.engine import EngineOptions
from backtriage.harness.engine.session import RunStorage, run_session
from backtriage.harness.loading import load_corpus
from backtriage.harness.runs.run_identity import run_identity
from backtriage.harness.systems import resolve_system
from tests.support.engine_corpus import engine_corpus_dir

DECISION = {
    "urgency": "self_care",
    "imaging": "none",
    "category": "nonspecific",
    "suspected_conditions": [],
}


def serve(latency: float, port_queue: Any) -> None:
    body = json.dumps(DECISION).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # http.server writes headers and body in separate sends; with Nagle's algorithm on,
        # the body then waits for the client's delayed ACK (about 40 ms). Real servers set
        # TCP_NODELAY; so does this one, or it would measure the kernel, not the engine.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            time.sleep(latency)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        request_queue_size = 256

    server = Server(("127.0.0.1", 0), Handler)
    port_queue.put(server.server_address[1])
    server.serve_forever()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--limit", type=float, default=1.3)
    args = parser.parse_args()

    port_queue: Any = multiprocessing.Queue()
    server = multiprocessing.Process(target=serve, args=(args.latency, port_queue), daemon=True)
    server.start()
    port = port_queue.get(timeout=10)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = load_corpus([engine_corpus_dir(Path(tmp) / "corpus", args.n)])
            options = EngineOptions(concurrency=args.concurrency, timeout=30.0)
            system = resolve_system(
                f"http://127.0.0.1:{port}/triage",
                {"timeout": 30.0, "max_connections": args.concurrency},
            )
            storage = RunStorage(output_dir=Path(tmp) / "out")
            identity = run_identity(system, corpus.vignettes, corpus.content_hash, options)
            start = time.perf_counter()
            session = run_session(system, corpus.vignettes, options, storage, identity, "now")
            elapsed = time.perf_counter() - start
            system.close()
    finally:
        server.terminate()
    errors = sum(1 for r in session.records if r.decision is None)
    ideal = args.n * args.latency / args.concurrency
    ratio = elapsed / ideal
    print(
        f"vignettes {args.n}, concurrency {args.concurrency}, server latency "
        f"{args.latency * 1000:.0f} ms, cores {os.cpu_count()}"
    )
    print(
        f"elapsed {elapsed:.3f} s, ideal {ideal:.3f} s, ratio {ratio:.3f} "
        f"(limit {args.limit}); errors {errors}; throughput {args.n / elapsed:.0f}/s"
    )
    # Peak resident memory of this process (the harness; the server runs in a child process).
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (harness process) {peak_mib:.0f} MiB")
    return 0 if ratio <= args.limit and errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
