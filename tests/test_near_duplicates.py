"""Near-duplicate vignettes are an error; distinct cases and minimal pairs are not."""

from __future__ import annotations

import copy
import itertools
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.loading import check_corpus, errors_only
from backtriage.harness.loading.near_duplicates import (
    THRESHOLD,
    find_near_duplicates,
    narrative_words,
    similarity,
)
from backtriage.harness.model import canonical_json
from backtriage.harness.resources import corpus_dir
from tests.support.factory import emergency_vignette, make_vignette, write_corpus

CES = (
    "42-year-old man with 6 days of low back pain and left leg pain, worsening. Since yesterday "
    "he reports numbness around the anus and a reduced feeling of urine passing. Bowel control "
    "normal. Power full in both legs. No fever, no history of cancer."
)


def ces(vid: str, narrative: str = CES, **findings: Any) -> dict[str, Any]:
    data = emergency_vignette(vid, narrative=narrative)
    data["presentation"]["findings"].update(findings)
    return data


def near_duplicate_errors(folder: Path) -> list[str]:
    _, problems = check_corpus([folder])
    return [p.message for p in errors_only(problems) if "near-duplicate" in p.message]


def test_a_lightly_edited_copy_is_an_error_naming_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edited = CES.replace("42-year-old man", "42-year-old male")
    edited = edited.replace("worsening", "getting worse")
    folder = write_corpus(tmp_path / "c", [ces("t-ces-a"), ces("t-ces-b", edited)])
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    line = next(line for line in err.splitlines() if "near-duplicate" in line)
    assert "t-ces-b.json:/presentation/narrative [t-ces-b]" in line
    assert "near-duplicate of t-ces-a" in line
    assert "identical findings and expected decision" in line


def test_distinct_narratives_with_the_same_findings_are_not_flagged(tmp_path: Path) -> None:
    lay = (
        "I'm 42 and my back went 6 days ago, with pain down my left leg that keeps getting worse. "
        "Since yesterday it's numb round my bum when I wipe and I can't really feel my wee. "
        "Poo is normal, legs are strong, no fever and I've never had cancer."
    )
    folder = write_corpus(tmp_path / "c", [ces("t-clinician"), ces("t-lay", lay)])
    assert near_duplicate_errors(folder) == []


def test_a_minimal_pair_with_one_finding_changed_is_not_flagged(tmp_path: Path) -> None:
    pair = CES.replace("reduced feeling of urine passing", "normal feeling of urine passing")
    folder = write_corpus(
        tmp_path / "c", [ces("t-with"), ces("t-without", pair, bladder=["normal"])]
    )
    assert near_duplicate_errors(folder) == []


def test_an_identical_narrative_with_different_labels_is_an_error(tmp_path: Path) -> None:
    other = make_vignette("t-copy", narrative=CES)
    folder = write_corpus(tmp_path / "c", [ces("t-orig"), other])
    (message,) = near_duplicate_errors(folder)
    assert "identical narrative" in message and "near-duplicate of t-copy" in message


def test_similarity_reads_words_not_punctuation_or_case() -> None:
    a = narrative_words("No fever, no cancer.")
    b = narrative_words("no FEVER; no cancer!")
    assert a == b and similarity(a, b) == 1.0


def test_the_bundled_corpus_has_no_near_duplicates() -> None:
    _, problems = check_corpus()
    assert not [p for p in problems if "near-duplicate" in p.message]


def test_the_threshold_clears_the_closest_distinct_cases_of_the_bundled_corpus() -> None:
    """Vignettes that share findings apart from age and durations are the nearest neighbours a
    real near-duplicate would hide among; the threshold must stay clear of all of them."""
    groups: dict[str, list[tuple[str, ...]]] = defaultdict(list)
    for path in corpus_dir().rglob("*.json"):
        if path.name == "sources.json":
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        findings = {
            k: v for k, v in data["presentation"]["findings"].items()
            if k not in {"age", "pain_duration_days", "sphincter_or_saddle_symptom_days"}
        }
        key = canonical_json({"f": findings, "e": data["expected"]})
        groups[key].append(narrative_words(data["presentation"]["narrative"]))
    pairs = (pair for group in groups.values() for pair in itertools.combinations(group, 2))
    closest = max((similarity(a, b) for a, b in pairs), default=0.0)
    assert closest < THRESHOLD - 0.05, closest


def test_a_thousand_vignettes_with_distinct_narratives_raise_no_false_alarm() -> None:
    """1000 vignettes in buckets of 10 identical findings and labels, with real, distinct
    narratives: 4,500 candidate pairs, all of them compared, none flagged. (Contrast pairs are
    near-identical by design, so only one member of each is used; the speed of the check is
    measured by benchmarks/corpus_pipeline.py, not here.)"""
    narratives = []
    pairs_seen: set[str] = set()
    for p in sorted(corpus_dir().rglob("*.json")):
        if p.name == "sources.json":
            continue
        data = json.loads(p.read_text(encoding="utf-8"))
        pair = next((t for t in data.get("tags", []) if t.startswith("contrast-")), None)
        if pair is not None:
            if pair in pairs_seen:
                continue
            pairs_seen.add(pair)
        narratives.append(data["presentation"]["narrative"])
    base = ces("t-base")
    loaded = []
    for i in range(1000):
        data = copy.deepcopy(base)
        data["id"] = f"t-{i:04d}"
        data["presentation"]["findings"]["age"] = 20 + (i // 10) % 80
        data["presentation"]["findings"]["pain_duration_days"] = i // 800
        data["presentation"]["narrative"] = f"{narratives[i % len(narratives)]} Case {i}."
        loaded.append((Path(f"t-{i:04d}.json"), data))
    assert find_near_duplicates(loaded) == []


def test_pairs_inside_a_bucket_are_all_compared() -> None:
    loaded = []
    for i in range(5):
        data = ces(f"t-{i}")
        data["presentation"]["narrative"] = CES + f" Seen by doctor number {i}."
        loaded.append((Path(f"t-{i}.json"), data))
    pairs = {(d.first_id, d.second_id) for d in find_near_duplicates(loaded)}
    assert pairs == {(f"t-{a}", f"t-{b}") for a, b in itertools.combinations(range(5), 2)}
