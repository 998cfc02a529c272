"""Side by side: backtriage, inspect_ai and promptfoo on the same LLM workload, interleaved.

The same generated vignettes (``synthetic_corpus.py``), the same prompt text (backtriage's
bundled ``triage-v2`` template, system and user messages), the same local server
(``openai_server.py``) at the same latency, concurrency 32, temperature 0, max_tokens 1024,
no response cache. Each tool runs once per round, in turn (backtriage, inspect_ai, promptfoo,
backtriage, ...), so a change in the machine's load falls on all of them alike; the table gives
each tool's median and minimum wall time (process start to exit), its peak RSS, the requests
the server saw (each tool must make exactly N) and the ratio of its median to backtriage's.

Each tool does what a user of it gets by default: backtriage scores every answer and writes
results.json; inspect_ai scores with ``includes()`` (the expected urgency) and writes its log;
promptfoo asserts ``is-json`` and writes its database (in a temporary config folder).

The other tools are optional and never a dependency; install them outside the repository::

    python3 -m venv /work/bench-extras/venv
    /work/bench-extras/venv/bin/pip install 'inspect-ai>=0.3,<0.4' openai
    cd /work/bench-extras && npm install promptfoo@0.121

    python benchmarks/side_by_side.py --inspect-python /work/bench-extras/venv/bin/python \\
        --promptfoo /work/bench-extras/node_modules/.bin/promptfoo

A tool not found is reported as "not installed" and skipped. Telemetry and update checks are
off for promptfoo (``PROMPTFOO_DISABLE_TELEMETRY=1``, ``PROMPTFOO_DISABLE_UPDATE=1``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import DUMMY_KEY, REPO, ChildRun, base_env, median, run_child, table
from openai_server import BenchServer
from synthetic_corpus import write_corpus

from backtriage.harness.systems.adapters.prompt import load_template

MODEL = "bench-model"

_INSPECT_TASK = '''\
"""The side-by-side workload as an inspect_ai task (written by benchmarks/side_by_side.py)."""

import json

from inspect_ai import Task, task
from inspect_ai.dataset import MemoryDataset, Sample
from inspect_ai.model import ChatMessageSystem, ChatMessageUser
from inspect_ai.scorer import includes
from inspect_ai.solver import generate

DATA = {data!r}


@task
def bench_triage() -> Task:
    samples = []
    with open(DATA, encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            samples.append(Sample(
                id=row["id"],
                input=[ChatMessageSystem(content=row["system"]),
                       ChatMessageUser(content=row["user"])],
                target=row["urgency"],
            ))
    return Task(dataset=MemoryDataset(samples), solver=generate(), scorer=includes())
'''


@dataclass(frozen=True)
class Tool:
    """A harness to measure: how to run it once in a fresh folder."""

    name: str
    version: str
    command: Callable[[Path], list[str]]
    env: dict[str, str]
    accepted_exits: tuple[int, ...] = (0,)
    finished_marker: str | None = None
    """Text its output shows once the evaluation is complete: with it and exactly N requests,
    a crash on the way out (promptfoo 0.121 on Node 20: "write after end" in its logger) is
    counted as a run and noted, not taken for a failed workload."""


def write_prompts(corpus: Path, out: Path) -> int:
    """Render backtriage's prompt for every vignette into JSON Lines; return how many."""
    template = load_template("openai:" + MODEL)
    count = 0
    with out.open("w", encoding="utf-8") as rows:
        for path in sorted(corpus.rglob("*.json")):
            if path.name == "sources.json":
                continue
            vignette = json.loads(path.read_text(encoding="utf-8"))
            values = {
                "narrative": vignette["presentation"]["narrative"],
                "findings": json.dumps(vignette["presentation"].get("findings", {}),
                                       sort_keys=True),
            }
            rows.write(json.dumps({
                "id": vignette["id"],
                "system": template.system.substitute(values),
                "user": template.user.substitute(values),
                "urgency": vignette["expected"]["urgency"],
            }) + "\n")
            count += 1
    return count


def _version(command: list[str], env: dict[str, str] | None = None) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120,
                              stdin=subprocess.DEVNULL, env=env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.strip().splitlines()
    return lines[0].strip() if done.returncode == 0 and lines else None


def backtriage_tool(python: str, corpus: Path, server: BenchServer, concurrency: int,
                    scratch: Path) -> Tool:
    """backtriage as a user runs it: the command line, no response cache (its corpus
    validation cache, where it has one, in a folder of the benchmark's own)."""
    path = os.environ.get("PYTHONPATH")
    env = base_env({"OPENAI_BASE_URL": server.base_url,
                    "BACKTRIAGE_CACHE_DIR": str(scratch / "bt-cache"),
                    "PYTHONPATH": f"{REPO}{os.pathsep}{path}" if path else str(REPO)})
    said = _version([python, "-m", "backtriage", "--version"]) or "?"
    version = said.removeprefix("backtriage").strip()

    def command(work: Path) -> list[str]:
        return [python, "-m", "backtriage", "run", "--system", f"openai:{MODEL}",
                "--corpus", str(corpus), "--concurrency", str(concurrency),
                "--output", str(work / "out"), "--quiet", "--no-progress"]

    # Exit 1: a gate failed (the server's one fixed answer is wrong for many vignettes).
    return Tool("backtriage", version, command, env, (0, 1))


def inspect_tool(python: str | None, prompts: Path, scratch: Path, server: BenchServer,
                 concurrency: int) -> Tool | str:
    """inspect_ai's ``eval`` on a task reading the same prompts; or why it cannot run."""
    candidates = [python] if python else []
    found = shutil.which("inspect")
    if not python and found:
        candidates.append(str(Path(found).resolve().parent / "python"))
    if not python:
        candidates.append(sys.executable)
    probe = "import inspect_ai; print(inspect_ai.__version__)"
    usable = [(c, v) for c in candidates if (v := _version([c, "-c", probe]))][:1]
    if not usable:
        return "not installed" + (f" (no inspect_ai for {python})" if python else "")
    candidate, version = usable[0]
    task_file = scratch / "inspect_task.py"
    task_file.write_text(_INSPECT_TASK.format(data=str(prompts)), encoding="utf-8")
    env = base_env({"OPENAI_BASE_URL": server.base_url, "OPENAI_API_KEY": DUMMY_KEY,
                    "INSPECT_LOG_LEVEL": "warning"})

    def command(work: Path) -> list[str]:
        # inspect refuses an absolute task path ("Non-relative patterns are unsupported").
        return [candidate, "-m", "inspect_ai", "eval", os.path.relpath(task_file, work),
                "--model",
                f"openai/{MODEL}", "--max-connections", str(concurrency), "--temperature", "0",
                "--max-tokens", "1024", "--log-dir", str(work / "logs"), "--display", "none",
                # It takes a model name it does not know for a new frontier model and calls the
                # Responses API; the workload is chat completions, as for the other tools.
                "-M", "responses_api=false"]

    return Tool("inspect_ai", version, command, env)


def promptfoo_tool(executable: str | None, prompts: Path, scratch: Path, server: BenchServer,
                   concurrency: int) -> Tool | str:
    """promptfoo's ``eval`` on a config with the same prompts; or why it cannot run."""
    found = executable or shutil.which("promptfoo")
    home = scratch / "promptfoo-home"  # never the user's ~/.promptfoo
    quiet = {"PROMPTFOO_DISABLE_TELEMETRY": "1", "PROMPTFOO_DISABLE_UPDATE": "1",
             "PROMPTFOO_CACHE_ENABLED": "false", "NODE_NO_WARNINGS": "1",
             "PROMPTFOO_CONFIG_DIR": str(home)}
    version = _version([found, "--version"], base_env(quiet)) if found else None
    if not found or not version:
        return "not installed" + (f" ({executable} does not run)" if executable else "")
    rows = [json.loads(line) for line in prompts.read_text(encoding="utf-8").splitlines()]
    config = {
        "description": "backtriage side-by-side workload",
        # A chat prompt: the messages as JSON, each text put in through nunjucks' dump (JSON
        # encoding), so quotes and newlines in a narrative cannot break it.
        "prompts": ['[{"role": "system", "content": {{ system | dump }}}, '
                    '{"role": "user", "content": {{ user | dump }}}]'],
        "providers": [{"id": f"openai:chat:{MODEL}", "config": {
            "apiBaseUrl": server.base_url, "apiKey": DUMMY_KEY,
            "temperature": 0, "max_tokens": 1024}}],
        "defaultTest": {"assert": [{"type": "is-json"}]},
        "tests": [{"description": row["id"],
                   "vars": {"system": row["system"], "user": row["user"]}} for row in rows],
        "evaluateOptions": {"maxConcurrency": concurrency, "cache": False,
                            "showProgressBar": False},
    }
    config_file = scratch / "promptfooconfig.yaml"
    config_file.write_text(json.dumps(config), encoding="utf-8")  # JSON is YAML
    env = base_env(quiet)

    def command(work: Path) -> list[str]:
        return [found, "eval", "-c", str(config_file), "--no-cache", "--max-concurrency",
                str(concurrency), "--no-progress-bar", "--no-table"]

    # 100: an assertion failed.
    return Tool("promptfoo", version, command, env, (0, 100), "Eval complete")


def run_once(tool: Tool, server: BenchServer, work: Path, expected: int
             ) -> tuple[ChildRun, int, bool]:
    """One run of ``tool`` in a fresh folder: the run, the requests the server saw, and
    whether it crashed after finishing its evaluation.

    A tool that did not make exactly ``expected`` completions did not do the workload (a
    misconfigured one would look fast): that ends the benchmark.
    """
    work.mkdir(parents=True, exist_ok=True)
    env = dict(tool.env)
    if tool.name == "promptfoo":  # its database, per run: none grows across rounds
        env["PROMPTFOO_CONFIG_DIR"] = str(work / "promptfoo-home")
    server.reset()
    log = work / "log.txt"
    run = run_child(tool.command(work), env, work, log)
    stats = server.stats()
    if stats["requests"] != expected or stats["other_requests"]:
        sys.exit(f"side_by_side: {tool.name} made {stats['requests']} completions (expected "
                 f"{expected}) and {stats['other_requests']} other requests; see {log}")
    crashed = run.returncode not in tool.accepted_exits
    text = log.read_text(errors="replace")
    if crashed and not (tool.finished_marker and tool.finished_marker in text):
        sys.exit(f"side_by_side: {tool.name} exited {run.returncode}; see {log}:\n"
                 + text[-3000:])
    return run, int(stats["requests"]), crashed


def main() -> int:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="vignettes (default: 1000)")
    parser.add_argument("--latency", type=float, nargs="+", default=[0.1, 0.0],
                        help="server latencies in seconds (default: 0.1 0)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="runs of each tool (default: 3)")
    parser.add_argument("--python", default=sys.executable, help="python for backtriage")
    parser.add_argument("--inspect-python", help="a python with inspect_ai installed "
                                                 "(default: the one beside `inspect` on PATH)")
    parser.add_argument("--promptfoo", help="the promptfoo executable (default: on PATH)")
    parser.add_argument("--keep", type=Path, help="keep corpora, configs, outputs and logs here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bt-side-") as temporary, \
            BenchServer(0.0) as server:
        scratch = args.keep or Path(temporary)
        scratch.mkdir(parents=True, exist_ok=True)
        corpus = write_corpus(scratch / "corpus", args.n)
        prompts = scratch / "prompts.jsonl"
        count = write_prompts(corpus, prompts)
        found: list[Tool | str] = [
            backtriage_tool(args.python, corpus, server, args.concurrency, scratch),
            inspect_tool(args.inspect_python, prompts, scratch, server, args.concurrency),
            promptfoo_tool(args.promptfoo, prompts, scratch, server, args.concurrency),
        ]
        names = ["backtriage", "inspect_ai", "promptfoo"]
        tools = [t for t in found if isinstance(t, Tool)]
        rows: list[list[str]] = []
        for latency in args.latency:
            server.set_latency(latency)
            runs: dict[str, list[tuple[ChildRun, int, bool]]] = {t.name: [] for t in tools}
            for number in range(args.rounds):
                for tool in tools:
                    work = scratch / f"{tool.name}-{latency:g}-{number}"
                    runs[tool.name].append(run_once(tool, server, work, count))
                    print(f"  {latency * 1000:g} ms, round {number + 1}, {tool.name}: "
                          f"{runs[tool.name][-1][0].wall:.2f} s", file=sys.stderr, flush=True)
            ideal = count * latency / args.concurrency
            base = median([r.wall for r, _, _ in runs["backtriage"]])
            for name, tool_or_reason in zip(names, found, strict=True):
                label = f"{count:,} at {latency * 1000:g} ms"
                if isinstance(tool_or_reason, str):
                    rows.append([label, name, tool_or_reason, *["-"] * 7])
                    continue
                walls = [r.wall for r, _, _ in runs[name]]
                requests = sorted({q for _, q, _ in runs[name]})
                crashes = sum(c for _, _, c in runs[name])
                wall = median(walls)
                rows.append([
                    label, f"{name} {tool_or_reason.version}", f"{wall:.2f}",
                    f"{min(walls):.2f}",
                    f"{wall / ideal:.2f}x" if ideal else "-",
                    f"{median([r.peak_rss_mb for r, _, _ in runs[name]]):.0f}",
                    f"{median([r.cpu for r, _, _ in runs[name]]):.1f}",
                    ",".join(map(str, requests)),
                    "-" if name == "backtriage" else f"{wall / base:.2f}x",
                    f"crashed on exit {crashes}/{len(walls)}" if crashes else "",
                ])

    print(f"{count:,} vignettes, concurrency {args.concurrency}, {args.rounds} interleaved "
          f"rounds, {os.cpu_count()} CPUs; ratio: that tool's median wall / backtriage's")
    print(table(["workload", "tool", "median s", "min s", "vs ideal", "peak RSS MB", "CPU s",
                 "requests", "vs backtriage", "note"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
