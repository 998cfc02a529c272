"""Fingerprints of the files a system is made of, so cache keys change when a system does.

A ``python:`` system is fingerprinted by the source file of its module (and of the module that
defines the function, if another); a ``cmd:`` system by its executable and every argument that
names a file (the script of ``python my_triage.py``). Only those files are read: a helper
module they import, a data file or a model they load is not seen.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

LARGE_FILE = 64 * 1024 * 1024
"""Files above this size (a model's weights) are fingerprinted by size and mtime, not read."""


def files_sha256(paths: Iterable[Path]) -> str:
    """SHA-256 over each file's name and content (or size and mtime, for a large file)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode("utf-8") + b"\0")
        stat = path.stat()
        if stat.st_size > LARGE_FILE:
            digest.update(f"size={stat.st_size} mtime_ns={stat.st_mtime_ns}".encode())
        else:
            digest.update(hashlib.sha256(path.read_bytes()).digest())
        digest.update(b"\0")
    return digest.hexdigest()


def python_source(function: Callable[..., Any], module_name: str | None = None) -> dict[str, Any]:
    """Identify the source of a ``python:`` system's function.

    Args:
        function: the function called for each presentation.
        module_name: the module the spec names (it may re-export a function defined elsewhere).

    Returns:
        ``source_files`` (file names) and ``source_sha256`` (``None`` when no source file can be
        found, e.g. a function of a compiled extension).
    """
    modules = [sys.modules.get(module_name) if module_name else None, inspect.getmodule(function)]
    paths: list[Path] = []
    for module in modules:
        file = getattr(module, "__file__", None)
        if not file:
            continue
        path = Path(file).resolve()
        if path.suffix == ".py" and path.is_file() and path not in paths:
            paths.append(path)
    return _described(paths)


def command_files(argv: list[str], cwd: str | None = None) -> dict[str, Any]:
    """Identify a ``cmd:`` system's executable and the files its arguments name."""
    base = Path(cwd) if cwd else Path.cwd()
    paths: list[Path] = []
    for index, arg in enumerate(argv):
        path = _executable(arg, base) if index == 0 else _file(arg, base)
        if path is not None and path not in paths:
            paths.append(path)
    return _described(paths)


def _described(paths: list[Path]) -> dict[str, Any]:
    try:
        sha = files_sha256(paths) if paths else None
    except OSError:
        sha = None
    return {"source_files": [p.name for p in paths], "source_sha256": sha}


def _executable(name: str, base: Path) -> Path | None:
    if os.sep in name or (os.altsep and os.altsep in name):
        return _file(name, base)
    found = shutil.which(name)
    return Path(found).resolve() if found else None


def _file(arg: str, base: Path) -> Path | None:
    if not arg or arg.startswith("-"):
        return None
    path = Path(arg) if Path(arg).is_absolute() else base / arg
    try:
        return path.resolve() if path.is_file() else None
    except (OSError, ValueError):
        return None
