"""Property-based fuzzing of every reader, through ``main()`` in-process.

Properties, for any hostile vignette, policy, config or results file Hypothesis generates:

* the command exits 0, 1, 2 or 4, never 3 (a harness failure);
* it never prints a traceback or "internal error";
* a results.json, when written, is strict JSON (no NaN, no Infinity, UTF-8).
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backtriage.harness.cli.main import main
from tests.support.factory import mixed_corpus

FUZZ = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

ODD_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=20) | st.sampled_from(
    ["", "\ud800", "\x00", "\r", "<script>", "../..", "ç", "\u202e", "-1", "1e999", "NaN"])
EXTREME_NUMBERS = st.sampled_from(
    [0, -1, 1, 2**63, -(2**63), 10**30, 1e308, -1e308, 5e-324, float("nan"), float("inf"),
     float("-inf"), 0.5, True, False])
LEAVES = st.none() | st.booleans() | st.integers() | st.floats() | EXTREME_NUMBERS | ODD_TEXT
TREES = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4)
                     | st.dictionaries(ODD_TEXT, inner, max_size=4), max_leaves=12)


def _json_text(value: Any) -> str:
    """JSON text for any tree: Python's json writes NaN, Infinity and surrogates as is."""
    return json.dumps(value, ensure_ascii=True)


def _check(status: int, err: str, results: Path | None = None) -> None:
    assert status in (0, 1, 2, 4), err
    assert "Traceback" not in err and "internal error" not in err, err
    if results is not None and results.exists():
        def refuse(name: str) -> None:
            raise AssertionError(f"results.json holds {name}")

        json.loads(results.read_bytes().decode("utf-8"), parse_constant=refuse)


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mixed_corpus(tmp_path_factory.mktemp("fuzz") / "corpus")


@pytest.fixture(scope="module")
def results_dirs(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A whole run and its two shards, from the reference system."""
    root = tmp_path_factory.mktemp("fuzz-results")
    runs = {"whole": [], "s1": ["--shard", "1/2"], "s2": ["--shard", "2/2"]}
    for name, extra in runs.items():
        status = main(["run", "--system", "reference", "--corpus", str(corpus_dir), "--output",
                       str(root / name), "--no-progress", "--quiet", *extra])
        assert status == 0
    return {name: root / name / "results.json" for name in runs}


@pytest.fixture
def scratch_root() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _fresh(root: Path) -> Path:
    """A new empty folder for one example (the fixture lives across all of a test's examples)."""
    return Path(tempfile.mkdtemp(dir=root))


def _pointers(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _pointers(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _pointers(item, (*prefix, i))
    return found


def _mutate(document: Any, data: st.DataObject) -> Any:
    """Replace one value anywhere in ``document`` with a hostile tree (or delete it)."""
    doc = copy.deepcopy(document)
    path = data.draw(st.sampled_from(_pointers(doc)[1:]))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(TREES)
    return doc


@FUZZ
@given(data=st.data())
def test_any_hostile_vignette_is_exit_0_or_2(
    corpus_dir: Path, scratch_root: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    """A vignette with any one value replaced by a hostile tree validates or is exit 2."""
    scratch = _fresh(scratch_root)
    folder = shutil.copytree(corpus_dir, scratch / "corpus")
    file = folder / "t-emergency.json"
    original = json.loads(file.read_text(encoding="utf-8"))
    mutated = _mutate(original, data) if data.draw(st.booleans()) else data.draw(TREES)
    file.write_text(_json_text(mutated), encoding="utf-8")
    status = main(["validate", str(folder)])
    _check(status, capsys.readouterr().err)
    assert status in (0, 2)


@FUZZ
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_as_a_vignette_file_is_exit_2(
    corpus_dir: Path, scratch_root: Path, capsys: pytest.CaptureFixture[str], raw: bytes
) -> None:
    """Arbitrary bytes (not UTF-8, not JSON, truncated) in a vignette file are exit 2."""
    scratch = _fresh(scratch_root)
    folder = shutil.copytree(corpus_dir, scratch / "corpus")
    (folder / "t-emergency.json").write_bytes(raw)
    status = main(["validate", str(folder)])
    _check(status, capsys.readouterr().err)
    assert status == 2


POLICY = {"schema_version": "1.0.0", "name": "fuzz",
          "thresholds": {"critical_misses": {"max": 0}, "error_rate": {"max": 0.1}},
          "compare": {"no_new_critical_misses": True}}


@FUZZ
@given(data=st.data())
def test_any_hostile_policy_gates_or_is_exit_2(
    corpus_dir: Path, scratch_root: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    """A policy with any value replaced, or any YAML text, gates (0/1) or is exit 2."""
    scratch = _fresh(scratch_root)
    policy = scratch / "policy.yaml"
    if data.draw(st.booleans()):
        tree = _mutate(POLICY, data)
        policy.write_text(yaml.safe_dump(tree, allow_unicode=False), encoding="utf-8")
    else:
        policy.write_text(data.draw(st.text(max_size=120)), encoding="utf-8", errors="replace")
    out = scratch / "out"
    status = main(["run", "--system", "baseline:never-image", "--corpus", str(corpus_dir),
                   "--policy", str(policy), "--output", str(out), "--no-progress", "--quiet"])
    _check(status, capsys.readouterr().err, out / "results.json")


CONFIG_KEYS = st.sampled_from(["concurrency", "epochs", "timeout", "retries", "retry_backoff",
                               "max_total_seconds", "resume", "progress", "adapter", "unknown"])


@FUZZ
@given(config=st.dictionaries(CONFIG_KEYS, TREES, max_size=4))
def test_any_hostile_config_runs_or_is_exit_2(
    corpus_dir: Path, scratch_root: Path, capsys: pytest.CaptureFixture[str], config: dict[str, Any]
) -> None:
    """A config with hostile values (NaN, huge, wrong types, odd text) runs or is exit 2.

    Path settings (system, output, corpus, cache) are left to the CLI so no generated path
    is ever written to.
    """
    scratch = _fresh(scratch_root)
    file = scratch / "config.yaml"
    file.write_text(yaml.safe_dump(config, allow_unicode=False), encoding="utf-8")
    out = scratch / "out"
    status = main(["run", "--system", "baseline:never-image", "--corpus", str(corpus_dir),
                   "--config", str(file), "--output", str(out), "--no-progress", "--quiet",
                   "--max-total-seconds", "60"])
    _check(status, capsys.readouterr().err, out / "results.json")


@FUZZ
@given(data=st.data())
def test_any_hostile_results_file_compares_or_is_exit_2(
    results_dirs: dict[str, Path], scratch_root: Path, capsys: pytest.CaptureFixture[str],
    data: st.DataObject,
) -> None:
    """compare of a results file with any value replaced gives 0, 1 or 2, never a crash."""
    scratch = _fresh(scratch_root)
    document = json.loads(results_dirs["whole"].read_text(encoding="utf-8"))
    new = scratch / "new.json"
    new.write_text(_json_text(_mutate(document, data)), encoding="utf-8")
    status = main(["compare", str(results_dirs["whole"]), str(new),
                   "--markdown", str(scratch / "c.md")])
    _check(status, capsys.readouterr().err)


@FUZZ
@given(data=st.data())
def test_any_hostile_shard_merges_or_is_exit_2(
    results_dirs: dict[str, Path], scratch_root: Path, capsys: pytest.CaptureFixture[str],
    data: st.DataObject,
) -> None:
    """merge with one shard's file mutated anywhere gives 0, 1 or 2; its output is strict."""
    scratch = _fresh(scratch_root)
    document = json.loads(results_dirs["s2"].read_text(encoding="utf-8"))
    shard = scratch / "s2.json"
    shard.write_text(_json_text(_mutate(document, data)), encoding="utf-8")
    out = scratch / "merged"
    status = main(["merge", str(results_dirs["s1"]), str(shard), "--output", str(out),
                   "--quiet", "--junit", str(out / "j.xml"), "--markdown", str(out / "m.md")])
    _check(status, capsys.readouterr().err, out / "results.json")


REPLY_SYSTEM = '''
import json
from backtriage.harness.model import Decision
from backtriage.harness.systems.protocol import Reply

METADATA = json.loads({metadata!r})
TEXT = {text!r}


def triage(presentation):
    decision = Decision("emergency", "mri", "serious_pathology", (), rationale=TEXT or None)
    return Reply(decision, raw=TEXT, metadata={{"fuzz": METADATA, "set": {{1, 2}},
                                               "nan": float("nan")}})
'''


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(metadata=TREES, text=ODD_TEXT)
def test_any_reply_metadata_or_text_is_written_as_strict_json(
    corpus_dir: Path, scratch_root: Path, capsys: pytest.CaptureFixture[str], metadata: Any,
    text: str,
) -> None:
    """Whatever a system puts in its reply, the run ends 0/1 with strict-JSON results."""
    scratch = _fresh(scratch_root)
    module = scratch / "reply_system.py"
    module.write_text(REPLY_SYSTEM.format(metadata=_json_text(metadata), text=text),
                      encoding="utf-8", errors="surrogatepass")
    out = scratch / "out"
    status = main(["run", "--system", f"python:{module}:triage", "--corpus", str(corpus_dir),
                   "--output", str(out), "--no-progress", "--quiet",
                   "--junit", str(out / "j.xml"), "--markdown", str(out / "m.md")])
    _check(status, capsys.readouterr().err, out / "results.json")
    assert status in (0, 1)


def test_a_shard_whose_findings_hold_an_object_is_exit_2_naming_the_field(
    results_dirs: dict[str, Path], scratch_root: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    # Found by the property above: findings are read by the merge to find the open questions,
    # and an object where a value belongs crashed it (exit 3) before the schema said why.
    scratch = _fresh(scratch_root)
    document = json.loads(results_dirs["s2"].read_text(encoding="utf-8"))
    findings = document["vignettes"][0]["findings"]
    findings[next(iter(findings))] = {"odd": []}
    shard = scratch / "s2.json"
    shard.write_text(json.dumps(document), encoding="utf-8")
    status = main(["merge", str(results_dirs["s1"]), str(shard), "--output",
                   str(scratch / "merged"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2, err
    assert str(shard) in err and "/vignettes/0/findings" in err
