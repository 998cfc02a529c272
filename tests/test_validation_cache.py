"""The corpus is checked once per content: an unchanged corpus reuses its check, and says so."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.loading import InputError, check_corpus, load_corpus, validation_cache
from backtriage.harness.loading.problems import Problem
from backtriage.harness.loading.validation_cache import ValidationCache
from backtriage.harness.safe_json import dumps_safe
from tests.support.factory import make_vignette, mixed_corpus, write_corpus


def _fresh(tmp_path: Path) -> ValidationCache:
    return ValidationCache(tmp_path / "cache")


def test_an_unchanged_corpus_reuses_its_check_with_the_same_result(tmp_path: Path) -> None:
    folder = mixed_corpus(tmp_path / "corpus")
    cache = _fresh(tmp_path)
    first, first_problems = check_corpus([folder], cache=cache)
    second, second_problems = check_corpus([folder], cache=cache)
    assert (first.validation, second.validation) == ("performed", "reused")
    assert second_problems == first_problems
    assert second.content_hash == first.content_hash
    assert second.vignettes == first.vignettes


def test_a_changed_file_is_checked_again_and_its_new_problem_found(tmp_path: Path) -> None:
    folder = mixed_corpus(tmp_path / "corpus")
    cache = _fresh(tmp_path)
    check_corpus([folder], cache=cache)
    file = folder / "t-selfcare.json"
    data = json.loads(file.read_text())
    data["sources"] = [{"id": "no-such-source"}]
    file.write_text(json.dumps(data))
    corpus, problems = check_corpus([folder], cache=cache)
    assert corpus.validation == "performed"
    assert any("no-such-source" in p.message for p in problems)


def _edit_once_keyed(monkeypatch: pytest.MonkeyPatch, file: Path, data: object) -> None:
    """Write ``data`` to ``file`` just after the corpus is read and its key made from the bytes.

    As another process saving the file would: the key still finds the earlier check.
    """
    from backtriage.harness.loading import corpus as corpus_module

    made_key = corpus_module._read_corpus

    def key_then_edit(*args: object, **kwargs: object) -> object:
        made = made_key(*args, **kwargs)  # type: ignore[arg-type]
        file.write_text(json.dumps(data))
        return made

    monkeypatch.setattr(corpus_module, "_read_corpus", key_then_edit)


def test_a_file_edited_after_it_is_read_runs_as_read_and_is_checked_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A vignette is built from the very bytes its verdict was looked up by, read once.

    An edit that lands after the read is not mixed into this load (the vignette is the one
    the reused check accepted), and the next load checks the edited file.
    """
    folder = mixed_corpus(tmp_path / "corpus")
    cache = _fresh(tmp_path)
    before = check_corpus([folder], cache=cache)[0].by_id()["t-selfcare"]
    file = folder / "t-selfcare.json"
    data = json.loads(file.read_text())
    data["sources"] = [{"id": "no-such-source"}]
    _edit_once_keyed(monkeypatch, file, data)
    corpus, problems = check_corpus([folder], cache=cache)
    assert corpus.validation == "reused"
    assert corpus.by_id()["t-selfcare"] == before
    assert corpus.by_id()["t-selfcare"].content_hash == before.content_hash
    assert not any("no-such-source" in p.message for p in problems)
    monkeypatch.undo()
    # The edited corpus has its own key, and its own check is what is kept for it.
    again, again_problems = check_corpus([folder], cache=cache)
    assert again.validation == "performed"
    assert any("no-such-source" in p.message for p in again_problems)
    assert check_corpus([folder], cache=cache)[0].validation == "reused"


def test_a_bibliography_edited_while_the_corpus_loads_is_checked_not_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same holds for the bibliography: a source removed after hashing is found missing."""
    folder = mixed_corpus(tmp_path / "corpus")
    cache = _fresh(tmp_path)
    check_corpus([folder], cache=cache)
    bibliography = folder / "sources.json"
    data = json.loads(bibliography.read_text())
    data["sources"] = [s for s in data["sources"] if s["id"] != "acp-2007"]
    _edit_once_keyed(monkeypatch, bibliography, data)
    corpus, problems = check_corpus([folder], cache=cache)
    assert corpus.validation == "performed"
    assert "acp-2007" not in corpus.bibliography
    assert any("acp-2007" in p.message for p in problems)


def test_a_moved_corpus_is_checked_again_since_problems_name_its_files(tmp_path: Path) -> None:
    folder = mixed_corpus(tmp_path / "corpus")
    cache = _fresh(tmp_path)
    check_corpus([folder], cache=cache)
    moved = tmp_path / "elsewhere"
    shutil.copytree(folder, moved)
    assert check_corpus([moved], cache=cache)[0].validation == "performed"


def test_errors_found_once_block_every_later_load(tmp_path: Path) -> None:
    bad = make_vignette("t-bad")
    bad["sources"] = [{"id": "no-such-source"}]
    folder = write_corpus(tmp_path / "corpus", [make_vignette("t-good"), bad])
    cache = _fresh(tmp_path)
    for expected in ("performed", "reused"):
        corpus, problems = check_corpus([folder], cache=cache)
        assert corpus.validation == expected
        assert any(p.vignette_id == "t-bad" and p.severity == "error" for p in problems)
    with pytest.raises(InputError):
        load_corpus([folder])


def test_a_damaged_entry_is_a_miss_not_an_error(tmp_path: Path) -> None:
    folder = mixed_corpus(tmp_path / "corpus")
    cache = _fresh(tmp_path)
    _, first = check_corpus([folder], cache=cache)
    entries = list((tmp_path / "cache").glob("*.json"))
    assert entries
    for entry in entries:
        entry.write_text('{"format": "backtriage-validation", "key": "x"')
    corpus, problems = check_corpus([folder], cache=cache)
    assert corpus.validation == "performed" and problems == first


def test_revalidate_checks_again(tmp_path: Path) -> None:
    folder = mixed_corpus(tmp_path / "corpus")
    cache = _fresh(tmp_path)
    check_corpus([folder], cache=cache)
    assert check_corpus([folder], cache=cache, revalidate=True)[0].validation == "performed"


def test_a_changed_checker_invalidates_every_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = mixed_corpus(tmp_path / "corpus")
    cache = _fresh(tmp_path)
    check_corpus([folder], cache=cache)
    monkeypatch.setattr(validation_cache, "checker_fingerprint", lambda: "another harness")
    assert check_corpus([folder], cache=cache)[0].validation == "performed"


def test_the_fingerprint_covers_the_checks_lexicons_and_schemas() -> None:
    names = {entry.name for entry in validation_cache.checker_sources()}
    assert {"consistency.py", "consistency_lexicon.yaml", "consistency_allowances.yaml",
            "near_duplicates.py", "schema_fast.py", "vignette.schema.json",
            "decision.schema.json", "model.py", "vocabulary.py"} <= names


def test_a_changed_byte_or_version_changes_the_fingerprint(tmp_path: Path) -> None:
    files = []
    for name, text in (("a.py", "x = 1\n"), ("b.yaml", "k: v\n")):
        (tmp_path / name).write_text(text)
        files.append(tmp_path / name)
    before = validation_cache.fingerprint(files, "1.0")
    assert validation_cache.fingerprint(files, "1.0") == before
    assert validation_cache.fingerprint(files, "1.1") != before
    (tmp_path / "b.yaml").write_text("k: w\n")
    assert validation_cache.fingerprint(files, "1.0") != before


def _cli(*args: str, env_dir: Path) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "BACKTRIAGE_CACHE_DIR": str(env_dir)}
    return subprocess.run([sys.executable, "-m", "backtriage.harness.cli.main", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_validate_and_run_say_when_they_reused_the_check(tmp_path: Path) -> None:
    folder = mixed_corpus(tmp_path / "corpus")
    first = _cli("validate", str(folder), env_dir=tmp_path / "c")
    second = _cli("validate", str(folder), env_dir=tmp_path / "c")
    assert "validation: performed" in first.stdout and first.returncode == 0
    assert "validation: reused" in second.stdout and second.returncode == 0
    run = _cli("run", "--system", "reference", "--corpus", str(folder), "--output",
               str(tmp_path / "out"), env_dir=tmp_path / "c")
    assert run.returncode == 0, run.stderr
    assert "validation: reused" in run.stdout
    results = json.loads((tmp_path / "out" / "results.json").read_text())
    assert results["run"]["corpus_validation"] == "reused"
    again = _cli("run", "--system", "reference", "--corpus", str(folder), "--output",
                 str(tmp_path / "out2"), "--revalidate", env_dir=tmp_path / "c")
    assert "validation: performed" in again.stdout


def test_with_no_folder_to_keep_it_in_every_corpus_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = mixed_corpus(tmp_path / "corpus")
    for name in ("BACKTRIAGE_CACHE_DIR", "XDG_CACHE_HOME", "HOME"):
        monkeypatch.delenv(name, raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert validation_cache.cache_dir() is None
    for _ in range(2):
        assert check_corpus([folder])[0].validation == "performed"


def test_a_cache_folder_that_is_a_file_costs_only_the_reuse(tmp_path: Path) -> None:
    folder = mixed_corpus(tmp_path / "corpus")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    cache = ValidationCache(blocker / "validation")
    _, first = check_corpus([folder], cache=cache)
    corpus, again = check_corpus([folder], cache=cache)
    assert corpus.validation == "performed" and again == first


_texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
_problems = st.builds(
    Problem, _texts, _texts, _texts, st.sampled_from(["error", "warning"]),
    st.none() | _texts,
)


@settings(max_examples=60, deadline=None)
@given(
    problems=st.lists(_problems, max_size=4),
    rejected=st.frozensets(_texts, max_size=4),
    accepted=st.dictionaries(_texts, st.tuples(_texts, _texts), max_size=12),
    together=st.integers(1, 5),
)
def test_an_entry_written_a_slice_at_a_time_reads_back_and_is_the_whole_documents_text(
    tmp_path_factory: pytest.TempPathFactory, problems: list[Problem],
    rejected: frozenset[str], accepted: dict[str, tuple[str, str]], together: int,
) -> None:
    """Whatever the slice size, the entry is the text the whole document would have been."""
    found = validation_cache.CachedValidation(
        tuple(problems), rejected, {path: h for path, (h, _) in accepted.items()},
        {path: vid for path, (_, vid) in accepted.items()},
    )
    cache = ValidationCache(tmp_path_factory.mktemp("cache"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(validation_cache, "_WRITTEN_TOGETHER", together)
        cache.put("k", found)
    assert cache.get("k") == found
    whole = {
        "format": validation_cache.FORMAT, "format_version": validation_cache.FORMAT_VERSION,
        "key": "k", "problems": [validation_cache._problem_dict(p) for p in problems],
        "rejected": sorted(rejected), "content_hashes": dict(found.content_hashes),
        "ids": dict(found.ids),
    }
    assert (cache.folder / "k.json").read_text(encoding="utf-8") == dumps_safe(
        whole, compact=True).value
