"""Settings: CLI flag > config file > default, the one precedence rule everywhere."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from backtriage.harness.cli.setting_ranges import RANGES
from backtriage.harness.loading.numbers import Range, number_problem
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.loading.yamlfile import load_yaml

CONFIG_KEYS: dict[str, type | tuple[type, ...]] = {
    "system": str,
    "corpus": list,
    "policy": str,
    "output": str,
    "concurrency": int,
    "epochs": int,
    "timeout": (int, float),
    "retries": int,
    "retry_backoff": (int, float),
    "max_total_seconds": (int, float),
    "isolate": bool,
    "cache": str,
    "resume": bool,
    "progress": bool,
    "adapter": dict,
    "select": list,
    "limit": int,
    "label": str,
    "answer_format": str,
    "extractor": str,
    "subset": bool,
    "revalidate": bool,
    "jsonl": bool,
}
"""Keys a config file may hold, with their types; ``adapter`` holds adapter settings."""

ADAPTER_PATH_KEYS = ("prompt_template", "stderr_log", "cwd")
"""Adapter settings that are paths, read relative to the config file like the others."""


def load_config(path: str | None) -> dict[str, Any]:
    """Load a YAML config file; an absent path means an empty config.

    Raises:
        InputError: naming the file and key of every problem.
    """
    if not path:
        return {}
    file = Path(path)
    data = load_yaml(file, "config") or {}
    if not isinstance(data, dict):
        raise InputError([Problem(str(file), "", "a config file is a mapping of settings")])
    problems = []
    for key, value in data.items():
        if key not in CONFIG_KEYS:
            known = ", ".join(sorted(CONFIG_KEYS))
            problems.append(Problem(str(file), f"/{key}", f"unknown setting; known: {known}"))
            continue
        if key in ("corpus", "select") and isinstance(value, str):
            data[key] = value = [value]
        expected = CONFIG_KEYS[key]
        if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
            problems.append(Problem(str(file), f"/{key}", f"wrong type {type(value).__name__}"))
    if problems:
        raise InputError(problems)
    problems = _value_problems(data, str(file))
    if problems:
        raise InputError(problems)
    base = file.parent
    # Paths in a config file are relative to the file, not to wherever the command runs.
    for key in ("policy", "output", "cache"):
        if key in data:
            data[key] = str((base / data[key]) if not Path(data[key]).is_absolute() else data[key])
    if "corpus" in data:
        data["corpus"] = [str(base / p) if not Path(p).is_absolute() else p for p in data["corpus"]]
    adapter = data.get("adapter", {})
    for key in ADAPTER_PATH_KEYS:
        if isinstance(adapter.get(key), str) and not Path(adapter[key]).is_absolute():
            adapter[key] = str(base / adapter[key])
    return data


def _value_problems(data: Mapping[str, Any], file: str) -> list[Problem]:
    """Checks beyond the type: numbers finite and in range, corpus entries text."""
    checks: list[tuple[str, Any, Range]] = [
        (f"/{key}", data.get(key), allowed) for key, allowed in RANGES.items()
    ]
    # The adapter's timeout stands in for --timeout when neither flag nor setting gives one.
    checks.append(("/adapter/timeout", data.get("adapter", {}).get("timeout"), RANGES["timeout"]))
    problems = []
    for pointer, value, allowed in checks:
        message = None if value is None else number_problem(value, allowed)
        if message:
            problems.append(Problem(file, pointer, message))
    for i, entry in enumerate(data.get("corpus", [])):
        if not isinstance(entry, str) or not entry:
            problems.append(Problem(file, f"/corpus/{i}", "a corpus entry is a folder or file "
                                    f"path (text), got {type(entry).__name__}"))
    for key in ("system", "policy", "output", "cache"):
        if key in data and not data[key]:
            problems.append(Problem(file, f"/{key}", "must not be empty"))
    return problems


def setting(name: str, cli_value: Any, config: Mapping[str, Any], default: Any) -> Any:
    """Return the CLI value if given, else the config file's, else the default."""
    if cli_value is not None:
        return cli_value
    if name in config:
        return config[name]
    return default
