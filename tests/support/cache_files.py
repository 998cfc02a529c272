"""Reading and damaging the response cache's files as a test sees them on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from backtriage.harness.loading.jsonfile import parse_json


def segments(cache: Path) -> list[Path]:
    """The cache's segment files (one per run that stored an answer), oldest first."""
    return sorted(cache.rglob("*.jsonl"))


def entry_lines(cache: Path) -> list[str]:
    """Every entry line of every segment, as written."""
    return [line for path in segments(cache)
            for line in path.read_text(encoding="utf-8").splitlines()]


def entries(cache: Path) -> list[Any]:
    """Every entry, parsed by the strict reader (a non-strict line fails the test)."""
    return [parse_json(line, "cache line") for line in entry_lines(cache)]


def rewrite_entries(cache: Path, body: Callable[[str], str]) -> int:
    """Replace every entry line with ``body(key)``; return how many were replaced."""
    count = 0
    for path in segments(cache):
        lines = path.read_text(encoding="utf-8").splitlines()
        keys = [parse_json(line, str(path))["key"] for line in lines]
        path.write_text("".join(body(key) + "\n" for key in keys), encoding="utf-8")
        count += len(keys)
    return count
