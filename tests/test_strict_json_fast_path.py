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
