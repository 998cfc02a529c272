"""Writing and reading results files; writes are atomic so a crash never leaves half a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backtriage.harness.atomic_files import write_text_atomic
from backtriage.harness.loading.jsonfile import load_json
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.loading.schema_check import schema_problems
from backtriage.harness.safe_json import dumps_safe, recorded
from backtriage.scoring.metrics import FLAT_METRICS

RESULTS_NAME = "results.json"


def write_json_atomic(path: Path, data: Any, indent: int | None = 2) -> None:
    """Write strict JSON to ``path`` atomically, with the permissions the umask grants.

    The text comes from the one JSON-safe serialiser (:mod:`backtriage.harness.safe_json`), so
    nothing a system returned can make the write fail or the file non-strict; a mapping records
    what was replaced under ``json_replacements``.
    """
    write_text_atomic(path, dumps_safe(recorded(data), indent=indent).value + "\n")


def safe_document(document: dict[str, Any]) -> dict[str, Any]:
    """Return the results document as written: strict JSON data, replacements recorded.

    Reports (JUnit, Markdown) render this, not the raw document, so they show what the file holds.
    """
    safe: dict[str, Any] = recorded(document)
    return safe


def write_results(output_dir: str | Path, document: dict[str, Any]) -> Path:
    """Validate ``document`` against the results schema and write ``results.json``.

    Raises:
        InputError: if the document breaks the schema (a harness bug: exit 3 upstream).
    """
    path = Path(output_dir) / RESULTS_NAME
    document = safe_document(document)
    problems = schema_problems("results", document, str(path))
    if problems:
        raise InputError(problems)
    write_json_atomic(path, document)
    return path


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
