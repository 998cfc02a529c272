"""Time and peak memory of the near-duplicate check on generated corpora, new method and old.

Generates corpora of 1,000, 10,000 and 100,000 vignettes (benchmarks/synthetic_corpus.py: ~120
copies of each bundled case at 100k, so label buckets of ~120 retold narratives), then, each in
a fresh process that first reads the files once, runs the check and reports wall and CPU
seconds (and, measured apart, the CPU of tokenising the narratives, which the check includes)
and peak RSS (of the process, and how much the check added to what loading had reached).
The old method (every pair of a bucket, difflib's quick_ratio first) runs for comparison at the
sizes given by ``--old-up-to``.

    python benchmarks/near_duplicates.py [--sizes 1000 10000 100000] [--old-up-to 10000]
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tabulate import tabulate

from backtriage.harness.loading.near_duplicates import (
    THRESHOLD,
    NearDuplicate,
    find_near_duplicates,
    narrative_words,
)
from backtriage.harness.model import canonical_json


def old_find_near_duplicates(
    loaded: Sequence[tuple[Path, Mapping[str, Any]]], threshold: float = THRESHOLD
) -> list[NearDuplicate]:
    """The check before the filtered search (commit a5e56c2), kept here for comparison."""
    entries = sorted(
        ((str(d["id"]), str(f), narrative_words(d["presentation"]["narrative"]), d)
         for f, d in loaded),
        key=lambda e: (e[0], e[1]),
    )
    by_labels: dict[str, list[int]] = defaultdict(list)
    by_text: dict[str, list[int]] = defaultdict(list)
    for i, (_, _, words, data) in enumerate(entries):
        by_labels[_labels_key(data)].append(i)
        by_text[hashlib.sha256(" ".join(words).encode()).hexdigest()].append(i)
    found: dict[tuple[int, int], NearDuplicate] = {}
    for members in by_labels.values():
        for pos, i in enumerate(members):
            for j in members[pos + 1 :]:
                m = difflib.SequenceMatcher(None, entries[i][2], entries[j][2], autojunk=False)
                if m.real_quick_ratio() < threshold or m.quick_ratio() < threshold:
                    continue
                ratio = m.ratio()
                if ratio >= threshold:
                    found[(i, j)] = _pair(entries, i, j, ratio, True)
    for members in by_text.values():
        for pos, i in enumerate(members):
            for j in members[pos + 1 :]:
                if (i, j) not in found:
                    same = _labels_key(entries[i][3]) == _labels_key(entries[j][3])
                    found[(i, j)] = _pair(entries, i, j, 1.0, same)
    return [found[k] for k in sorted(found)]


def _labels_key(data: Mapping[str, Any]) -> str:
    findings = data["presentation"]["findings"]
    return canonical_json({"findings": findings, "expected": data["expected"]})


def _pair(entries: Sequence[Any], i: int, j: int, ratio: float, same: bool) -> NearDuplicate:
    return NearDuplicate(entries[i][0], entries[i][1], entries[j][0], entries[j][1], ratio, same)


def child(method: str, folder: Path) -> int:
    """Read ``folder`` once, run one method, print one JSON line of figures."""
    loaded = [
        (file, json.loads(file.read_text(encoding="utf-8")))
        for file in sorted(folder.rglob("*.json"))
        if file.name != "sources.json"
    ]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    wall, cpu = time.perf_counter(), time.process_time()
    found = (find_near_duplicates if method == "new" else old_find_near_duplicates)(loaded)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Over ids, similarities and labels (not the temporary folder), so runs can be compared.
    pairs = [(d.first_id, d.second_id, d.similarity, d.same_labels) for d in found]
    digest = hashlib.sha256(repr(pairs).encode()).hexdigest()[:12]
    # The share of the narrative tokeniser (narrative_text.tokenise), measured apart.
    words_cpu = time.process_time()
    for _, data in loaded:
        narrative_words(data["presentation"]["narrative"])
    words_cpu = time.process_time() - words_cpu
    print(json.dumps({"n": len(loaded), "pairs": len(found), "digest": digest, "wall": wall,
                      "cpu": cpu, "words_cpu": words_cpu, "peak_mib": after / 1024,
                      "added_mib": (after - before) / 1024}))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--old-up-to", type=int, default=10_000)
    parser.add_argument("--child", nargs=2, metavar=("METHOD", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], Path(args.child[1]))

    sys.path.insert(0, str(Path(__file__).parent))
    from synthetic_corpus import write_corpus

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            folder = write_corpus(Path(tmp) / str(n), n)
            methods = ["new", "old"] if n <= args.old_up_to else ["new"]
            for method in methods:
                out = subprocess.run(
                    [sys.executable, __file__, "--child", method, str(folder)],
                    check=True, capture_output=True, text=True,
                ).stdout
                r = json.loads(out.splitlines()[-1])
                rows.append([method, r["n"], r["pairs"], r["digest"], f"{r['wall']:.2f}",
                             f"{r['cpu']:.2f}", f"{1e6 * r['cpu'] / r['n']:.0f}",
                             f"{r['words_cpu']:.2f}",
                             f"{r['peak_mib']:.0f}", f"{r['added_mib']:.0f}"])
                print(f"done: {method} at {n}", file=sys.stderr, flush=True)
    print(tabulate(rows, headers=["method", "vignettes", "pairs", "result digest", "wall s",
                                  "CPU s", "CPU µs/vignette", "of which tokenising s",
                                  "peak RSS MiB",
                                  "added by check MiB"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
