"""The rule systems' decisions are checked field by field, never more leniently than the schema.

``decision_from_obj`` accepts a :class:`Decision` as built without writing it out and
validating it (``_valid_as_made``). These properties hold that shortcut to the schema: what
it passes, the decision schema accepts and the long way builds equal; every decision
``Decision.from_dict`` makes from a valid answer takes it.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from backtriage.harness.loading.schema_check import validator
from backtriage.harness.model import Decision
from backtriage.harness.resources import load_schema
from backtriage.harness.systems.decision_parsing import (
    _exactly_a_decision,
    _valid_as_made,
    decision_from_obj,
)
from backtriage.harness.systems.protocol import InvalidAnswer

DEFS = load_schema("decision")["$defs"]


class Word(str):
    """A ``str`` subclass: equal to a word, but not the plain text the shortcut takes."""


def word(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(DEFS[name]["enum"])


def distinct(name: str) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(word(name), unique=True, max_size=4).map(tuple)


def junk_word(name: str) -> st.SearchStrategy[Any]:
    return st.one_of(word(name).map(Word), word(name).map(str.upper), st.text(max_size=8),
                     st.integers(), st.none())


def junk_words(name: str) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(word(name), min_size=2, max_size=4).filter(lambda v: len(set(v)) < len(v))
        .map(tuple),  # a word twice
        distinct(name).map(list),  # a list, not the tuple the model makes
        st.lists(junk_word(name), min_size=1, max_size=3).map(tuple),
        st.integers(), st.text(max_size=3),
    )


VALID = st.fixed_dictionaries({
    "urgency": word("urgency"), "imaging": word("imaging"), "category": word("category"),
    "suspected_conditions": distinct("condition"),
    "rationale": st.one_of(st.none(), st.text(max_size=300)),
    "safety_net": st.one_of(st.none(), distinct("topic")),
    "questions": st.one_of(st.none(), distinct("topic")),
})
CHANGES = st.one_of(
    st.just({}),
    *(st.fixed_dictionaries({field: junk_word(field)}) for field in
      ("urgency", "imaging", "category")),
    st.fixed_dictionaries({"suspected_conditions": junk_words("condition")}),
    st.fixed_dictionaries({"safety_net": junk_words("topic")}),
    st.fixed_dictionaries({"questions": junk_words("topic")}),
    st.fixed_dictionaries({"rationale": st.integers()}),
)
DECISIONS = st.builds(lambda fields, change: Decision(**{**fields, **change}), VALID, CHANGES)
"""Valid decisions as the model makes them, and each with one field made wrong."""


def schema_accepts(d: Decision) -> bool:
    try:
        document = d.to_dict()
    except TypeError:
        return False
    return validator("decision").is_valid(document)


@given(DECISIONS)
def test_a_decision_the_shortcut_passes_is_one_the_schema_accepts(d: Decision) -> None:
    if _valid_as_made(d):
        assert schema_accepts(d)
        assert decision_from_obj(d) == Decision.from_dict(d.to_dict())


@given(DECISIONS)
def test_a_decision_the_schema_refuses_is_refused_whichever_way(d: Decision) -> None:
    if not schema_accepts(d):
        with pytest.raises((InvalidAnswer, TypeError)):
            decision_from_obj(d)


@given(st.fixed_dictionaries(
    {"urgency": st.sampled_from(DEFS["urgency"]["enum"]),
     "imaging": st.sampled_from(DEFS["imaging"]["enum"]),
     "category": st.sampled_from(DEFS["category"]["enum"]),
     "suspected_conditions": st.lists(st.sampled_from(DEFS["condition"]["enum"]),
                                      unique=True, max_size=4)},
    optional={"rationale": st.text(max_size=50),
              "safety_net": st.lists(st.sampled_from(DEFS["topic"]["enum"]), unique=True),
              "questions": st.lists(st.sampled_from(DEFS["topic"]["enum"]), unique=True)},
))
def test_every_decision_built_from_a_valid_answer_takes_the_shortcut(data: dict[str, Any]) -> None:
    assert validator("decision").is_valid(data)
    d = Decision.from_dict(data)
    assert _valid_as_made(d)
    assert decision_from_obj(d) is d


def junk_document(document: dict[str, Any], draw: st.DrawFn) -> dict[str, Any]:
    """``document`` with one thing made wrong the way a reply could be."""
    changed = dict(document)
    how = draw(st.sampled_from(["drop", "extra", "null", "tuple", "word", "number"]))
    name = draw(st.sampled_from(sorted(changed)))
    if how == "drop":
        del changed[name]
    elif how == "extra":
        changed[draw(st.sampled_from(["confidence", "Urgency", "notes"]))] = "x"
    elif how == "null":
        changed[name] = None
    elif how == "tuple" and isinstance(changed[name], list):
        changed[name] = tuple(changed[name])
    elif how == "word":
        changed[name] = draw(junk_word("urgency")) if isinstance(changed[name], str) else [
            draw(junk_word("condition"))]
    else:
        changed[name] = draw(st.integers())
    return changed


@st.composite
def documents(draw: st.DrawFn) -> dict[str, Any]:
    """A decision's JSON form, as an answer or a cached entry holds it, or one made wrong."""
    document = draw(DECISIONS.filter(schema_accepts)).to_dict()
    return junk_document(document, draw) if draw(st.booleans()) else document


def _plain_text(document: dict[str, Any]) -> bool:
    """Every word and the rationale plain ``str`` (no subclass: those go the long way)."""
    values = [v for value in document.values()
              for v in (value if isinstance(value, list | tuple) else [value])]
    return all(type(v) is str for v in values)


_FORM = {"urgency": "routine", "imaging": "none", "category": "nonspecific",
         "suspected_conditions": []}


@given(documents())
@example({**_FORM, "confidence": "high"})  # a key the schema does not have
@example({**_FORM, "suspected_conditions": ()})  # a tuple where JSON has an array
@example({**_FORM, "rationale": None})  # null where the schema wants text
def test_an_answer_read_as_exactly_a_decisions_form_is_one_the_schema_accepts(
    document: dict[str, Any]
) -> None:
    """An answer's JSON is read without the compiled schema check only when it is exactly
    the form of a valid decision; then the schema accepts it and the long way builds the
    same decision. Every valid decision's own form takes that way."""
    made = _exactly_a_decision(document)
    if made is not None:
        assert validator("decision").is_valid(document)
        assert made == Decision.from_dict(document)
    if (validator("decision").is_valid(document) and _plain_text(document)
            and document == Decision.from_dict(document).to_dict()):
        assert made is not None
    try:
        decided: Decision | None = decision_from_obj(document)
    except InvalidAnswer:
        decided = None
    assert (decided is not None) == validator("decision").is_valid(document)
