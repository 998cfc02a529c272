"""Loading and validating vignette corpora."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
    from backtriage.harness.loading.corpus import Corpus, check_corpus, load_corpus
    from backtriage.harness.loading.problems import InputError, Problem, errors_only

_EXPORTS = {
    "Corpus": "backtriage.harness.loading.corpus",
    "InputError": "backtriage.harness.loading.problems",
    "Problem": "backtriage.harness.loading.problems",
    "check_corpus": "backtriage.harness.loading.corpus",
    "errors_only": "backtriage.harness.loading.problems",
    "load_corpus": "backtriage.harness.loading.corpus",
}

__all__ = ["Corpus", "InputError", "Problem", "check_corpus", "errors_only", "load_corpus"]
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
