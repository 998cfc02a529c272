"""Faults in what systems return never break a write: the one JSON-safe serialiser.

Every file the harness writes (results.json, journal lines, cache entries) goes through
``backtriage.harness.safe_json``: the file is strict JSON, and what had to be replaced is
recorded under ``json_replacements``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.cli.main import main
from backtriage.harness.safe_json import (
    MAX_DEPTH,
    dumps_recorded,
    dumps_safe,
    json_safe,
    recorded,
)
from tests.support.cache_files import entry_lines

HOSTILE_SYSTEM = '''
from backtriage.harness.model import Decision
from backtriage.harness.systems.protocol import Reply


def triage(presentation):
    decision = Decision(urgency="emergency", imaging="mri", category="serious_pathology",
                        rationale="bad \\ud800 text")
    metadata = {"tokens": {1, 2}, "cost": float("nan"), "limit": float("inf"),
                "blob": b"\\xff\\x00", "huge": 10**5000, 3: "int key", "obj": object()}
    return Reply(decision, raw="reply with a lone surrogate \\udc80", metadata=metadata)
'''


def strict_loads(text: str) -> Any:
    """Parse ``text`` as strict JSON: NaN and Infinity are refused."""

    def refuse(name: str) -> None:
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_odd_values_are_replaced_and_listed() -> None:
    """NaN, infinity, sets, bytes, huge ints, surrogates and objects become JSON data."""
    safe = json_safe({"a": float("nan"), "b": {3, 1, 2}, "c": b"x\xff", "d": 10**5000,
                      "e": "x\ud800", "f": object(), 7: (1, 2), "g": float("-inf")})
    assert safe.value["a"] is None and safe.value["g"] is None
    assert safe.value["b"] == [1, 2, 3]
    assert safe.value["c"] == "x\ufffd"
    assert safe.value["d"] is None
    assert safe.value["e"] == "x\ufffd"
    assert safe.value["f"].startswith("<object object")
    assert safe.value["7"] == [1, 2]
    assert {r.pointer for r in safe.replacements} == {"/a", "/b", "/c", "/d", "/e", "/f", "/g"}


def test_cycles_and_deep_nesting_are_cut() -> None:
    """A self-containing list or a 10 000-deep tree is written, cut at a bounded depth."""
    loop: list[Any] = []
    loop.append(loop)
    assert json_safe(loop).value == [None]
    deep: list[Any] = []
    node = deep
    for _ in range(10_000):
        node.append([])
        node = node[0]
    text = dumps_safe(deep).value
    assert text.count("[") == MAX_DEPTH
    strict_loads(text)


@settings(max_examples=200, deadline=None)
@given(st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text() | st.binary(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text() | st.integers(), inner)
    | st.frozensets(st.integers() | st.text()),
    max_leaves=30,
))
def test_any_value_serialises_to_strict_json(value: Any) -> None:
    """Whatever the value, the serialiser returns strict JSON text, never an exception."""
    text = dumps_safe(value).value
    strict_loads(text)
    text.encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text() | st.integers(), st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text() | st.integers(), inner)
    | st.frozensets(st.integers()),
    max_leaves=20,
)))
def test_the_one_walk_writer_writes_what_the_two_walk_one_did(value: dict[Any, Any]) -> None:
    """dumps_recorded(v) is dumps_safe(recorded(v)): the same text, replacements recorded."""
    assert dumps_recorded(value, compact=True) == dumps_safe(recorded(value), compact=True).value
    assert dumps_recorded(value, indent=2) == dumps_safe(recorded(value), indent=2).value


def test_a_hostile_reply_is_written_as_strict_json_and_resumes(
    small_corpus_dir: Path, tmp_path: Path
) -> None:
    """Defect 20 (and the writer half of 3): a set, NaN, bytes or a lone surrogate in a reply
    never crashes the journal or results write; both files are strict JSON and --resume reads
    the journal back."""
    module = tmp_path / "hostile.py"
    module.write_text(HOSTILE_SYSTEM, encoding="utf-8")
    out = tmp_path / "out"
    argv = ["run", "--system", f"python:{module}:triage", "--corpus", str(small_corpus_dir),
            "--output", str(out), "--no-progress", "--quiet"]
    assert main(argv) in (0, 1)
    document = strict_loads((out / "results.json").read_text(encoding="utf-8"))
    answer = document["vignettes"][0]["answers"][0]
    assert answer["raw"] == "reply with a lone surrogate \ufffd"
    assert answer["metadata"]["cost"] is None and answer["metadata"]["tokens"] == [1, 2]
    pointers = {r["pointer"] for r in document["json_replacements"]}
    assert any(p.endswith("/metadata/cost") for p in pointers)
    for line in (out / "journal.jsonl").read_text(encoding="utf-8").splitlines():
        strict_loads(line)
    assert main([*argv, "--resume"]) in (0, 1)
    resumed = strict_loads((out / "results.json").read_text(encoding="utf-8"))
    assert resumed["run"]["resumed"] == len(document["vignettes"])


def test_a_hostile_reply_is_cached_as_strict_json(small_corpus_dir: Path, tmp_path: Path) -> None:
    """Defect 20: cache entries are written by the same serialiser, strict JSON."""
    module = tmp_path / "hostile.py"
    module.write_text(HOSTILE_SYSTEM, encoding="utf-8")
    cache = tmp_path / "cache"
    argv = ["run", "--system", f"python:{module}:triage", "--corpus", str(small_corpus_dir),
            "--output", str(tmp_path / "out"), "--cache", str(cache), "--no-progress", "--quiet"]
    assert main(argv) in (0, 1)
    lines = entry_lines(cache)
    assert lines
    for line in lines:
        data = strict_loads(line)
        assert not any(isinstance(v, float) and math.isnan(v) for v in data["metadata"].values())
