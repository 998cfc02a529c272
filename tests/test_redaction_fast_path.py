"""Skipping the credential patterns on strings that cannot match changes no redaction."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from backtriage.harness import redaction

_PIECES = st.sampled_from(["Bearer ", "basic ", "BASIC\t", "api_key", "=", ":", "://", "@",
                           "user", "abcdef123456", " ", "x", "\u017f", "K", "token", '"',
                           "Authorization", "x-api-key", "API-KEY", "access_token", "Access",
                           "api", "key", "-", "_", "'"])


@given(st.lists(_PIECES | st.text(max_size=6), max_size=12).map("".join))
def test_a_string_the_pre_check_rules_out_is_one_no_pattern_changes(text: str) -> None:
    patterned = text
    for pattern in redaction._PATTERNS:
        patterned = pattern.sub(lambda m: m.group(1) + redaction.REDACTED, patterned)
    if not redaction._may_hold_credential(text):
        assert patterned == text
    assert redaction._redact(text, []) == patterned
