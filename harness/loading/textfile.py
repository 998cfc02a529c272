"""Reading an input file's text safely: regular files only, UTF-8 checked, size bounded.

Both strict readers (:mod:`.jsonfile`, :mod:`.yamlfile`) start here, so a FIFO, a folder or a
device named ``*.json`` is refused before anything could block on it, and a file that is not
UTF-8 is named with the byte where decoding failed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from backtriage.harness.loading.problems import InputError, Problem

MAX_FILE_BYTES = 512 * 1024 * 1024
"""Largest input file read (results files with many epochs are the biggest legitimate ones)."""

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_bytes(path: str | Path, what: str = "file") -> bytes:
    """Return the bytes of the regular file ``path``.

    The file is opened without blocking and checked to be a regular file before it is read,
    so a FIFO never stalls the caller.

    Raises:
        InputError: if the file is missing, unreadable, not a regular file or too large.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError([Problem(str(path), "", f"cannot read {what}: {_reason(exc)}")]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
            raise InputError([Problem(str(path), "", f"not a regular file ({kind}); "
                                      f"a {what} must be a plain file")])
        if info.st_size > MAX_FILE_BYTES:
            raise InputError([Problem(str(path), "", f"{what} too large ({info.st_size} bytes; "
                                      f"at most {MAX_FILE_BYTES})")])
        # One read asking a byte more than fstat's size: getting exactly that size back is the
        # whole file (one system call, not two). Anything else (it grew or shrank since, or a
        # short read) reads on to the end, as every read did before.
        first = os.read(fd, info.st_size + 1)
        if len(first) == info.st_size:
            return first
        chunks = [first]
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError([Problem(str(path), "", f"cannot read {what}: {_reason(exc)}")]) from None
    finally:
        os.close(fd)


def decode_utf8(data: bytes, source: str) -> str:
    """Decode ``data`` as UTF-8 (a leading byte-order mark is dropped).

    Raises:
        InputError: naming the byte offset of the first undecodable byte.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(
            source, "", f"not UTF-8 text: {exc.reason} at byte {exc.start}"
        )]) from None


def read_text(path: Path, what: str = "file") -> str:
    """Return the UTF-8 text of the regular file ``path``.

    Raises:
        InputError: as :func:`read_bytes` and :func:`decode_utf8`.
    """
    return decode_utf8(read_bytes(path, what), str(path))


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
