"""A response cache kept across many runs: reruns with its segments merged and without.

Fills a response cache as ``--runs`` runs would, each storing its own answer to the same
``--n`` generated vignettes (one segment file per run), then reruns three times, each a fresh
cache object looking every vignette up, as ``backtriage run --cache`` does:

- **left as is**: merging off (a mark no cache reaches), so every rerun reads every segment;
- **merged**: the harness's own mark (:data:`MERGE_AT`), so the first rerun merges the settled
  segments into one and the later ones read that one file.

Each row gives the segments and megabytes on disk after the rerun and its lookup seconds.

    python benchmarks/cache_merge.py                  # 30 runs of 1,000
    python benchmarks/cache_merge.py --runs 100 --n 200
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import table
from synthetic_corpus import write_corpus

from backtriage.harness.engine import cache as response_cache
from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.loading import load_corpus
from backtriage.harness.model import Decision, Vignette

IDENTITY = {"spec": "bench"}


def fill(folder: Path, vignettes: Sequence[Vignette], runs: int) -> None:
    """Store ``runs`` runs' answers, one segment each."""
    for run in range(runs):
        cache = response_cache.ResponseCache(folder, IDENTITY)
        decision = Decision("routine", "none", "nonspecific", (), rationale=f"run {run}")
        for v in vignettes:
            cache.put(v, AnswerRecord(v.id, 0, decision, None, raw="{}"))
        cache.close()


def rerun(folder: Path, vignettes: Sequence[Vignette]) -> tuple[int, float]:
    """Look every vignette up in a fresh cache; return the hits and the seconds taken."""
    cache = response_cache.ResponseCache(folder, IDENTITY)
    start = time.perf_counter()
    hits = sum(cache.get(v, 0) is not None for v in vignettes)
    seconds = time.perf_counter() - start
    cache.close()
    return hits, seconds


def on_disk(folder: Path) -> tuple[int, float]:
    """Segments and megabytes in the cache."""
    files = list(folder.rglob(f"*{response_cache.SEGMENT_SUFFIX}"))
    return len(files), sum(p.stat().st_size for p in files) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--n", type=int, default=1000)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["BACKTRIAGE_CACHE_DIR"] = str(Path(tmp) / "checks")  # not the user's cache
        vignettes = load_corpus([write_corpus(Path(tmp) / "corpus", args.n)]).vignettes
        merge_at = response_cache.MERGE_AT
        for layout, mark in (("left as is", 10**9), ("merged", merge_at)):
            response_cache.MERGE_AT = mark
            folder = Path(tmp) / layout.replace(" ", "-")
            fill(folder, vignettes, args.runs)
            for i in range(1, 4):
                hits, seconds = rerun(folder, vignettes)
                segments, mb = on_disk(folder)
                rows.append([layout, str(i), f"{hits:,}", f"{seconds:.3f}", str(segments),
                             f"{mb:.2f}"])
        response_cache.MERGE_AT = merge_at
    print(f"{args.runs} runs' answers to the same {args.n:,} vignettes; merge mark "
          f"{response_cache.MERGE_AT} segments")
    print(table(["cache", "rerun", "hits", "lookups s", "segments after", "MB after"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
