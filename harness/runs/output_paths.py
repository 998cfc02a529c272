"""Checking every output path before a run starts, and locking the output folder.

A run may take hours; finding at the end that ``--junit`` names a folder or ``--output`` a
file (a traceback, exit 3, the answers written nowhere) is the worst time. :func:`claim_outputs`
checks each path the run will write, so a bad one is exit 2 naming its flag before the first
call, and takes an exclusive lock on the output folder so two runs cannot mix their journals
and results. The lock is an ``flock`` on ``OUTPUT/.backtriage.lock``: the kernel releases it
when the process ends however it ends, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from backtriage.harness.loading.problems import InputError, Problem

LOCK_NAME = ".backtriage.lock"
KEPT_FILES = ("results.json", "journal.jsonl")
"""Files a run writes inside its output folder; each must be a regular file if present."""


def folder_problem(path: Path, flag: str) -> Problem | None:
    """Why the folder ``path`` cannot be written (created if missing), or ``None``."""
    if path.exists():
        if not path.is_dir():
            return Problem(flag, "", f"{path} is a file, not a folder")
        if not _writable(path):
            return Problem(flag, "", f"folder {path} is not writable")
        for name in KEPT_FILES:
            inner = path / name
            if inner.exists() and not _is_regular(inner):
                return Problem(flag, "", f"{inner} exists and is not a regular file; move it "
                                         "aside")
        return None
    return _creatable(path, flag)


def file_problem(path: Path, flag: str) -> Problem | None:
    """Why the file ``path`` cannot be written (its folder created if missing), or ``None``."""
    if path.exists():
        if not _is_regular(path):
            return Problem(flag, "", f"{path} is not a regular file (a folder?)")
        if not os.access(path, os.W_OK):
            return Problem(flag, "", f"{path} is not writable")
        return None
    parent = path.parent
    if not parent.exists():
        return _creatable(parent, flag)
    if not parent.is_dir():
        return Problem(flag, "", f"cannot write {path}: {parent} is a file, not a folder")
    if not _writable(parent):
        return Problem(flag, "", f"cannot write {path}: folder {parent} is not writable")
    return None


@dataclass
class OutputClaim:
    """The lock on an output folder; :meth:`release` it when the run's files are written."""

    folder: Path
    fd: int | None

    def release(self) -> None:
        """Release the lock (closing the file releases the ``flock``)."""
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def claim_outputs(output: Path, folders: Mapping[str, Path | None],
                  files: Mapping[str, str | Path | None]) -> OutputClaim:
    """Check every output path, then lock ``output``.

    Args:
        output: the ``--output`` folder.
        folders: other folders the run writes, by flag (``--cache``); ``None`` when unset.
        files: files the run writes, by flag (``--junit``); ``None`` or ``-`` when unset.

    Raises:
        InputError: naming the flag of every bad path, or saying that another run holds
            ``output``.
    """
    problems = [p for p in [folder_problem(output, "--output")] if p]
    problems += [p for flag, path in folders.items() if path is not None
                 for p in [folder_problem(Path(path), flag)] if p]
    problems += [p for flag, path in files.items() if path not in (None, "", "-")
                 for p in [file_problem(Path(str(path)), flag)] if p]
    if problems:
        raise InputError(problems)
    return OutputClaim(output, _lock(output))


def _lock(folder: Path) -> int:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise InputError([Problem("--output", "", f"cannot use {folder}: "
                                  f"{exc.strerror or exc}")]) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise InputError([Problem("--output", "", f"{folder} is in use by another backtriage "
                                  f"run (pid {holder}); wait for it to end or choose another "
                                  "--output")]) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    return fd


def _is_regular(path: Path) -> bool:
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def _writable(folder: Path) -> bool:
    # Try it: os.access says yes to root on a read-only bind mount's files in some setups.
    try:
        fd, tmp = tempfile.mkstemp(prefix=".backtriage-probe.", dir=folder)
    except OSError:
        return False
    os.close(fd)
    os.unlink(tmp)
    return True


def _creatable(path: Path, flag: str) -> Problem | None:
    ancestor = path
    while not ancestor.exists():
        if ancestor.parent == ancestor:
            break
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return Problem(flag, "", f"cannot create {path}: {ancestor} is a file, not a folder")
    if not _writable(ancestor):
        return Problem(flag, "", f"cannot create {path}: folder {ancestor} is not writable")
    return None
