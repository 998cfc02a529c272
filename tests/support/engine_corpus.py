"""Small generated corpora for engine and adapter tests (never the growing bundled corpus)."""

from __future__ import annotations

from pathlib import Path

from backtriage.harness.loading import Corpus, load_corpus
from tests.support.factory import case_label, emergency_vignette, make_vignette, write_corpus

EMERGENCY_NARRATIVE = ("A 50-year-old man with low back pain for 3 days and urinary retention "
                       "since this morning. No fever, no cancer history.")
SELF_CARE_NARRATIVE = ("A 35-year-old woman with low back pain for 5 days after lifting. No "
                       "fever, no cancer history, bladder and bowel normal, no weakness.")


def engine_corpus_dir(folder: Path, n: int = 6) -> Path:
    """Write ``n`` vignettes: every third an emergency (retention), the rest self care."""
    vignettes = []
    for i in range(n):
        vid = f"e-{i:04d}"
        if i % 3 == 0:
            narrative = f"{EMERGENCY_NARRATIVE} {case_label(vid)} Case {i}."
            vignettes.append(emergency_vignette(vid, narrative=narrative))
        else:
            narrative = f"{SELF_CARE_NARRATIVE} {case_label(vid)} Case {i}."
            vignettes.append(make_vignette(vid, narrative=narrative))
    return write_corpus(folder, vignettes)


def engine_corpus(folder: Path, n: int = 6) -> Corpus:
    """Load the corpus :func:`engine_corpus_dir` writes."""
    return load_corpus([engine_corpus_dir(folder, n)])
