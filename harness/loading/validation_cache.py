"""Validation done once per corpus content: the problems a corpus had, kept under its key.

Every check of a corpus (schema, semantics, narrative consistency, near-duplicates, lay
examinations, contrast pairs) depends only on the bytes of its files, where they lie, and the
harness's own checking code. :func:`validation_key` hashes exactly those, so a run on an
unchanged corpus reuses the problems found last time instead of checking again; a changed file,
a moved folder or a changed checker (a new lexicon, a new schema, a new harness) makes a new key
and a full check. Reuse is never silent: the corpus says whether it was checked or reused
(:attr:`Corpus.validation <backtriage.harness.loading.corpus.Corpus>`), and ``run`` and
``validate`` print it.

Where: ``$BACKTRIAGE_CACHE_DIR/validation``, else ``$XDG_CACHE_HOME/backtriage/validation``,
else ``~/.cache/backtriage/validation``. An entry that cannot be read or does not match its key
is a miss (the corpus is checked again), never an error: the cache can only save work.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from backtriage.harness.atomic_files import open_atomic
from backtriage.harness.loading.jsonfile import parse_json
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.loading.textfile import read_text
from backtriage.harness.version import harness_version

FORMAT = "backtriage-validation"
FORMAT_VERSION = 2
_SEVERITIES = ("error", "warning")
_WRITTEN_TOGETHER = 4096
"""Entries of a mapping serialised together when an entry is written."""


@dataclass(frozen=True)
class CachedValidation:
    """What one full check of a corpus found.

    Attributes:
        problems: every problem, in the order the check reported them.
        rejected: files left out of the corpus (unreadable, not JSON, or breaking the schema).
        content_hashes: file path to the vignette's content hash (SHA-256 of its canonical JSON).
        ids: file path to the id of the vignette it holds (each accepted file), so a run
            knows its vignettes' order and its identity before it builds them.
    """

    problems: tuple[Problem, ...]
    rejected: frozenset[str]
    content_hashes: Mapping[str, str]
    ids: Mapping[str, str]


def cache_dir() -> Path | None:
    """The folder validation results are kept in (see the module docstring).

    None when there is no such folder to name (no cache variable set and no home directory):
    every corpus is then checked in full.
    """
    explicit = os.environ.get("BACKTRIAGE_CACHE_DIR")
    if explicit:
        return Path(explicit) / "validation"
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = str(Path.home() / ".cache")
        except (RuntimeError, KeyError, OSError):
            return None
    return Path(base) / "backtriage" / "validation"


@cache
def checker_fingerprint() -> str:
    """A hash of the code and data that decide what the checks report.

    The loading package (checks, lexicons, allowances), the schemas, the data model and
    vocabulary, and the harness version: editing any of them invalidates every entry.
    """
    return fingerprint(checker_sources(), harness_version())


def checker_sources() -> list[Any]:
    """The files :func:`checker_fingerprint` hashes (``Path`` or package resources)."""
    from backtriage.harness.resources import schemas_dir

    found: list[Any] = []
    for root in (resources.files("backtriage.harness.loading"), schemas_dir()):
        found.extend(
            entry for entry in sorted(root.iterdir(), key=lambda e: e.name)
            if entry.name.endswith((".py", ".yaml", ".json")) and entry.is_file()
        )
    harness = resources.files("backtriage.harness")
    found.extend(harness.joinpath(name) for name in ("model.py", "vocabulary.py",
                                                     "open_questions.py"))
    return found


def fingerprint(files: Iterable[Any], version: str) -> str:
    """SHA-256 over ``version`` and each file's name and bytes, in order."""
    digest = hashlib.sha256(version.encode())
    for entry in files:
        digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return digest.hexdigest()


def validation_key(files: Iterable[tuple[str, str]], extra: Sequence[str] = ()) -> str:
    """Hash the checker, then every ``(path, sha256 of its bytes)`` in order, then ``extra``."""
    digest = hashlib.sha256(checker_fingerprint().encode())
    for path, file_hash in files:
        digest.update(f"{path}\0{file_hash}\n".encode("utf-8", "surrogatepass"))
    for item in extra:
        digest.update(f"{item}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


class ValidationCache:
    """Entries under a folder, one JSON file per key, written atomically."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder or cache_dir()

    def get(self, key: str) -> CachedValidation | None:
        """Return the entry for ``key``, or ``None`` when there is none usable."""
        if self.folder is None:
            return None
        path = self.folder / f"{key}.json"
        try:
            data = parse_json(read_text(path, "validation cache entry"), str(path))
            return _entry(data, key)
        except (InputError, KeyError, TypeError, ValueError):
            return None

    def put(self, key: str, found: CachedValidation) -> None:
        """Store ``found`` under ``key`` (nothing, when there is no cache folder).

        The two mappings are written a slice at a time: built as one text, the entry of a
        100,000-vignette corpus (28 MB) and the encoder's pieces of it held a first run's
        peak at 303-305 MiB; sliced, it is 280-281 MiB.
        """
        if self.folder is None:
            return
        from backtriage.harness.safe_json import dumps_safe

        head = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "key": key,
            "problems": [_problem_dict(p) for p in found.problems],
            "rejected": sorted(found.rejected),
        }
        with contextlib.suppress(OSError), open_atomic(self.folder / f"{key}.json") as fh:
            # A folder that cannot be written costs the reuse only.
            fh.write(dumps_safe(head, compact=True).value[:-1])  # the object left open
            for name, mapping in (("content_hashes", found.content_hashes), ("ids", found.ids)):
                fh.write(f',"{name}":{{')
                items = list(mapping.items())
                for start in range(0, len(items), _WRITTEN_TOGETHER):
                    part = dict(items[start:start + _WRITTEN_TOGETHER])
                    fh.write(("," if start else "") + dumps_safe(part, compact=True).value[1:-1])
                fh.write("}")
            fh.write("}")


def _problem_dict(problem: Problem) -> dict[str, Any]:
    return {"file": problem.file, "pointer": problem.pointer, "message": problem.message,
            "severity": problem.severity, "vignette_id": problem.vignette_id}


def _entry(data: Any, key: str) -> CachedValidation:
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("key") != key \
            or data.get("format_version") != FORMAT_VERSION:
        raise ValueError("not an entry for this key")
    problems = []
    for item in data["problems"]:
        if item["severity"] not in _SEVERITIES:
            raise ValueError("unknown severity")
        vid = item["vignette_id"]
        problems.append(Problem(str(item["file"]), str(item["pointer"]), str(item["message"]),
                                item["severity"], None if vid is None else str(vid)))
    hashes, ids = data["content_hashes"], data["ids"]
    for mapping in (hashes, ids):
        if not isinstance(mapping, dict) or not all(isinstance(v, str) for v in mapping.values()):
            raise ValueError("content hashes and ids must be strings")
    if ids.keys() != hashes.keys():
        raise ValueError("every accepted file has a content hash and an id")
    return CachedValidation(tuple(problems), frozenset(map(str, data["rejected"])), hashes, ids)
