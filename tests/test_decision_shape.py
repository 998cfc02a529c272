"""The fast path for plainly valid decisions never accepts what the decision schema refuses.

It is the decision schema's compiled predicate (``schema_fast``), the one fast path of every
schema; ``tests/test_schema_fast.py`` covers what it does not compile.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.loading.schema_check import fast_check, validator
from backtriage.harness.systems.decision_parsing import _plainly_valid, decision_from_obj
from backtriage.harness.systems.protocol import InvalidAnswer
from backtriage.harness.vocabulary import (
    CATEGORIES,
    CONDITIONS,
    IMAGING,
    SAFETY_NET_TOPICS,
    URGENCIES,
)

KEYS = ["urgency", "imaging", "category", "suspected_conditions", "safety_net", "questions",
        "rationale"]
WORDS = [*URGENCIES, *IMAGING, *CATEGORIES, *CONDITIONS, *SAFETY_NET_TOPICS, "", "Routine",
         "routine ", "other_thing"]
scalars = st.one_of(st.sampled_from(WORDS), st.text(max_size=5), st.integers(), st.booleans(),
                    st.none(), st.floats(allow_nan=False))
values = st.one_of(scalars, st.lists(scalars, max_size=4), st.tuples(st.sampled_from(WORDS)),
                   st.dictionaries(st.sampled_from(KEYS), scalars, max_size=2))
near_decisions = st.dictionaries(
    st.one_of(st.sampled_from(KEYS), st.sampled_from(["extra", "Urgency"])), values, max_size=8
)


def valid_decisions() -> st.SearchStrategy[dict[str, Any]]:
    """Decisions the schema accepts, optional fields present or not."""
    topics = st.lists(st.sampled_from(SAFETY_NET_TOPICS), unique=True)
    return st.fixed_dictionaries(
        {"urgency": st.sampled_from(URGENCIES), "imaging": st.sampled_from(IMAGING),
         "category": st.sampled_from(CATEGORIES),
         "suspected_conditions": st.lists(st.sampled_from(CONDITIONS), unique=True)},
        optional={"safety_net": topics, "questions": topics, "rationale": st.text(max_size=20)},
    )


def test_the_bundled_schema_has_a_fast_path() -> None:
    assert fast_check("decision") is not None


# No deadline: the first example builds the validator (a cold cache on a loaded machine).
@settings(deadline=None)
@given(st.one_of(near_decisions, valid_decisions()))
def test_fast_yes_implies_the_schema_accepts(obj: dict[Any, Any]) -> None:
    if _plainly_valid(obj):
        assert validator("decision").is_valid(obj)


@settings(deadline=None)
@given(valid_decisions())
def test_every_valid_decision_takes_the_fast_path(obj: dict[str, Any]) -> None:
    assert _plainly_valid(obj)
    assert decision_from_obj(obj).to_dict() == obj


@settings(deadline=None)
@given(valid_decisions(), st.sampled_from(KEYS), values)
def test_a_spoiled_decision_gets_the_full_validators_verdict(
    obj: dict[str, Any], key: str, value: Any
) -> None:
    obj = {**obj, key: value}
    if validator("decision").is_valid(obj):
        decision_from_obj(obj)
    else:
        with pytest.raises(InvalidAnswer, match="not a valid decision"):
            decision_from_obj(obj)
