"""The one safe way the harness writes a file: whole or not at all, with the user's umask.

A temporary file beside the target, then an atomic rename, so a crash or Ctrl-C never leaves
half a file. The temporary file is created with mode 0666 and the kernel applies the umask, so
the result has the permissions any other file the user writes has (``tempfile.mkstemp`` would
make it 0600 whatever the umask says, and a CI artifact or a shared results folder would then be
unreadable to the rest of the team).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

_FILE_MODE = 0o666
"""Permissions asked for; the process umask removes what the user does not grant."""


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and an atomic rename.

    Folders above ``path`` are created as needed. Returns ``path``.
    """
    with open_atomic(path) as fh:
        fh.write(text)
    return Path(path)


def write_bytes_atomic(path: str | Path, data: bytes, *, durable: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file and an atomic rename.

    With ``durable``, the data reach the disk before the rename, so a power cut cannot leave
    the new name holding less than the old file did (for a file that replaces others, as a
    merged cache segment does). Folders above ``path`` are created as needed. Returns ``path``.
    """
    target = Path(path)
    tmp, fd = _temporary_beside(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


@contextmanager
def open_atomic(path: str | Path) -> Iterator[TextIO]:
    """Open a temporary file beside ``path`` for writing text; rename it into place on success.

    For files written piece by piece (a results file of 100,000 vignettes): readers see the
    old file or the whole new one, never a part. On an exception the temporary file is removed.
    """
    target = Path(path)
    tmp, fd = _temporary_beside(target)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def is_temporary(name: str) -> bool:
    """True for the name of a temporary file this module makes (a leftover of a kill)."""
    return name.startswith(".") and name.endswith(".tmp")


def _temporary_beside(target: Path) -> tuple[Path, int]:
    """Create ``.<name>.<random>.tmp`` beside ``target`` exclusively; its path and descriptor."""
    target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _FILE_MODE)
        except FileExistsError:  # pragma: no cover - a 48-bit name collision
            continue
