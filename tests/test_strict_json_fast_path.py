"""The strict reader's fast path refuses exactly what the full tree walk refuses."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from backtriage.harness.loading import jsonfile
from backtriage.harness.loading.problems import InputError
from backtriage.harness.loading.tree_check import tree_problems

_LEAVES = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(
    allow_nan=False, allow_infinity=False) | st.text(max_size=8)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner,
                                                                max_size=4),
    max_leaves=30,
)


def _walked(text: str) -> list[Any]:
    """The reader without its fast path: parse, then always walk the tree."""
    data = json.loads(text, object_pairs_hook=partial(jsonfile._pairs, []),
                      parse_int=jsonfile._int, parse_float=jsonfile._float,
                      parse_constant=jsonfile._constant)
    return tree_problems(data, "s")


def _text(value: Any, duplicate: bool, surrogate: bool, depth: int) -> str:
    text = json.dumps(value)
    if duplicate:
        text = '{"k": 1, "k": ' + text + "}"
    if surrogate:
        text = '["\\ud83d", ' + text + "]"
    return "[" * depth + text + "]" * depth


@given(_VALUES, st.booleans(), st.booleans(), st.integers(0, 110))
def test_the_reader_accepts_a_text_exactly_when_the_tree_walk_finds_nothing(
    value: Any, duplicate: bool, surrogate: bool, depth: int
) -> None:
    text = _text(value, duplicate, surrogate, depth)
    expected = _walked(text)
    try:
        jsonfile.parse_json(text, "s")
        found: list[Any] = []
    except InputError as exc:
        found = list(exc.problems)
    assert found == expected


_ODD = st.sampled_from([float("nan"), float("inf"), {1, 2}, b"\xff", "\ud800", 10**70,
                        frozenset(), object()])
_ANY = st.recursive(
    _LEAVES | _ODD,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(st.text(max_size=4) | st.integers(0, 3) | st.just("\udc00"), inner,
                      max_size=4),
    max_leaves=30,
)


@given(_ANY, st.booleans())
def test_the_writer_writes_what_the_full_cleaning_writes_whatever_the_value(
    value: Any, compact: bool
) -> None:
    from backtriage.harness.safe_json import dumps_safe, json_safe

    cleaned = json_safe(value)
    separators = (",", ":") if compact else None
    expected = json.dumps(cleaned.value, ensure_ascii=False, allow_nan=False,
                          separators=separators)
    written = dumps_safe(value, compact=compact)
    assert (written.value, written.replacements) == (expected, cleaned.replacements)


def _levels(value: Any) -> int:
    """How many containers deep ``value`` goes (0 for a scalar)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return 1 + max(map(_levels, value), default=0)
    return 0


def _nested(value: Any, depth: int) -> Any:
    for _ in range(depth):
        value = [value]
    return value


@given(_ANY, st.integers(0, 110), st.booleans())
def test_a_value_is_called_plain_only_when_cleaning_it_would_change_nothing(
    value: Any, depth: int, tuples: bool
) -> None:
    from backtriage.harness.safe_json import _clean, _plain

    value = _nested(value, depth)
    found: list[Any] = []
    cleaned = _clean(value, "", 0, found, set())
    if _plain(value, tuples):
        assert found == []
        assert json.dumps(cleaned) == json.dumps(value)
        if not tuples:
            assert cleaned == value  # no tuple either: the value is its own clean copy


@given(_VALUES, st.integers(0, 110), st.booleans())
def test_json_data_is_plain_exactly_when_it_nests_no_deeper_than_the_limit(
    value: Any, depth: int, tuples: bool
) -> None:
    from backtriage.harness.safe_json import MAX_DEPTH, _plain

    value = _nested(value, depth)
    assert _plain(value, tuples) == (_levels(value) <= MAX_DEPTH)
