"""The loader and `backtriage validate`: every problem named by file and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.loading import InputError, check_corpus, errors_only, load_corpus
from tests.support.factory import emergency_vignette, make_vignette, write_corpus


def test_the_bundled_corpus_validates_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    assert " 0 error(s)" in capsys.readouterr().out


def test_a_valid_small_corpus_loads_sorted_with_a_stable_hash(small_corpus_dir: Path) -> None:
    first = load_corpus([small_corpus_dir])
    again = load_corpus([small_corpus_dir])
    assert [v.id for v in first.vignettes] == sorted(v.id for v in first.vignettes)
    assert first.content_hash == again.content_hash and len(first.content_hash) == 64


def test_changing_a_label_changes_the_corpus_hash(small_corpus_dir: Path) -> None:
    before = load_corpus([small_corpus_dir]).content_hash
    path = small_corpus_dir / "t-selfcare.json"
    data = json.loads(path.read_text())
    data["expected"]["urgency"] = "routine"
    path.write_text(json.dumps(data))
    assert load_corpus([small_corpus_dir]).content_hash != before


@pytest.fixture
def broken_copy(tmp_path: Path, bundled_corpus_path: Path) -> Path:
    """A copy of the bundled corpus with four kinds of breakage."""
    target = tmp_path / "broken"
    shutil.copytree(bundled_corpus_path, target)
    files = sorted(p for p in target.rglob("*.json") if p.name != "sources.json")
    missing, unknown, dup_source = files[0], files[1], files[2]

    data = json.loads(missing.read_text())
    del data["expected"]["urgency"]
    missing.write_text(json.dumps(data))

    data = json.loads(unknown.read_text())
    data["expected"]["urgency"] = "very_urgent"
    unknown.write_text(json.dumps(data))

    data = json.loads(dup_source.read_text())
    (target / "duplicate-copy.json").write_text(json.dumps(data))

    (target / "not-json.json").write_text('{"id": "oops", ')
    return target


@pytest.fixture
def bundled_corpus_path() -> Path:
    from backtriage.harness.resources import corpus_dir

    return corpus_dir()


def test_validate_names_file_and_field_for_each_breakage(
    broken_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["validate", str(broken_copy)])
    err = capsys.readouterr().err
    assert status == 2
    lines = err.splitlines()
    assert any(
        "/expected/urgency" in line and "required field is missing" in line for line in lines
    )
    assert any("/expected/urgency" in line and "very_urgent" in line for line in lines)
    assert any("duplicate id" in line and "duplicate-copy.json" in line for line in lines)
    assert any("not-json.json" in line and "not valid JSON" in line for line in lines)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("vignette", "pointer", "words"),
    [
        (
            make_vignette("t-a", "emergency", "mri", "serious_pathology"),
            "/expected/suspected_conditions",
            "must name a suspected condition",
        ),
        (
            make_vignette("t-b", acceptable={"urgency": ["self_care"]}),
            "/acceptable/urgency",
            "repeats the expected value",
        ),
        (
            make_vignette("t-c", "routine", "none", "radiculopathy", ("malignancy",)),
            "/expected/suspected_conditions",
            "takes no suspected conditions",
        ),
        (
            {**make_vignette("t-d"), "sources": [{"id": "no-such-source"}]},
            "/sources/0/id",
            "unknown source id",
        ),
        ({**make_vignette("t-e"), "colour": "blue"}, "", "unknown field"),
        (make_vignette("t-f", label_status="contested"), "/acceptable", "other position"),
        (
            make_vignette("t-g", findings={"saddle_sensation": "altered"}),
            "/presentation/findings/saddle_sensation",
            "exactly when numbness_sites holds 'saddle_perineal'",
        ),
        (
            make_vignette("t-h", findings={"bladder": ["normal", "retention"]}),
            "/presentation/findings/bladder",
            "",
        ),
    ],
)
def test_semantic_and_schema_problems_point_at_the_field(
    tmp_path: Path, vignette: dict[str, object], pointer: str, words: str
) -> None:
    folder = write_corpus(tmp_path / "c", [vignette])
    _, problems = check_corpus([folder])
    errors = errors_only(problems)
    assert any(p.pointer == pointer and words in p.message for p in errors), errors
    assert all(p.file.endswith(".json") for p in errors)


def test_a_file_named_differently_from_its_id_is_reported(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "c", [])
    (folder / "wrong-name.json").write_text(json.dumps(make_vignette("t-right")))
    _, problems = check_corpus([folder])
    assert any("file name should be t-right.json" in p.message for p in problems)


def test_load_corpus_raises_with_every_error(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "c", [emergency_vignette("t-ok")])
    (folder / "bad.json").write_text("[1, 2")
    with pytest.raises(InputError) as info:
        load_corpus([folder])
    assert any("bad.json" in p.file for p in info.value.problems)


def test_a_missing_path_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    _, problems = check_corpus([tmp_path / "nowhere"])
    assert any("no such file or folder" in p.message for p in problems)


def test_explicit_files_find_the_bibliography_beside_them(small_corpus_dir: Path) -> None:
    corpus = load_corpus([small_corpus_dir / "t-emergency.json"])
    assert [v.id for v in corpus.vignettes] == ["t-emergency"]
