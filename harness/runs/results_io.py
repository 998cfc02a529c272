"""Writing and reading results files; writes are atomic so a crash never leaves half a file."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from backtriage.harness.loading.jsonfile import read_json
from backtriage.harness.loading.problems import InputError
from backtriage.harness.loading.schema_check import schema_problems

RESULTS_NAME = "results.json"


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON to ``path`` through a temporary file and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_results(output_dir: str | Path, document: dict[str, Any]) -> Path:
    """Validate ``document`` against the results schema and write ``results.json``.

    Raises:
        InputError: if the document breaks the schema (a harness bug: exit 3 upstream).
    """
    path = Path(output_dir) / RESULTS_NAME
    problems = schema_problems("results", document, str(path))
    if problems:
        raise InputError(problems)
    write_json_atomic(path, document)
    return path


def read_results(path: str | Path) -> dict[str, Any]:
    """Read a results file (or the ``results.json`` in a folder) and validate it.

    Raises:
        InputError: naming the file and field of every problem.
    """
    file = Path(path)
    if file.is_dir():
        file = file / RESULTS_NAME
    data, problem = read_json(file)
    if problem:
        raise InputError([problem])
    problems = schema_problems("results", data, str(file))
    if problems:
        raise InputError(problems)
    result: dict[str, Any] = data
    return result
