"""Files the harness writes follow the user's umask, as any other program's files do."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from backtriage.harness.atomic_files import write_bytes_atomic, write_text_atomic
from backtriage.harness.cli.main import main


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask after a test changes it."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_an_atomic_write_gets_the_mode_the_umask_grants(
    tmp_path: Path, umask: None, mask: int, expected: int
) -> None:
    os.umask(mask)
    path = write_text_atomic(tmp_path / "sub" / "f.json", "{}\n")
    assert path.read_text() == "{}\n" and _mode(path) == expected
    assert [p.name for p in path.parent.iterdir()] == ["f.json"]  # no temporary file left


@pytest.mark.parametrize("durable", [False, True])
def test_a_bytes_write_replaces_whole_and_a_durable_one_reaches_the_disk_before_the_rename(
    tmp_path: Path, umask: None, monkeypatch: pytest.MonkeyPatch, durable: bool
) -> None:
    os.umask(0o022)
    target = tmp_path / "f.jsonl"
    target.write_bytes(b"old\n")
    synced: list[bool] = []  # for each fsync: was the target still the old file?
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(target.read_bytes() == b"old\n")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    assert write_bytes_atomic(target, b"\xff new\n", durable=durable) == target
    assert target.read_bytes() == b"\xff new\n" and _mode(target) == 0o644
    assert synced == ([True] if durable else [])
    assert [p.name for p in tmp_path.iterdir()] == ["f.jsonl"]


def test_a_failed_write_leaves_neither_file_nor_temporary(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        write_text_atomic(tmp_path / "f.json", "\udcff")
    assert list(tmp_path.iterdir()) == []


def test_results_reports_and_cache_entries_follow_the_umask(
    tmp_path: Path, small_corpus_dir: Path, umask: None
) -> None:
    os.umask(0o022)
    out = tmp_path / "out"
    argv = ["run", "--system", "reference", "--corpus", str(small_corpus_dir), "--quiet",
            "--output", str(out), "--cache", str(tmp_path / "cache"),
            "--junit", str(tmp_path / "j.xml"), "--markdown", str(tmp_path / "m.md")]
    assert main(argv) == 0
    written = [out / "results.json", tmp_path / "j.xml", tmp_path / "m.md",
               *(tmp_path / "cache").rglob("*.jsonl")]
    assert len(written) > 3
    assert {p.name: _mode(p) for p in written} == {p.name: 0o644 for p in written}
