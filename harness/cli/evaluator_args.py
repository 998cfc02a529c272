"""The run command's evaluator flags: ``--select``, ``--limit``, ``--label`` and ``-M``.

Each follows the one precedence rule, CLI flag > config file > default: ``--select`` and
``--limit`` replace the config file's ``select`` and ``limit``; ``--label`` its ``label``; each
``-M KEY=VALUE`` replaces that key of the config file's ``adapter:`` mapping, which replaces the
adapter's default.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Mapping
from typing import Any

from backtriage.harness.cli.config import setting
from backtriage.harness.loading.problems import InputError, Problem

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_-]*)?$")
_NO_SETTINGS = ("reference", "baseline:", "python:")
"""System kinds that take no adapter settings: a model setting for them is a mistake."""
_ENGINE_KEYS = {"timeout": "--timeout"}
"""Settings the engine owns; a flag of its own sets them, so the two cannot disagree."""
MAX_LABEL = 100


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the evaluator flags to the run command."""
    g = p.add_argument_group("evaluation")
    g.add_argument(
        "--select", action="append", metavar="TERM",
        help="run only some vignettes (repeatable): an id or glob such as 'ces-*', or "
             "condition=, urgency=, register= or status= with comma-separated values; terms of "
             "one kind are alternatives, kinds combine (docs/cli.md)",
    )
    g.add_argument("--limit", type=int, metavar="N",
                   help="run only the first N vignettes (in id order) of the selection")
    g.add_argument("--label", metavar="NAME",
                   help="a name for this run, recorded in results.json and shown by compare "
                        "and the reports (e.g. gpt-4o-t0.7)")
    g.add_argument(
        "-M", "--model-setting", dest="model_settings", action="append", metavar="KEY=VALUE",
        help="an adapter setting for an LLM system, e.g. -M temperature=0.7 -M max_tokens=512 "
             "-M seed=7 -M params.top_k=40; VALUE is read as JSON (numbers, true, null, "
             "[...]) and otherwise as text; overrides the config file's adapter: mapping",
    )


def selection_request(
    args: argparse.Namespace, config: Mapping[str, Any]
) -> tuple[list[str], int | None]:
    """The ``--select`` terms and ``--limit`` (CLI > config > none).

    Raises:
        InputError: for a config ``select`` that is not a list of text.
    """
    terms = setting("select", args.select, config, [])
    if isinstance(terms, str):
        terms = [terms]
    if not isinstance(terms, list) or not all(isinstance(t, str) for t in terms):
        raise InputError([Problem("select", "", "a list of terms such as 'ces-*' or "
                                                "'urgency=emergency'")])
    limit = setting("limit", args.limit, config, None)
    return terms, limit


def run_label(args: argparse.Namespace, config: Mapping[str, Any]) -> str | None:
    """The run's label (CLI > config > none).

    Raises:
        InputError: for an empty label, one with a line break, or one over 100 characters.
    """
    label = setting("label", args.label, config, None)
    if label is None:
        return None
    text = str(label).strip()
    if not text or "\n" in text or "\r" in text or len(text) > MAX_LABEL:
        raise InputError([Problem("--label", "", f"must be one line of 1 to {MAX_LABEL} "
                                                 f"characters, got {label!r}")])
    return text


def parse_value(text: str) -> Any:
    """Read a setting's value: JSON when it parses (``0.7``, ``512``, ``true``), else text."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def model_settings(args: argparse.Namespace, spec: str) -> dict[str, Any]:
    """The ``-M KEY=VALUE`` settings as a mapping (``params.top_k`` nests under ``params``).

    Raises:
        InputError: for a malformed item, an engine-owned key, or a system kind that takes no
            settings.
    """
    items = getattr(args, "model_settings", None) or []
    if not items:
        return {}
    if spec == "reference" or spec.startswith(_NO_SETTINGS):
        raise InputError([Problem("-M", "", f"{spec} takes no model settings; -M is for "
                                            "adapter systems such as openai:MODEL")])
    out: dict[str, Any] = {}
    problems = []
    for item in items:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not _KEY.match(key):
            problems.append(Problem("-M", "", f"expected KEY=VALUE such as temperature=0.7, "
                                              f"got {item!r}"))
            continue
        if key in _ENGINE_KEYS:
            problems.append(Problem("-M", "", f"set {key} with {_ENGINE_KEYS[key]}, which the "
                                              "engine and the adapter share"))
            continue
        value = parse_value(raw.strip())
        if "." in key:
            outer, inner = key.split(".", 1)
            nested = out.setdefault(outer, {})
            if not isinstance(nested, dict):
                problems.append(Problem("-M", "", f"{outer} is set as a value and as a mapping"))
                continue
            nested[inner] = value
        else:
            out[key] = value
    if problems:
        raise InputError(problems)
    return out


def merge_settings(settings: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` with ``overrides`` on top; a mapping (``params``) is merged key by key."""
    out = dict(settings)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), Mapping):
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out
