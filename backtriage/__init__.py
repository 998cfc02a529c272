"""backtriage: test back-pain triage logic against cited clinical vignettes.

The public facade, for a user's own tests and scripts::

    import backtriage

    result = backtriage.run("python:mytriage:triage")
    assert result.metrics["consensus"]["critical_misses"] == 0

``backtriage.harness`` (loading, systems, engine, runs, CLI, pytest plugin) and
``backtriage.scoring`` (outcomes, metrics, gates, reports) hold the rest. Names are imported
on first use, so ``import backtriage`` (and the pytest plugin's entry point) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports
from backtriage._version import __version__

if TYPE_CHECKING:
    from backtriage.harness.api import run
    from backtriage.harness.loading import Corpus, InputError, Problem, check_corpus, load_corpus
    from backtriage.harness.model import Decision, Presentation, Vignette
    from backtriage.harness.runs.evaluation import RunResult
    from backtriage.harness.systems import Reply, TriageSystem, resolve_system
    from backtriage.scoring.policy import Policy, load_policy

_LAZY = {
    "run": "backtriage.harness.api",
    "Corpus": "backtriage.harness.loading",
    "InputError": "backtriage.harness.loading",
    "Problem": "backtriage.harness.loading",
    "check_corpus": "backtriage.harness.loading",
    "load_corpus": "backtriage.harness.loading",
    "Decision": "backtriage.harness.model",
    "Presentation": "backtriage.harness.model",
    "Vignette": "backtriage.harness.model",
    "RunResult": "backtriage.harness.runs.evaluation",
    "Reply": "backtriage.harness.systems",
    "TriageSystem": "backtriage.harness.systems",
    "resolve_system": "backtriage.harness.systems",
    "Policy": "backtriage.scoring.policy",
    "load_policy": "backtriage.scoring.policy",
}

__all__ = [
    "Corpus",
    "Decision",
    "InputError",
    "Policy",
    "Presentation",
    "Problem",
    "Reply",
    "RunResult",
    "TriageSystem",
    "Vignette",
    "__version__",
    "check_corpus",
    "load_corpus",
    "load_policy",
    "resolve_system",
    "run",
]

__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
