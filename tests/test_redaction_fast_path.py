"""Skipping the credential patterns on strings that cannot match changes no redaction."""

from __future__ import annotations

import pytest
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


def test_a_secret_registered_or_exported_after_a_scrub_is_redacted_by_the_next(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The sorted list of secrets is kept between scrubs; anything new must still count.
    text = "late-registered-secret-123 and exported-secret-456"
    assert redaction.scrub(text) == text
    redaction.register_secret("late-registered-secret-123")
    assert redaction.scrub(text) == f"{redaction.REDACTED} and exported-secret-456"
    monkeypatch.setenv("SOME_SERVICE_TOKEN", "exported-secret-456")
    assert redaction.scrub(text) == f"{redaction.REDACTED} and {redaction.REDACTED}"
    monkeypatch.delenv("SOME_SERVICE_TOKEN")
    assert redaction.scrub(text) == f"{redaction.REDACTED} and exported-secret-456"
    assert redaction.known_secrets() == sorted(redaction.known_secrets(), key=len, reverse=True)
