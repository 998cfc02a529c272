"""Loading and validating vignette corpora."""

from harness.loading.corpus import Corpus, check_corpus, load_corpus
from harness.loading.problems import InputError, Problem, errors_only

__all__ = ["Corpus", "InputError", "Problem", "check_corpus", "errors_only", "load_corpus"]
