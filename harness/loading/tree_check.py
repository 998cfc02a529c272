"""Checks every parsed input tree passes, whatever its format: what JSON data may hold.

The strict readers parse with bounded depth and number size; this walk then refuses what a
parser lets through but no backtriage file may contain: a key given twice, a key that is not
text, a lone surrogate, a number that is not finite, or a value that is not JSON data (a YAML
date, set or binary). It is iterative, so no tree can exhaust the stack.
"""

from __future__ import annotations

import math
import re
from typing import Any

from backtriage.harness.loading.problems import Problem

MAX_DEPTH = 100
"""Deepest nesting accepted (vignettes need 5 levels); equal to the JSON-safe writer's bound."""
MAX_PROBLEMS = 20
"""Problems reported per file; a file with more is broken throughout."""
_SURROGATE = re.compile("[\ud800-\udfff]")


class DuplicateKeys(dict[str, Any]):
    """A mapping a reader built from text that gave some keys twice (``duplicates``)."""

    duplicates: list[str]


def pointer_join(pointer: str, key: str | int) -> str:
    """Append one step to a JSON pointer (RFC 6901 escaping)."""
    return f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"


def tree_problems(value: Any, source: str, max_depth: int = MAX_DEPTH) -> list[Problem]:
    """Return what makes ``value`` unfit as input data, each problem named by JSON pointer.

    A tree :func:`is_clean` finds clean has no problem; only the others are walked again with
    pointers, so a valid file does not pay for naming fields that have nothing to report.
    """
    if is_clean(value, max_depth):
        return []
    return walk_problems(value, source, max_depth)


def walk_problems(value: Any, source: str, max_depth: int = MAX_DEPTH) -> list[Problem]:
    """The walk of :func:`tree_problems`, without the clean-tree shortcut."""
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack and len(problems) < MAX_PROBLEMS:
        item, pointer, depth = stack.pop()
        message = _leaf_problem(item)
        if message:
            problems.append(Problem(source, pointer, message))
            continue
        if not isinstance(item, dict | list):
            continue
        if depth >= max_depth:
            problems.append(Problem(source, pointer, f"nested deeper than {max_depth} levels"))
            continue
        if isinstance(item, list):
            stack.extend((v, pointer_join(pointer, i), depth + 1) for i, v in
                         reversed(list(enumerate(item))))
            continue
        for key in getattr(item, "duplicates", ()):
            problems.append(Problem(source, pointer_join(pointer, key),
                                    f"duplicate key {_show(key)}: a second value would silently "
                                    "replace the first"))
        for key, v in reversed(list(item.items())):
            if not isinstance(key, str):
                problems.append(Problem(source, pointer, f"key {_show(key)} is not text "
                                        "(quote it)"))
            elif _SURROGATE.search(key):
                problems.append(Problem(source, pointer, "a key holds a lone surrogate "
                                        "(\\ud800-\\udfff), which is not text"))
            else:
                stack.append((v, pointer_join(pointer, key), depth + 1))
    return problems[:MAX_PROBLEMS]


def is_clean(value: Any, max_depth: int = MAX_DEPTH) -> bool:
    """Say that :func:`tree_problems` would find nothing (``False``: it may find something).

    Only exact JSON types pass (a subclass, such as a mapping that recorded duplicate keys, is
    left to the full walk); text that is all ASCII holds no surrogate.
    """
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is str:
            if not item.isascii() and _SURROGATE.search(item):
                return False
        elif kind is dict:
            if depth >= max_depth:
                return False
            for key, v in item.items():
                if type(key) is not str or (not key.isascii() and _SURROGATE.search(key)):
                    return False
                stack.append((v, depth + 1))
        elif kind is list:
            if depth >= max_depth:
                return False
            stack.extend((v, depth + 1) for v in item)
        elif kind is float:
            if not math.isfinite(item):
                return False
        elif not (item is None or kind is bool or kind is int):
            return False
    return True


def _leaf_problem(item: Any) -> str | None:
    if item is None or isinstance(item, bool | int | dict | list):
        return None
    if isinstance(item, str):
        if _SURROGATE.search(item):
            return "text holds a lone surrogate (an escape such as \\ud800 with no pair)"
        return None
    if isinstance(item, float):
        return None if math.isfinite(item) else f"{item!r} is not a finite number"
    return f"a {type(item).__name__} is not JSON data (write it as text or a number)"


def _show(key: Any) -> str:
    text = repr(key)
    return text if len(text) <= 60 else text[:57] + "..."
