"""backtriage.harness: load vignettes, choose a system, run it, and get scored results.

The small public API (names load on first use, so importing the package is cheap)::

    from backtriage.harness import load_corpus, resolve_system, run

    result = run("reference")               # bundled corpus, default policy
    assert result.metrics["consensus"]["critical_misses"] == 0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
    from backtriage.harness.api import run
    from backtriage.harness.loading import Corpus, InputError, Problem, check_corpus, load_corpus
    from backtriage.harness.model import Decision, Presentation, Vignette
    from backtriage.harness.systems import Reply, TriageSystem, resolve_system

_EXPORTS = {
    "run": "backtriage.harness.api",
    "Corpus": "backtriage.harness.loading",
    "InputError": "backtriage.harness.loading",
    "Problem": "backtriage.harness.loading",
    "check_corpus": "backtriage.harness.loading",
    "load_corpus": "backtriage.harness.loading",
    "Decision": "backtriage.harness.model",
    "Presentation": "backtriage.harness.model",
    "Vignette": "backtriage.harness.model",
    "Reply": "backtriage.harness.systems",
    "TriageSystem": "backtriage.harness.systems",
    "resolve_system": "backtriage.harness.systems",
}

__all__ = [
    "Corpus",
    "Decision",
    "InputError",
    "Presentation",
    "Problem",
    "Reply",
    "TriageSystem",
    "Vignette",
    "check_corpus",
    "load_corpus",
    "resolve_system",
    "run",
]
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
