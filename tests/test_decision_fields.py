"""The optional ``safety_net`` and ``questions`` fields of a decision (contract section 1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backtriage.harness.model import Decision
from backtriage.harness.systems.adapters.prompt import decision_json_schema, load_template
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import InvalidAnswer
from backtriage.harness.vocabulary import SAFETY_NET_TOPICS

BASE = {"urgency": "self_care", "imaging": "none", "category": "nonspecific",
        "suspected_conditions": []}


def test_absent_fields_stay_absent_not_empty() -> None:
    decision = decision_from_obj(dict(BASE))
    assert decision.safety_net is None and decision.questions is None
    assert "safety_net" not in decision.to_dict() and "questions" not in decision.to_dict()


def test_an_empty_list_is_kept_as_reported_none() -> None:
    decision = decision_from_obj({**BASE, "safety_net": [], "questions": []})
    assert decision.safety_net == () and decision.questions == ()
    assert decision.to_dict()["safety_net"] == []


@given(st.lists(st.sampled_from(SAFETY_NET_TOPICS), unique=True),
       st.lists(st.sampled_from(SAFETY_NET_TOPICS), unique=True))
def test_topics_survive_a_round_trip(net: list[str], asked: list[str]) -> None:
    """Any lists of known topics parse and serialise back to the same lists."""
    decision = decision_from_obj({**BASE, "safety_net": net, "questions": asked})
    assert Decision.from_dict(decision.to_dict()) == decision
    assert decision.to_dict()["safety_net"] == net and decision.to_dict()["questions"] == asked


@pytest.mark.parametrize("bad", [["bladders"], ["bladder", "bladder"], "bladder", [1]])
def test_unknown_or_repeated_topics_are_invalid(bad: object) -> None:
    with pytest.raises(InvalidAnswer, match="safety_net"):
        decision_from_obj({**BASE, "safety_net": bad})


def test_structured_output_schema_and_template_ask_for_both_lists() -> None:
    schema = decision_json_schema()
    assert {"safety_net", "questions"} <= set(schema["required"])
    assert schema["properties"]["questions"]["items"]["enum"] == list(SAFETY_NET_TOPICS)
    template = load_template("openai:m")
    assert template.version == "triage-v2"
    assert '"safety_net"' in template.user.template and '"questions"' in template.user.template
