"""The one JSON-safe serialiser behind every file the harness writes.

Systems hand back whatever they like (a ``set`` in reply metadata, ``NaN`` in a server's usage
figures, a lone surrogate in a reply); none of it may crash a run half-way or leave a file that
is not strict JSON. :func:`json_safe` turns any value into plain JSON data deterministically and
lists every change it made, so a writer can record them (``json_replacements``):

* ``NaN`` and infinities become ``null``;
* a string holding a lone surrogate (unencodable in UTF-8) gets U+FFFD in its place;
* sets become sorted lists, tuples lists, bytes UTF-8 text (undecodable bytes as U+FFFD);
* an integer too long to read back (more than :data:`MAX_INT_DIGITS` digits) becomes ``null``;
* a mapping key that is not text becomes its JSON text (``1`` -> ``"1"``), as ``json`` does;
* anything else (an object, a cycle, nesting deeper than :data:`MAX_DEPTH`) is replaced by a
  short description or ``null``; the value is never silently passed through.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

MAX_DEPTH = 100
"""Deepest nesting written; the strict reader refuses anything deeper, so what we write we read."""
MAX_INT_DIGITS = 60
"""Longest integer written, in digits; the strict reader refuses longer number literals."""
_SURROGATE = re.compile("[\ud800-\udfff]")
_MAX_REPR = 200
REPLACEMENTS_KEY = "json_replacements"
"""Key under which a writer records what :func:`json_safe` changed."""


@dataclass(frozen=True)
class Replacement:
    """One value changed to make a document strict JSON.

    Attributes:
        pointer: JSON pointer of the value in the written document.
        replaced: what it was and what it became, in words.
    """

    pointer: str
    replaced: str

    def to_dict(self) -> dict[str, str]:
        """Return the JSON form."""
        return {"pointer": self.pointer, "replaced": self.replaced}


@dataclass(frozen=True)
class SafeJson:
    """A value made strict-JSON-safe and the replacements that took."""

    value: Any
    replacements: tuple[Replacement, ...]


def json_safe(value: Any) -> SafeJson:
    """Return ``value`` as plain JSON data (dict, list, str, int, float, bool, None).

    Never raises for any input: what cannot be represented is replaced and listed. A value that
    is plain JSON data already is returned itself; anything else is a new copy.
    """
    if _plain(value, tuples=False):
        return SafeJson(value, ())  # already plain JSON data: returned as it is, not copied
    found: list[Replacement] = []
    clean = _clean(value, "", 0, found, set())
    return SafeJson(clean, tuple(found))


def dumps_safe(value: Any, *, indent: int | None = None, compact: bool = False) -> SafeJson:
    """Serialise ``value`` as strict JSON text (``SafeJson.value`` is the text)."""
    if _plain(value):
        # Nothing to replace: the usual case, written without first copying the whole value.
        return SafeJson(_dumps(value, indent, compact), ())
    safe = json_safe(value)
    return SafeJson(_dumps(safe.value, indent, compact), safe.replacements)


def dumps_recorded(value: Any, *, indent: int | None = None, compact: bool = False) -> str:
    """The text of :func:`recorded` ``(value)``, looking at ``value`` once when it is plain.

    Equal to ``dumps_safe(recorded(value), ...).value``, which walks a plain value twice.
    """
    if _plain(value):
        return _dumps(value, indent, compact)
    return _dumps(recorded(value), indent, compact)  # recorded() returns plain data


def plain_text(value: Any, *, compact: bool = False) -> str | None:
    """The strict JSON text of ``value`` if nothing in it needs replacing, else ``None``.

    When it is text, it is :func:`dumps_safe` ``(value).value`` and :func:`dumps_recorded`
    ``(value)`` both.
    """
    return _dumps(value, None, compact) if _plain(value) else None


def _dumps(value: Any, indent: int | None, compact: bool) -> str:
    return _encoder(indent, compact).encode(value)


@cache
def _encoder(indent: int | None, compact: bool) -> json.JSONEncoder:
    """One encoder per layout: ``json.dumps`` with options builds a new one for every call.

    An encoder keeps no state between calls, so one serves every thread.
    """
    separators = (",", ":") if compact else None
    return json.JSONEncoder(
        indent=indent, ensure_ascii=False, allow_nan=False, separators=separators
    )


def _plain(value: Any, tuples: bool = True) -> bool:
    """True when :func:`json_safe` would change nothing and ``json`` writes ``value`` as is.

    Plain data only: dicts with text keys, lists and (if ``tuples``) tuples, which ``json``
    writes as lists as :func:`json_safe` would make them; text
    without lone surrogates, finite floats, integers short enough to read back, booleans and
    None, nested at most :data:`MAX_DEPTH` deep (which also stops at a cycle).
    """
    kind = type(value)
    if kind is not dict and kind is not list and not (tuples and kind is tuple):
        return _plain_scalar(value, kind)
    # Only containers go on the stack; scalars are checked where they are found (pushing
    # every leaf cost a third of the walk, and the walk costs as much as the write).
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return False
        if type(item) is dict:
            for key in item:
                if type(key) is not str or (not key.isascii() and _SURROGATE.search(key)):
                    return False
            children = item.values()
        else:
            children = item
        for child in children:
            kind = type(child)
            if kind is str:
                if not child.isascii() and _SURROGATE.search(child) is not None:
                    return False
            elif kind is dict or kind is list or (tuples and kind is tuple):
                stack.append((child, depth + 1))
            elif not _plain_scalar(child, kind):
                return False
    return True


def _plain_scalar(item: Any, kind: type) -> bool:
    """:func:`_plain` for a value that is not a container."""
    if kind is str:
        return item.isascii() or _SURROGATE.search(item) is None
    if kind is int:
        return bool(item.bit_length() <= MAX_INT_DIGITS * 3)  # item is Any: bool() for mypy
    if kind is float:
        return math.isfinite(item)
    return item is None or kind is bool


def recorded(value: Any) -> Any:
    """Return ``value`` made safe, a mapping with its replacements listed.

    The list goes under :data:`REPLACEMENTS_KEY`, after any the mapping already recorded.
    """
    safe = json_safe(value)
    if not safe.replacements or not isinstance(safe.value, dict):
        return safe.value
    earlier = safe.value.get(REPLACEMENTS_KEY)
    notes = list(earlier) if isinstance(earlier, list) else []
    notes.extend(r.to_dict() for r in safe.replacements)
    return {**safe.value, REPLACEMENTS_KEY: notes}


def safe_text(text: str) -> str:
    """Return ``text`` with every lone surrogate replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def _note(found: list[Replacement], pointer: str, what: str) -> None:
    found.append(Replacement(pointer or "/", what))


def _clean(value: Any, pointer: str, depth: int, found: list[Replacement], active: set[int]) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return _clean_str(value, pointer, found)
    if isinstance(value, int):
        return _clean_int(value, pointer, found)
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        _note(found, pointer, f"{value!r} replaced by null (not a JSON number)")
        return None
    if depth >= MAX_DEPTH:
        _note(found, pointer, f"nesting deeper than {MAX_DEPTH} levels replaced by null")
        return None
    if id(value) in active:
        _note(found, pointer, "circular reference replaced by null")
        return None
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        active.add(id(value))
        try:
            return _clean_container(value, pointer, depth, found, active)
        finally:
            active.discard(id(value))
    if isinstance(value, bytes | bytearray):
        text = bytes(value).decode("utf-8", errors="replace")
        _note(found, pointer, f"{type(value).__name__} written as UTF-8 text")
        return text
    described = _short_repr(value)
    _note(found, pointer, f"{type(value).__name__} written as its description (not JSON data)")
    return described


def _clean_container(
    value: Any, pointer: str, depth: int, found: list[Replacement], active: set[int]
) -> Any:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            name = _key_text(key, pointer, found)
            if name in out:
                _note(found, f"{pointer}/{_escape(name)}", "second value for one key dropped")
                continue
            out[name] = _clean(item, f"{pointer}/{_escape(name)}", depth + 1, found, active)
        return out
    items = list(value)
    if isinstance(value, set | frozenset):
        _note(found, pointer, f"{type(value).__name__} written as a sorted list")
        items = sorted(items, key=_sort_key)
    return [
        _clean(item, f"{pointer}/{i}", depth + 1, found, active) for i, item in enumerate(items)
    ]


def _clean_str(value: str, pointer: str, found: list[Replacement]) -> str:
    if value.isascii() or _SURROGATE.search(value) is None:
        return value
    _note(found, pointer, "lone surrogate(s) replaced by U+FFFD (not encodable as UTF-8)")
    return safe_text(value)


def _clean_int(value: int, pointer: str, found: list[Replacement]) -> int | None:
    # Checked by size, not str(): str() of a huge int raises ValueError (int-str limit).
    if value.bit_length() <= MAX_INT_DIGITS * 3:  # 2**180 < 10**60: no digits counted below
        return value
    if abs(value) < 10**MAX_INT_DIGITS:
        return value
    _note(found, pointer, f"integer of more than {MAX_INT_DIGITS} digits replaced by null")
    return None


def _key_text(key: Any, pointer: str, found: list[Replacement]) -> str:
    if isinstance(key, str):
        return _clean_str(key, pointer, found)
    if key is None or isinstance(key, bool | int | float):
        safe = _clean(key, pointer, 0, found, set())
        return json.dumps(safe)
    _note(found, pointer, f"{type(key).__name__} key written as its description")
    return safe_text(_short_repr(key))


def _sort_key(item: Any) -> tuple[str, str]:
    # Mixed types cannot be compared; order by type name, then by a stable text form.
    return type(item).__name__, safe_text(_short_repr(item))


def _short_repr(value: Any) -> str:
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not break the write
        text = f"<{type(value).__name__}>"
    text = safe_text(text)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 3] + "..."


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")
