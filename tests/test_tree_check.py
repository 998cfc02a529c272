"""The clean-tree shortcut of the strict reader's tree check agrees with its full walk."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.loading.tree_check import (
    DuplicateKeys,
    is_clean,
    tree_problems,
    walk_problems,
)

JSON_LIKE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=4)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from(["\ud800", "caf\u00e9", "x\udfff", b"raw", (1, 2), frozenset({1})]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=3) | st.integers() | st.just("\ud801"), inner,
                      max_size=3),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(JSON_LIKE, st.integers(0, 4))
def test_the_clean_tree_shortcut_says_clean_exactly_when_the_walk_finds_nothing(
    value: object, depth: int
) -> None:
    found = walk_problems(value, "f.json", depth)
    assert is_clean(value, depth) == (not found)
    assert tree_problems(value, "f.json", depth) == found


def test_a_mapping_with_duplicate_keys_is_never_clean() -> None:
    marked = DuplicateKeys({"a": 1})
    marked.duplicates = ["a"]
    assert not is_clean(marked) and tree_problems(marked, "f.json")
