"""Loading and validating vignette corpora."""

from backtriage.harness.loading.corpus import Corpus, check_corpus, load_corpus
from backtriage.harness.loading.problems import InputError, Problem, errors_only

__all__ = ["Corpus", "InputError", "Problem", "check_corpus", "errors_only", "load_corpus"]
