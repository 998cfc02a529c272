"""Re-reading accepted JSON: the C parser alone gives what the strict reader gave.

A run on an unchanged corpus parses each file with :func:`parse_accepted_json`, because its
bytes are those :func:`parse_json` accepted when the corpus was checked. That is only sound if,
for every text the strict reader accepts, the two return the same data, types included.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backtriage.harness.loading.jsonfile import parse_accepted_json, parse_json
from backtriage.harness.loading.problems import InputError

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


def typed(value: Any) -> Any:
    """The value with every scalar's type beside it (True == 1 and 1 == 1.0 in Python)."""
    if isinstance(value, dict):
        return ("dict", tuple((k, typed(v)) for k, v in value.items()))
    if isinstance(value, list):
        return ("list", tuple(typed(v) for v in value))
    return (type(value).__name__, repr(value))


@given(JSON_VALUES, st.booleans())
def test_text_the_strict_reader_accepts_reads_back_the_same_without_it(
    value: Any, ascii_only: bool
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=1)
    try:
        strict = parse_json(text, "t.json")
    except InputError:
        return  # refused: the accepted-text reader is never used on it
    assert typed(parse_accepted_json(text, "t.json")) == typed(strict)


def test_text_that_is_not_json_after_all_is_named_as_the_strict_reader_names_it() -> None:
    with pytest.raises(InputError) as raised:
        parse_accepted_json('{"id": ', "v.json")
    assert raised.value.problems[0].file == "v.json"
    assert "not valid JSON" in raised.value.problems[0].message
