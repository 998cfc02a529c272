"""The one strict JSON reader: every JSON file of the project is parsed here.

Vignettes, the bibliography, results files, journals, cache entries and bundled schemas all
come through :func:`parse_json`, which refuses what Python's ``json`` silently accepts: a key
given twice (the second value would replace the first, relabelling a vignette), ``NaN`` and
``Infinity``, number literals longer than :data:`MAX_NUMBER_CHARS` (a 5000-digit integer
would hit Python's int-str limit), lone surrogates, and nesting deeper than the
:mod:`tree_check` bound. Files are read by :mod:`textfile`: regular files only, UTF-8 checked.
Every failure is an :class:`InputError` naming the file and the field (exit 2).
"""

from __future__ import annotations

import json
import math
import re
from functools import partial
from pathlib import Path
from typing import Any

from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.loading.textfile import read_text
from backtriage.harness.loading.tree_check import MAX_DEPTH, DuplicateKeys, tree_problems

MAX_NUMBER_CHARS = 100
"""Longest number literal accepted; no legitimate value comes close."""
_LONG_NUMBER = re.compile(rf"-?[0-9][0-9.eE+-]{{{MAX_NUMBER_CHARS},}}")


class _NumberError(ValueError):
    """A number literal the reader refuses (too long, or not finite)."""


def _pairs(marks: list[str], pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    fast = dict(pairs)
    if len(fast) == len(pairs):  # no key given twice: the usual case, built in C
        return fast
    out: dict[str, Any] = {}
    duplicates: list[str] = []
    for key, value in pairs:
        if key in out and key not in duplicates:
            duplicates.append(key)
        out[key] = value
    if not duplicates:
        return out
    marks.extend(duplicates)
    marked = DuplicateKeys(out)
    marked.duplicates = duplicates
    return marked


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _NumberError(f"a number of {len(text)} digits (at most {MAX_NUMBER_CHARS})")
    return int(text)


def _float(text: str) -> float:
    if len(text) > MAX_NUMBER_CHARS:
        raise _NumberError(f"a number of {len(text)} characters (at most {MAX_NUMBER_CHARS})")
    value = float(text)
    if not math.isfinite(value):
        raise _NumberError(f"number {text} is out of range (not a finite number)")
    return value


def _constant(name: str) -> None:
    raise _NumberError(f"{name} is not a JSON number (strict JSON has no NaN or Infinity)")


def parse_json(text: str, source: str, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``text`` as strict JSON; ``source`` names it in errors (a path, "line 3 of ...").

    Raises:
        InputError: naming ``source`` and, where it can, the line or the field.
    """
    duplicates: list[str] = []
    try:
        data = json.loads(text, object_pairs_hook=partial(_pairs, duplicates), parse_int=_int,
                          parse_float=_float,
                          parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError([Problem(source, "", f"not valid JSON: {exc.msg} at line {exc.lineno}, "
                                  f"column {exc.colno}")]) from None
    except _NumberError as exc:
        raise InputError([Problem(source, "", f"not valid JSON: {exc}{_where_long(text)}")]
                         ) from None
    except RecursionError:
        raise InputError([Problem(source, "", f"not valid JSON: nested deeper than {max_depth} "
                                  "levels")]) from None
    except ValueError as exc:  # any other number the int/float conversion refuses
        raise InputError([Problem(source, "", f"not valid JSON: {str(exc)[:200]}")]) from None
    if not duplicates and _plainly_fit(text, max_depth):
        return data
    problems = tree_problems(data, source, max_depth)
    if problems:
        raise InputError(problems)
    return data


def parse_accepted_json(text: str, source: str) -> Any:
    """Parse text whose exact bytes :func:`parse_json` has already accepted.

    :func:`parse_json` only refuses; what it accepts, it returns as Python's own parser would.
    So text it accepted before (the validation cache proves it: the bytes have the SHA-256 of
    the bytes it checked) is parsed by the C parser alone, at half the cost. Should the text
    fail even so, :func:`parse_json` parses it again and names the error.

    Raises:
        InputError: as :func:`parse_json`, if the text is not what was accepted after all.
    """
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return parse_json(text, source)


def _plainly_fit(text: str, max_depth: int) -> bool:
    r"""True when the text alone shows :func:`tree_problems` has nothing to find.

    Of what that walk refuses, JSON text can hold only three: a key given twice (the parse
    records it), a lone surrogate (only as a ``\uD800``-``\uDFFF`` escape, so the text holds
    ``\ud`` or ``\uD``), and nesting deeper than ``max_depth`` (impossible with fewer
    brackets than that). Keys are always text and numbers are checked as they are parsed. The
    walk costs more than the parse itself, so most files skip it.
    """
    return not ("\\ud" in text or "\\uD" in text
                or text.count("{") + text.count("[") >= max_depth)


def load_json(path: Path, what: str = "file") -> Any:
    """Read and strictly parse the JSON file ``path``.

    Raises:
        InputError: if the file cannot be read, is not a regular UTF-8 file, or is not
            strict JSON (see :func:`parse_json`).
    """
    return parse_json(read_text(path, what), str(path))


def read_json(path: Path) -> tuple[Any, Problem | None]:
    """Read a JSON file; return ``(data, None)`` or ``(None, first problem)``."""
    try:
        return load_json(path), None
    except InputError as exc:
        return None, exc.problems[0]


def _where_long(text: str) -> str:
    match = _LONG_NUMBER.search(text)
    if match is None:
        return ""
    line = text.count("\n", 0, match.start()) + 1
    column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
    return f" at line {line}, column {column}"
