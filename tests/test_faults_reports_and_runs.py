"""Hostile text in reports, and damaged or mismatched run files (journal, cache, results).

JUnit is always well-formed XML, the Markdown summary never carries raw HTML, and a run file
whose shape is wrong is a clear exit 2 (or, for a cache entry, a miss asked again).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from tests.support.cache_files import rewrite_entries

HOSTILE_TEXT = "line\rbreak | <script>alert(1)</script> \x1b[31m bell\x07 nul\x00 &amp;"
SYSTEM = f'''
from backtriage.harness.model import Decision


def triage(presentation):
    return Decision("self_care", "mri", "nonspecific", (), rationale={HOSTILE_TEXT!r})
'''


def _hostile_run(tmp_path: Path, corpus: Path) -> Path:
    module = tmp_path / "hostile.py"
    module.write_text(SYSTEM, encoding="utf-8")
    out = tmp_path / "out"
    status = main(["run", "--system", f"python:{module}:triage", "--corpus", str(corpus),
                   "--output", str(out), "--no-progress", "--quiet",
                   "--junit", str(out / "junit.xml"), "--markdown", str(out / "summary.md")])
    assert status == 1
    return out


def test_junit_stays_well_formed_with_control_characters(
    small_corpus_dir: Path, tmp_path: Path
) -> None:
    """Defect 9: an ESC, BEL or NUL in a rationale is written as \\xNN; the XML parses."""
    out = _hostile_run(tmp_path, small_corpus_dir)
    root = ET.parse(out / "junit.xml").getroot()
    text = "".join(root.itertext())
    assert "\\x1b[31m" in text and "\\x07" in text and "\\x00" in text
    assert "\x1b" not in text


def test_markdown_escapes_carriage_returns_and_html(
    small_corpus_dir: Path, tmp_path: Path
) -> None:
    """Defect 21: a bare \\r no longer breaks a table row and <script> never becomes raw HTML."""
    module = tmp_path / "hostile_error.py"
    module.write_text(f"def triage(presentation):\n    raise RuntimeError({HOSTILE_TEXT!r})\n",
                      encoding="utf-8")
    out = tmp_path / "out"
    main(["run", "--system", f"python:{module}:triage", "--corpus", str(small_corpus_dir),
          "--output", str(out), "--no-progress", "--quiet", "--markdown", str(out / "s.md")])
    md = (out / "s.md").read_text(encoding="utf-8")
    assert "<script" not in md and "&lt;script>" in md
    assert "\r" not in md and "\x1b" not in md and "\x00" not in md
    rows = [line for line in md.splitlines() if line.startswith("| `")]
    assert rows and all(line.endswith("|") and "\\| &lt;script" in line for line in rows)


def _reference_run(tmp_path: Path, corpus: Path, name: str, *extra: str) -> Path:
    out = tmp_path / name
    status = main(["run", "--system", "reference", "--corpus", str(corpus), "--output", str(out),
                   "--no-progress", "--quiet", *extra])
    assert status == 0
    return out


def _edit(path: Path, change: Any) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda d: d["system"].update(temperature=1.5), "/system/temperature"),
        (lambda d: d.update(harness_version="0.0.1"), "/harness_version"),
        (lambda d: d["options"].update(epochs=3), "/options/epochs"),
    ],
    ids=["temperature", "harness version", "epochs"],
)
def test_merge_refuses_shards_of_different_runs(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    change: Any, pointer: str,
) -> None:
    """Defect 12: merge checks the whole run identity, not only the spec string."""
    one = _reference_run(tmp_path, small_corpus_dir, "s1", "--shard", "1/2")
    two = _reference_run(tmp_path, small_corpus_dir, "s2", "--shard", "2/2")
    _edit(two / "results.json", change)
    status = main(["merge", str(one), str(two), "--output", str(tmp_path / "m"), "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert f"{two}:{pointer}: " in err and "differs from" in err, err


def test_compare_refuses_a_results_file_with_one_id_twice(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 27: a vignette listed twice would count twice; the file is refused."""
    base = _reference_run(tmp_path, small_corpus_dir, "base")
    new = _reference_run(tmp_path, small_corpus_dir, "new")
    _edit(new / "results.json", lambda d: d["vignettes"].append(d["vignettes"][0]))
    status = main(["compare", str(base), str(new)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"/vignettes/5/id: vignette '{'t-contested'}' appears twice" in err, err


def test_compare_refuses_a_metric_that_is_not_a_number(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by the fuzz tests: a list where a rate belongs crashed the compare table (exit 3)."""
    base = _reference_run(tmp_path, small_corpus_dir, "base")
    new = _reference_run(tmp_path, small_corpus_dir, "new")
    _edit(new / "results.json",
          lambda d: d["metrics_by_status"]["consensus"].update(critical_miss_rate=[]))
    status = main(["compare", str(base), str(new)])
    err = capsys.readouterr().err
    assert status == 2
    assert "/metrics_by_status/consensus/critical_miss_rate: a metric is a number" in err, err


def test_a_bit_flipped_urgency_in_the_journal_is_a_named_damaged_line(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 22: resume checks each journal record's shape; a flipped urgency is exit 2."""
    out = _reference_run(tmp_path, small_corpus_dir, "out")
    journal = out / "journal.jsonl"
    lines = journal.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[1])
    record["decision"]["urgency"] = "emergencz"
    lines[1] = json.dumps(record)
    journal.write_text("\n".join(lines) + "\n", encoding="utf-8")
    status = main(["run", "--system", "reference", "--corpus", str(small_corpus_dir),
                   "--output", str(out), "--no-progress", "--quiet", "--resume"])
    err = capsys.readouterr().err
    assert status == 2
    assert f"{journal}: line 2 is damaged (decision: not a valid decision: urgency" in err, err


def test_a_deeply_nested_cache_entry_is_a_miss_asked_again(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 22: a damaged cache entry (5000-deep nesting) is ignored and the system asked."""
    cache = tmp_path / "cache"
    _reference_run(tmp_path, small_corpus_dir, "first", "--cache", str(cache))
    deep = "[" * 5000 + "]" * 5000
    damaged = rewrite_entries(cache, lambda key: f'{{"key":"{key}","decision":{deep}}}')
    assert damaged
    out = _reference_run(tmp_path, small_corpus_dir, "second", "--cache", str(cache))
    document = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert document["run"]["cached"] == 0 and document["run"]["asked"] == damaged
    assert "Traceback" not in capsys.readouterr().err
