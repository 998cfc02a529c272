"""Output faults: bad paths, a shared --output, a full or read-only disk, odd folder names.

Every output path is checked and --output locked before the first call
(``harness/runs/output_paths.py``); a write that fails mid-run says so in one line.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.runs.output_paths import claim_outputs

ROOT = Path(__file__).resolve().parents[1]


def _run(capsys: pytest.CaptureFixture[str], corpus: Path, out: Path,
         *extra: str) -> tuple[int, str]:
    status = main(["run", "--system", "reference", "--corpus", str(corpus), "--output", str(out),
                   "--no-progress", "--quiet", *extra])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "please report" not in err, err
    return status, err


@pytest.mark.parametrize(
    ("flag", "make", "expected"),
    [
        ("--output", "file", "is a file, not a folder"),
        ("--junit", "folder", "is not a regular file"),
        ("--cache", "file", "is a file, not a folder"),
        ("--markdown", "under-a-file", "is a file, not a folder"),
        ("--output", "under-a-file", "is a file, not a folder"),
    ],
)
def test_a_bad_output_path_is_exit_2_before_the_run(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    flag: str, make: str, expected: str,
) -> None:
    """Defect 14: --output a file, --junit a folder, --cache a file, a report under a file:
    exit 2 naming the flag, before any call (it was a traceback and exit 3 after the run)."""
    target = tmp_path / "target"
    if make == "file":
        target.write_text("x", encoding="utf-8")
    elif make == "folder":
        target.mkdir()
    else:
        (tmp_path / "plain").write_text("x", encoding="utf-8")
        target = tmp_path / "plain" / "sub" / "report.md"
    out = tmp_path / "out" if flag != "--output" else target
    extra = [] if flag == "--output" else [flag, str(target)]
    status, err = _run(capsys, small_corpus_dir, out, *extra)
    assert status == 2
    assert f"error: {flag}: " in err and expected in err, err
    assert not (tmp_path / "out" / "journal.jsonl").exists()  # nothing was asked


def test_a_journal_that_is_a_folder_is_exit_2(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 22: OUTPUT/journal.jsonl being a folder is a clear message, not a traceback."""
    (tmp_path / "out" / "journal.jsonl").mkdir(parents=True)
    status, err = _run(capsys, small_corpus_dir, tmp_path / "out", "--resume")
    assert status == 2 and "journal.jsonl exists and is not a regular file" in err


def test_a_second_run_into_one_folder_is_refused(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 15: while one run holds --output, another into it exits 2; after, it runs."""
    out = tmp_path / "out"
    claim = claim_outputs(out, {}, {})
    try:
        status, err = _run(capsys, small_corpus_dir, out)
        assert status == 2
        assert f"is in use by another backtriage run (pid {os.getpid()})" in err
    finally:
        claim.release()
    assert _run(capsys, small_corpus_dir, out)[0] == 0


def test_a_killed_run_leaves_no_stale_lock(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 15: the lock is an flock, released by the kernel when its holder is SIGKILLed."""
    out = tmp_path / "out"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path\n"
         "from backtriage.harness.runs.output_paths import claim_outputs\n"
         f"claim = claim_outputs(Path({str(out)!r}), {{}}, {{}})\n"
         "print('locked', flush=True); time.sleep(120)"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert _run(capsys, small_corpus_dir, out)[0] == 2
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    assert _run(capsys, small_corpus_dir, out)[0] == 0


@pytest.mark.parametrize(("code", "words"), [(errno.ENOSPC, "no space left on the device"),
                                             (errno.EROFS, "the file system is read-only")])
def test_a_full_or_read_only_disk_is_one_line_and_exit_3(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, code: int, words: str,
) -> None:
    """Defect 23: a failed write says what happened in one line (exit 3), no 'please report'."""
    def refuse(src: object, dst: object) -> None:
        raise OSError(code, os.strerror(code), str(dst))

    monkeypatch.setattr("backtriage.harness.atomic_files.os.replace", refuse)
    status, err = _run(capsys, small_corpus_dir, tmp_path / "out")
    assert status == 3
    lines = err.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "results.json" in lines[0], err


def test_a_corpus_folder_name_that_is_not_utf8_is_written_safely(
    small_corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 28: a corpus folder named with undecodable bytes no longer crashes the results
    write after the whole run; the name is written with U+FFFD and the replacement recorded."""
    odd = Path(os.fsdecode(os.fsencode(str(tmp_path)) + b"/corpus-\xff"))
    shutil.copytree(small_corpus_dir, odd)
    status, _ = _run(capsys, odd, tmp_path / "out")
    assert status in (0, 1)
    document = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert document["corpus"]["roots"][0].endswith("corpus-\ufffd")
    assert {"pointer": "/corpus/roots/0",
            "replaced": "lone surrogate(s) replaced by U+FFFD (not encodable as UTF-8)"
            } in document["json_replacements"]
