"""The Python API for a user's own tests: ``run`` a system on a corpus, get metrics back."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from backtriage.harness.engine import EngineOptions
from backtriage.harness.loading import Corpus, load_corpus
from backtriage.harness.runs.evaluation import RunResult, evaluate
from backtriage.harness.systems import TriageSystem, resolve_system
from backtriage.scoring.policy import Policy, load_policy


def run(
    system: str | TriageSystem,
    corpus: Corpus | str | Path | Iterable[str | Path] | None = None,
    policy: Policy | str | Path | None = None,
    *,
    concurrency: int = 4,
    epochs: int = 1,
    isolate: bool = True,
) -> RunResult:
    """Run a system (a spec string or a :class:`TriageSystem`) and score it.

    Args:
        system: e.g. ``"reference"``, ``"python:mypkg.triage:decide"``, or an object.
        corpus: a loaded corpus, a folder or file, several paths, or ``None`` for the
            bundled corpus.
        policy: a policy, a policy file or bundled policy name (``"release"``), or ``None``
            for the default policy.
        concurrency: calls in flight at once.
        epochs: answers asked per vignette.
        isolate: run a ``python:`` system in worker processes (a hang is killed, ``sys.exit``
            is that call's error); ``False`` calls it in this process.

    Returns:
        The run result: ``result.metrics["all" | "consensus" | "contested"]``, ``result.gates``,
        ``result.passed`` and per-vignette ``result.scores``.

    Raises:
        NoVerdict: the system could not be reached (``backtriage.harness.engine.NoVerdict``):
            no result, rather than a run full of errors.
    """
    settings = {"isolate": isolate, "processes": concurrency}
    built = (
        resolve_system(system, settings if system.startswith("python:") else None)
        if isinstance(system, str) else system
    )
    if isinstance(corpus, str | Path):
        # One folder or file, not an iterable of its characters.
        corpus = [corpus]
    loaded = corpus if isinstance(corpus, Corpus) else load_corpus(corpus)
    pol = policy if isinstance(policy, Policy) else load_policy(policy)
    try:
        return evaluate(built, loaded, pol, EngineOptions(concurrency=concurrency, epochs=epochs))
    finally:
        if isinstance(system, str):
            built.close()
