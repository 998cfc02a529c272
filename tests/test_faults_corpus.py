"""Hostile vignette files: every one is a clear problem naming file and field, exit 2.

The corpus goes through the one strict JSON reader (``harness/loading/jsonfile.py``) and the
bounded schema check; none of these files may relabel a vignette silently, block, or crash.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.loading import check_corpus
from backtriage.harness.loading.jsonfile import parse_json
from backtriage.harness.loading.problems import InputError
from backtriage.harness.loading.tree_check import MAX_DEPTH as READER_DEPTH
from backtriage.harness.safe_json import MAX_DEPTH as WRITER_DEPTH


def _validate(capsys: pytest.CaptureFixture[str], *paths: Path) -> tuple[int, str]:
    status = main(["validate", *map(str, paths)])
    return status, capsys.readouterr().err


def _emergency_text(corpus: Path) -> str:
    return (corpus / "t-emergency.json").read_text(encoding="utf-8")


def test_a_second_expected_block_is_refused_not_obeyed(
    small_corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 5: a duplicated "expected" key no longer turns an emergency into self-care."""
    file = small_corpus_dir / "t-emergency.json"
    text = _emergency_text(small_corpus_dir).rstrip().removesuffix("}")
    file.write_text(text + ', "expected": {"urgency": "self_care", "imaging": "none", '
                    '"category": "nonspecific"}}', encoding="utf-8")
    status, err = _validate(capsys, small_corpus_dir)
    assert status == 2
    assert f"{file}:/expected: duplicate key 'expected'" in err


@pytest.mark.parametrize(
    ("replace", "expected"),
    [
        (lambda t: t.replace('"age": 40', '"age": ' + "9" * 5000), "a number of 5000 digits"),
        (lambda t: t.replace('"age": 40', '"age": ' + "[" * 5000 + "]" * 5000),
         "nested deeper than"),
        (lambda t: t.replace('"title": "', '"title": "\\ud800'), "lone surrogate"),
        (lambda t: t.replace('"age": 40', '"age": NaN'), "NaN is not a JSON number"),
        (lambda t: t.replace('"age": 40', '"age": 1e999'), "not a finite number"),
    ],
    ids=["5000-digit integer", "5000-deep nesting", "lone surrogate", "NaN", "1e999"],
)
def test_hostile_json_is_a_named_problem(
    small_corpus_dir: Path, capsys: pytest.CaptureFixture[str], replace: object, expected: str
) -> None:
    """Defect 17: deep nesting, a 5000-digit integer or a \\ud800 escape is exit 2, no crash."""
    file = small_corpus_dir / "t-emergency.json"
    assert callable(replace)
    changed = replace(_emergency_text(small_corpus_dir))
    assert changed != _emergency_text(small_corpus_dir)
    file.write_text(changed, encoding="utf-8")
    status, err = _validate(capsys, small_corpus_dir)
    assert status == 2
    assert str(file) in err and expected in err
    assert "Traceback" not in err


def test_a_file_that_is_not_utf8_is_named(
    small_corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 17: a Latin-1 file is 'not UTF-8 text' with the byte offset."""
    file = small_corpus_dir / "t-emergency.json"
    text = _emergency_text(small_corpus_dir).replace("Label", "L\xe9bel")
    file.write_bytes(text.encode("latin-1"))
    status, err = _validate(capsys, small_corpus_dir)
    assert status == 2 and f"{file}: not UTF-8 text" in err and "at byte" in err


def test_an_id_with_a_trailing_newline_is_refused(
    small_corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 25: the id pattern is anchored at the true end of the text ($ became \\Z)."""
    file = small_corpus_dir / "t-emergency.json"
    data = json.loads(_emergency_text(small_corpus_dir))
    data["id"] = "t-emergency\n"
    file.write_text(json.dumps(data), encoding="utf-8")
    status, err = _validate(capsys, small_corpus_dir)
    assert status == 2 and f"{file}:/id" in err and "does not match" in err


def test_a_fifo_named_json_is_refused_without_blocking(
    small_corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 26: a FIFO in the corpus is 'not a regular file'; validate does not wait on it."""
    fifo = small_corpus_dir / "pipe.json"
    os.mkfifo(fifo)
    result: list[int] = []
    argv = ["validate", str(small_corpus_dir)]
    worker = threading.Thread(target=lambda: result.append(main(argv)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    if worker.is_alive():  # unblock the reader so the test process can end
        with open(fifo, "wb"):
            pass
        pytest.fail("validate blocked on a FIFO")
    assert result == [2]
    assert f"{fifo}: not a regular file (a FIFO" in capsys.readouterr().err


def test_a_folder_named_json_is_refused(small_corpus_dir: Path) -> None:
    """Defect 26: a folder named *.json in the corpus is refused by the reader, not opened."""
    folder = small_corpus_dir / "odd.json"
    folder.mkdir()
    _, problems = check_corpus([small_corpus_dir])
    assert any(p.file == str(folder) and "not a regular file (a folder)" in p.message
               for p in problems)


def test_a_huge_wrongly_typed_file_gives_a_short_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 29: a 10 MB array where a vignette belongs is one short line, not 10 MB."""
    file = tmp_path / "big.json"
    file.write_text(json.dumps(["x" * 100] * 100_000), encoding="utf-8")
    status, err = _validate(capsys, file)
    assert status == 2
    assert len(err) < 2000, len(err)
    assert "is not of type 'object'" in err


def test_what_the_writer_writes_the_reader_reads() -> None:
    """The writer cuts nesting at the depth the reader accepts, so a journal always reads."""
    assert WRITER_DEPTH == READER_DEPTH
    deep = "[" * READER_DEPTH + "]" * READER_DEPTH
    parse_json(deep, "ok")
    with pytest.raises(InputError):
        parse_json("[" + deep + "]", "too deep")
