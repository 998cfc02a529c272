"""`run --shard I/N` and `backtriage merge`: deterministic slices that merge into one run."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.loading import InputError
from backtriage.harness.runs.merge import comparable
from backtriage.harness.runs.sharding import Shard, parse_shard, shard_ids
from tests.support.ci_fixtures import CI_IDS, ci_corpus, faulty_system


def test_parse_shard() -> None:
    assert parse_shard("2/3") == Shard(2, 3)
    assert str(parse_shard(" 1 / 1 ")) == "1/1"
    for bad in ("0/3", "4/3", "1/0", "a/b", "2", "-1/3", "1/3/4"):
        with pytest.raises(InputError):
            parse_shard(bad)


def test_shards_partition_the_ids_deterministically() -> None:
    ids = [f"v{i:03d}" for i in range(50)]
    shuffled = random.Random(7).sample(ids, len(ids))
    slices = [shard_ids(shuffled, Shard(i, 3)) for i in (1, 2, 3)]
    assert slices == [shard_ids(ids, Shard(i, 3)) for i in (1, 2, 3)]  # input order does not matter
    assert sorted(vid for s in slices for vid in s) == ids  # every id exactly once
    assert [len(s) for s in slices] == [17, 17, 16]
    assert slices[0][:3] == ["v000", "v003", "v006"]  # dealt round-robin over sorted ids


def _run(tmp_path: Path, name: str, spec: str, corpus: Path, *extra: str) -> tuple[int, Path]:
    out = tmp_path / name
    status = main(
        ["run", "--system", spec, "--corpus", str(corpus), "--output", str(out), "--quiet", *extra]
    )
    return status, out / "results.json"


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return ci_corpus(tmp_path / "corpus")


def test_merged_shards_equal_the_unsharded_run(tmp_path: Path, corpus: Path) -> None:
    # A system with a miss, a crash and over-imaging, asked twice per vignette, so the metrics,
    # outcomes, errors and gates all have something to carry.
    spec = faulty_system(
        tmp_path, miss=("t-ces-2",), crash=("t-urgent",), over_image=("t-selfcare",)
    )
    status, full = _run(tmp_path, "full", spec, corpus, "--epochs", "2")
    assert status == 1
    shards = []
    for i in (1, 2, 3):
        _, path = _run(tmp_path, f"shard{i}", spec, corpus, "--epochs", "2", "--shard", f"{i}/3")
        shards.append(path)
    merged_dir = tmp_path / "merged"
    assert main(["merge", *map(str, shards), "--output", str(merged_dir), "--quiet"]) == status

    a, b = _load(full), _load(merged_dir / "results.json")
    assert comparable(a) == comparable(b)
    # What "equal" means, spelled out on the fields that matter most.
    assert a["metrics_by_status"] == b["metrics_by_status"]
    assert a["gates"] == b["gates"] and a["gates_passed"] is b["gates_passed"] is False
    assert a["corpus"]["content_hash"] == b["corpus"]["content_hash"]
    assert [v["id"] for v in b["vignettes"]] == list(CI_IDS)
    assert [[x["decision"] for x in v["answers"]] for v in a["vignettes"]] == [
        [x["decision"] for x in v["answers"]] for v in b["vignettes"]
    ]
    assert len(b["corpus"]["merged_from"]) == 3 and "shard" not in b["corpus"]


def test_merged_shards_equal_the_unsharded_run_on_the_bundled_corpus(tmp_path: Path) -> None:
    out = tmp_path / "full"
    status = main(["run", "--system", "reference", "--output", str(out), "--quiet"])
    for i in (1, 2, 3):
        main(
            [
                "run",
                "--system",
                "reference",
                "--output",
                str(tmp_path / f"s{i}"),
                "--quiet",
                "--shard",
                f"{i}/3",
            ]
        )
    merged = tmp_path / "merged"
    assert (
        main(
            [
                "merge",
                *(str(tmp_path / f"s{i}") for i in (1, 2, 3)),
                "--output",
                str(merged),
                "--quiet",
            ]
        )
        == status
    )
    assert comparable(_load(out / "results.json")) == comparable(_load(merged / "results.json"))


def test_a_shard_records_its_slice_and_the_whole_corpus(tmp_path: Path, corpus: Path) -> None:
    _, full = _run(tmp_path, "full", "reference", corpus)
    _, shard = _run(tmp_path, "s2", "reference", corpus, "--shard", "2/3")
    doc = _load(shard)
    assert doc["corpus"]["shard"] == "2/3"
    assert doc["corpus"]["content_hash"] == _load(full)["corpus"]["content_hash"]
    assert doc["corpus"]["n_vignettes_total"] == len(CI_IDS)
    assert [v["id"] for v in doc["vignettes"]] == list(CI_IDS[1::3])
    assert doc["metrics"]["n_vignettes"] == doc["corpus"]["n_vignettes"] == 2


def test_an_empty_shard_exits_0_and_still_merges(tmp_path: Path, corpus: Path) -> None:
    paths = []
    for i in range(1, 10):
        status, path = _run(tmp_path, f"s{i}", "reference", corpus, "--shard", f"{i}/9")
        # One vignette per shard: gates without data in the slice are not applied.
        assert status == 0
        paths.append(str(path))
    assert _load(tmp_path / "s9" / "results.json")["vignettes"] == []
    gates = _load(tmp_path / "s1" / "results.json")["gates"]
    assert "over_imaging_rate <= 0.1: no vignettes in shard 1/9, not applied" in [
        g["detail"] for g in gates
    ]
    assert main(["merge", *paths, "--output", str(tmp_path / "m"), "--quiet"]) == 0
    assert _load(tmp_path / "m" / "results.json")["metrics"]["n_vignettes"] == len(CI_IDS)


@pytest.fixture
def three_shards(tmp_path: Path, corpus: Path) -> list[str]:
    return [
        str(_run(tmp_path, f"s{i}", "reference", corpus, "--shard", f"{i}/3")[1]) for i in (1, 2, 3)
    ]


def _merge_fails(tmp_path: Path, paths: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["merge", *paths, "--output", str(tmp_path / "m")]) == 2
    assert not (tmp_path / "m" / "results.json").exists()
    return capsys.readouterr().err


def test_merge_refuses_a_missing_shard(
    tmp_path: Path, three_shards: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert "missing shard(s) 3/3" in _merge_fails(tmp_path, three_shards[:2], capsys)


def test_merge_refuses_a_shard_given_twice(
    tmp_path: Path, three_shards: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    err = _merge_fails(tmp_path, [*three_shards, three_shards[0]], capsys)
    assert "shard 1/3 given twice" in err


def test_merge_refuses_overlapping_slices(
    tmp_path: Path, corpus: Path, three_shards: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Shards of N = 2 and N = 3 overlap and split the corpus differently.
    _, other = _run(tmp_path, "two", "reference", corpus, "--shard", "1/2")
    assert "split the corpus differently" in _merge_fails(
        tmp_path, [*three_shards, str(other)], capsys
    )
    # A doctored shard that also holds another shard's vignette.
    doc = _load(Path(three_shards[0]))
    doc["vignettes"].append(_load(Path(three_shards[1]))["vignettes"][0])
    doctored = tmp_path / "doctored.json"
    doctored.write_text(json.dumps(doc))
    err = _merge_fails(tmp_path, [str(doctored), *three_shards[1:]], capsys)
    assert (
        "is in shard 2/3 and also in shard 1/3" in err
        or "is in shard 1/3 and also in shard 2/3" in err
    )


def test_merge_refuses_mismatched_system_corpus_or_policy(
    tmp_path: Path, corpus: Path, three_shards: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, other_system = _run(tmp_path, "sys", "baseline:never-image", corpus, "--shard", "3/3")
    assert "system differs" in _merge_fails(
        tmp_path, [*three_shards[:2], str(other_system)], capsys
    )

    _, other_policy = _run(
        tmp_path, "pol", "reference", corpus, "--shard", "3/3", "--policy", "release"
    )
    assert "policy differs" in _merge_fails(
        tmp_path, [*three_shards[:2], str(other_policy)], capsys
    )

    smaller = ci_corpus(tmp_path / "smaller")
    (smaller / "t-urgent.json").unlink()
    _, other_corpus = _run(tmp_path, "cor", "reference", smaller, "--shard", "3/3")
    assert "corpus differs" in _merge_fails(
        tmp_path, [*three_shards[:2], str(other_corpus)], capsys
    )


def test_merge_refuses_an_unsharded_result(
    tmp_path: Path, corpus: Path, three_shards: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, full = _run(tmp_path, "full", "reference", corpus)
    assert "not a shard result" in _merge_fails(tmp_path, [*three_shards, str(full)], capsys)


def test_merge_can_regate_with_another_policy(tmp_path: Path, corpus: Path) -> None:
    spec = faulty_system(tmp_path, over_image=("t-selfcare",))
    paths = [str(_run(tmp_path, f"s{i}", spec, corpus, "--shard", f"{i}/2")[1]) for i in (1, 2)]
    assert (
        main(["merge", *paths, "--output", str(tmp_path / "m1"), "--quiet"]) == 1
    )  # default: <= 10%
    lenient = tmp_path / "lenient.yaml"
    lenient.write_text(
        'schema_version: "1.0.0"\nname: lenient\nthresholds:\n  over_imaging_rate: {max: 0.5}\n'
    )
    assert (
        main(
            ["merge", *paths, "--output", str(tmp_path / "m2"), "--quiet", "--policy", str(lenient)]
        )
        == 0
    )
    assert _load(tmp_path / "m2" / "results.json")["policy"]["name"] == "lenient"


def test_merge_refuses_a_damaged_answer_record_naming_it(
    tmp_path: Path, three_shards: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # Found by tests/test_faults_fuzz.py: "attempts": null crashed the merge (exit 3).
    first = Path(three_shards[0])
    doc = json.loads(first.read_text())
    doc["vignettes"][0]["answers"][0]["attempts"] = None
    first.write_text(json.dumps(doc))
    err = _merge_fails(tmp_path, three_shards, capsys)
    assert "/vignettes/0/answers/0" in err and "attempts" in err
