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
