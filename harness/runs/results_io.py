"""Writing and reading results files; writes are atomic so a crash never leaves half a file."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from backtriage.harness.atomic_files import open_atomic, write_text_atomic
from backtriage.harness.loading.jsonfile import load_json
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.loading.schema_check import schema_problems
from backtriage.harness.runs.mapped import Mapped
from backtriage.harness.safe_json import (
    REPLACEMENTS_KEY,
    SafeJson,
    dumps_recorded,
    dumps_safe,
    json_safe,
    recorded,
)
from backtriage.scoring.metrics import FLAT_METRICS

RESULTS_NAME = "results.json"
JSONL_NAME = "results.jsonl"


def write_json_atomic(path: Path, data: Any, indent: int | None = 2) -> None:
    """Write strict JSON to ``path`` atomically, with the permissions the umask grants.

    The text comes from the one JSON-safe serialiser (:mod:`backtriage.harness.safe_json`), so
    nothing a system returned can make the write fail or the file non-strict; a mapping records
    what was replaced under ``json_replacements``.
    """
    write_text_atomic(path, dumps_recorded(data, indent=indent) + "\n")


def safe_document(document: dict[str, Any]) -> dict[str, Any]:
    """Return the results document as written: strict JSON data, replacements recorded.

    Reports (JUnit, Markdown) render this, not the raw document, so they show what the file
    holds. The vignette entries are made safe as they are read, never copied all at once.
    """
    head: dict[str, Any] = recorded({k: v for k, v in document.items() if k != "vignettes"})
    return {**head, "vignettes": SafeEntries(document.get("vignettes", ()))}


class SafeEntries(Mapped[dict[str, Any], dict[str, Any]]):
    """Vignette entries made strict JSON data one at a time (see :func:`safe_document`).

    ``source`` holds the entries as built, which :func:`write_results` cleans itself so that
    it can list what it replaced.
    """

    def __init__(self, entries: Sequence[dict[str, Any]]):
        super().__init__(entries.source if isinstance(entries, SafeEntries) else entries,
                         _safe_entry)


def _safe_entry(entry: dict[str, Any]) -> dict[str, Any]:
    safe: dict[str, Any] = json_safe(entry).value
    return safe


def write_results(output_dir: str | Path, document: dict[str, Any], jsonl: bool = False) -> Path:
    """Write ``results.json``, streaming one vignette entry per line; optionally JSON Lines too.

    The document's fields are checked against the results schema first (with no vignettes);
    the entries are then serialised one at a time, so a run of any size is never held as text
    in memory. Values that are not strict JSON are replaced and listed under
    ``json_replacements`` (see :mod:`backtriage.harness.safe_json`). With ``jsonl``,
    ``results.jsonl`` beside it holds the same entries, one per line, for tools that stream.

    Raises:
        InputError: if the document breaks the schema (a harness bug: exit 3 upstream).
    """
    path = Path(output_dir) / RESULTS_NAME
    raw_head = {k: v for k, v in document.items() if k != "vignettes"}
    head = json_safe(raw_head)
    notes = [*_earlier_notes(raw_head), *(r.to_dict() for r in head.replacements)]
    fields = {k: v for k, v in head.value.items() if k != REPLACEMENTS_KEY}
    problems = schema_problems("results", {**fields, "vignettes": []}, str(path))
    if problems:
        raise InputError(problems)
    entries = document.get("vignettes", ())
    if isinstance(entries, SafeEntries):
        entries = entries.source  # cleaned here, so the replacements are found and listed
    with ExitStack() as stack:
        out = stack.enter_context(open_atomic(path))
        lines = stack.enter_context(open_atomic(path.with_name(JSONL_NAME))) if jsonl else None
        text = json.dumps(fields, indent=2, ensure_ascii=False, allow_nan=False)
        out.write(text[: text.rindex("}")].rstrip() + ',\n  "vignettes": [')
        for i, safe in enumerate(_serialized(entries)):
            notes.extend({"pointer": f"/vignettes/{i}{r.pointer.rstrip('/')}",
                          "replaced": r.replaced} for r in safe.replacements)
            out.write(("\n    " if i == 0 else ",\n    ") + safe.value)
            if lines is not None:
                lines.write(safe.value + "\n")
        out.write("\n  ]" if entries else "]")
        if notes:
            out.write(f',\n  "{REPLACEMENTS_KEY}": ' + json.dumps(notes, ensure_ascii=False))
        out.write("\n}\n")
    return path


@runtime_checkable
class Serialises(Protocol):
    """Entries that can give their strict JSON text themselves (some made ahead of time)."""

    def serialized(self) -> Iterator[SafeJson]:
        """Each entry's text, in order, as :func:`dumps_safe` gives it."""
        ...


def _serialized(entries: Sequence[dict[str, Any]]) -> Iterator[SafeJson]:
    """The entries as compact strict JSON, one at a time."""
    if isinstance(entries, Serialises):
        return entries.serialized()
    return (dumps_safe(entry, compact=True) for entry in entries)


def _earlier_notes(head: dict[str, Any]) -> list[dict[str, Any]]:
    """Replacements the document already recorded (it was made safe before)."""
    earlier = head.get(REPLACEMENTS_KEY)
    return [n for n in earlier if isinstance(n, dict)] if isinstance(earlier, list) else []


def _duplicate_ids(document: dict[str, Any], file: str) -> list[Problem]:
    """A vignette listed twice would count twice in every comparison and merge."""
    first: dict[str, int] = {}
    problems = []
    for i, vignette in enumerate(document["vignettes"]):
        vid = vignette["id"]
        if vid in first:
            problems.append(Problem(file, f"/vignettes/{i}/id", f"vignette {vid!r} appears "
                                    f"twice (also at /vignettes/{first[vid]})"))
        first.setdefault(vid, i)
    return problems


def _metric_problems(document: dict[str, Any], file: str) -> list[Problem]:
    """Every flat metric a number or null (the schema types only the required ones)."""
    blocks = [("/metrics", document["metrics"])] + [
        (f"/metrics_by_status/{scope}", block)
        for scope, block in document["metrics_by_status"].items()
    ]
    problems = []
    for pointer, block in blocks:
        if not isinstance(block, dict):
            problems.append(Problem(file, pointer, "metrics must be an object"))
            continue
        for name in FLAT_METRICS:
            value = block.get(name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if value is not None and not number:
                problems.append(Problem(file, f"{pointer}/{name}", "a metric is a number or "
                                        f"null, got {type(value).__name__}"))
    return problems


def read_results(path: str | Path) -> dict[str, Any]:
    """Read a results file (or the ``results.json`` in a folder) and validate it.

    Raises:
        InputError: naming the file and field of every problem.
    """
    file = Path(path)
    if file.is_dir():
        file = file / RESULTS_NAME
    data = load_json(file, "results file")
    problems = schema_problems("results", data, str(file)) or [
        *_duplicate_ids(data, str(file)), *_metric_problems(data, str(file))
    ]
    if problems:
        raise InputError(problems)
    result: dict[str, Any] = data
    return result
