"""Building a vignette keeps its data: the fast paths of freezing and thawing change nothing."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from backtriage.harness.model import Presentation, _freeze, _freeze_findings, _thaw

_SCALARS = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.text(max_size=5) | \
    st.floats(allow_nan=False, allow_infinity=False)
_JSON = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                     | st.dictionaries(st.text(max_size=3), inner, max_size=3), max_leaves=8)


@given(st.dictionaries(st.text(max_size=6), _JSON, max_size=8))
def test_findings_of_any_shape_freeze_as_the_general_freeze_does(findings: dict[str, Any]) -> None:
    assert _freeze_findings(findings) == _freeze(findings, intern=True)


@given(st.dictionaries(st.text(max_size=6), _JSON, max_size=8))
def test_findings_thaw_back_to_the_json_they_came_from(findings: dict[str, Any]) -> None:
    shown = Presentation("n", _freeze_findings(findings)).to_dict()["findings"]
    assert shown == _thaw(_freeze(findings)) == findings
    assert json.dumps(shown) == json.dumps(findings)


def test_vignettes_that_cite_and_expect_alike_share_those_values() -> None:
    """Equal citations, expected decisions, acceptable sets and tags are one object each."""
    from backtriage.harness.model import Vignette
    from tests.support.factory import make_vignette

    one, two = (Vignette.from_dict(make_vignette(vid, acceptable={"imaging": ["xray"]}))
                for vid in ("t-share-1", "t-share-2"))
    assert one.sources is two.sources and one.expected is two.expected
    assert one.acceptable is two.acceptable and one.tags is two.tags
    other = Vignette.from_dict(make_vignette("t-share-3", urgency="routine"))
    assert other.expected is not one.expected and other.expected.urgency == "routine"
    assert other.acceptable == Vignette.from_dict(make_vignette("t-share-4")).acceptable


def test_answers_hold_one_copy_of_each_vocabulary_word() -> None:
    """Decisions parsed from separate replies share their words; an enum value is kept as is."""
    import enum

    from backtriage.harness.model import Decision

    def reply() -> dict[str, Any]:  # what json.loads makes of each reply: new strings
        return json.loads('{"urgency": "emergency", "imaging": "mri", "category": '
                          '"serious_pathology", "safety_net": ["bladder"]}')

    first, second = Decision.from_dict(reply()), Decision.from_dict(reply())
    assert first.urgency is second.urgency and first.safety_net == second.safety_net
    assert first.safety_net is not None and second.safety_net is not None
    assert first.safety_net[0] is second.safety_net[0]

    class Urgency(enum.StrEnum):
        EMERGENCY = "emergency"

    kept = Decision.from_dict({**reply(), "urgency": Urgency.EMERGENCY})
    assert kept.urgency is Urgency.EMERGENCY


def test_answers_hold_one_copy_of_each_metadata_key() -> None:
    """Metadata keys that recur in every reply ("usage", "finish_reason") are one string each."""
    from backtriage.harness.engine.records import AnswerRecord

    def reply() -> dict[str, Any]:  # each reply parsed on its own: new key strings
        return json.loads('{"finish_reason": "stop", "usage": {"prompt_tokens": 5}}')

    first, second = (AnswerRecord("v", 0, None, "e", metadata=reply()) for _ in range(2))
    assert first.metadata == second.metadata
    assert [k for k in first.metadata] == ["finish_reason", "usage"]
    for a, b in zip(first.metadata, second.metadata, strict=True):
        assert a is b
    assert next(iter(first.metadata["usage"])) is next(iter(second.metadata["usage"]))


_PLAIN_FINDINGS = st.dictionaries(
    st.sampled_from(["age", "fever", "trauma", "bladder", "sites"]),
    st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from(["none", "not_stated"])
    | st.lists(st.sampled_from(["normal", "retention"]), max_size=2),
    max_size=5,
)


@given(_PLAIN_FINDINGS, _PLAIN_FINDINGS)
def test_findings_frozen_after_equal_looking_ones_still_write_back_exactly(
    earlier: dict[str, Any], findings: dict[str, Any]
) -> None:
    """Sharing equal findings never hands out a mapping that writes differently (True == 1)."""
    _freeze_findings(earlier)
    shown = Presentation("n", _freeze_findings(findings)).to_dict()["findings"]
    assert json.dumps(shown) == json.dumps(findings)


def test_vignettes_with_equal_findings_share_one_mapping_and_the_table_is_bounded(
    monkeypatch: Any,
) -> None:
    from backtriage.harness import model

    first = _freeze_findings({"age": 40, "bladder": ["normal"], "fever": False})
    again = _freeze_findings({"age": 40, "bladder": ["normal"], "fever": False})
    other = _freeze_findings({"age": 40, "bladder": ["normal"], "fever": 0})
    assert first is again and other is not first and dict(other) == dict(first)
    monkeypatch.setattr(model, "_SHARED", {})
    monkeypatch.setattr(model, "_SHARED_LIMIT", 1)
    kept, _ = _freeze_findings({"age": 1}), _freeze_findings({"age": 2})
    assert _freeze_findings({"age": 1}) is kept
    assert len(model._SHARED) == 1  # a second distinct mapping is made, not kept
