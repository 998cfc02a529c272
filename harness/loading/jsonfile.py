"""Reading JSON files so that malformed input becomes a problem, not a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backtriage.harness.loading.problems import Problem


def read_json(path: Path) -> tuple[Any, Problem | None]:
    """Read a JSON file; return ``(data, None)`` or ``(None, problem)``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return None, Problem(str(path), "", f"cannot read file: {exc.strerror or exc}")
    except UnicodeDecodeError as exc:
        return None, Problem(str(path), "", f"not UTF-8 text: {exc.reason}")
    try:
        return json.loads(text), None
    except json.JSONDecodeError as exc:
        return None, Problem(
            str(path), "", f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        )
