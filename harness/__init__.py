"""backtriage harness: load vignettes, choose a system, run it, and get scored results.

The small public API::

    from harness import load_corpus, resolve_system, run

    result = run("reference")               # bundled corpus, default policy
    assert result.metrics["consensus"]["critical_misses"] == 0
"""

from harness.api import run
from harness.loading import Corpus, InputError, Problem, check_corpus, load_corpus
from harness.model import Decision, Presentation, Vignette
from harness.systems import Reply, TriageSystem, resolve_system

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
