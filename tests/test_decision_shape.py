"""The fast path for plainly valid decisions never accepts what the decision schema refuses."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.loading.schema_check import validator
from backtriage.harness.resources import load_schema
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.decision_shape import decision_shape, shape_of
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
    assert decision_shape() is not None


# No deadline: the first example builds the validator (a cold cache on a loaded machine).
@settings(deadline=None)
@given(st.one_of(near_decisions, valid_decisions()))
def test_fast_yes_implies_the_schema_accepts(obj: dict[Any, Any]) -> None:
    shape = decision_shape()
    assert shape is not None
    if shape.plainly_valid(obj):
        assert validator("decision").is_valid(obj)


@settings(deadline=None)
@given(valid_decisions())
def test_every_valid_decision_takes_the_fast_path(obj: dict[str, Any]) -> None:
    shape = decision_shape()
    assert shape is not None and shape.plainly_valid(obj)
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


@pytest.mark.parametrize("change", [
    lambda s: s["properties"]["rationale"].update(maxLength=10),
    lambda s: s["properties"]["suspected_conditions"].update(maxItems=2),
    lambda s: s["$defs"]["urgency"].update(pattern="^e"),
    lambda s: s.update(minProperties=5),
    lambda s: s.update(additionalProperties=True),
    lambda s: s["properties"].update(extra={"type": "integer"}),
    lambda s: s["$defs"]["topic"]["enum"].append(3),
])
def test_a_rule_not_understood_means_no_fast_path(change: Any) -> None:
    schema = copy.deepcopy(load_schema("decision"))
    change(schema)
    assert shape_of(schema) is None


def test_the_fast_path_reads_the_vocabulary_from_the_schema() -> None:
    schema = copy.deepcopy(load_schema("decision"))
    schema["$defs"]["urgency"]["enum"].remove("routine")
    shape = shape_of(schema)
    assert shape is not None
    base = {"urgency": "routine", "imaging": "none", "category": "nonspecific",
            "suspected_conditions": []}
    assert not shape.plainly_valid(base)
    assert shape.plainly_valid({**base, "urgency": "urgent"})
