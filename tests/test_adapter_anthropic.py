"""The Anthropic Messages adapter against a scripted server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtriage.harness.engine import NoVerdict
from backtriage.harness.loading import Corpus
from backtriage.harness.systems import SpecError, resolve_system
from tests.support.engine_corpus import engine_corpus
from tests.support.engine_helpers import ask_once, outcomes, run_all
from tests.support.scripted_server import (
    SELF_CARE,
    Scripted,
    ScriptedServer,
    Sequence,
    anthropic_model,
    anthropic_text_body,
    anthropic_tool_body,
    keyword_decision,
    refused_url,
)


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    return engine_corpus(tmp_path / "corpus", 6)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_tool_call_replies_with_headers_and_forced_tool(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789")
    with ScriptedServer(anthropic_model) as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        system = resolve_system("anthropic:fake-claude")
        info = system.describe()
        records = run_all(system, corpus)
    assert outcomes(records) == ["emergency", "self_care", "self_care"] * 2
    request = server.requests[0]
    assert request.path == "/v1/messages"
    assert request.headers["x-api-key"] == "sk-ant-test-0123456789"
    assert request.headers["anthropic-version"] == "2023-06-01"
    body = request.json
    assert body["model"] == "fake-claude" and body["max_tokens"] == 1024
    assert body["tool_choice"] == {"type": "tool", "name": "record_triage_decision"}
    assert body["tools"][0]["input_schema"]["properties"]["urgency"]["enum"][0] == "emergency"
    assert "triage assistant" in body["system"]
    assert info["base_url"] == server.url and "sk-ant" not in json.dumps(info)
    assert records[0].metadata["stop_reason"] == "tool_use"


def test_text_mode_parses_the_json_reply(corpus: Corpus) -> None:
    def script(request: object) -> Scripted:
        return Scripted(body=anthropic_text_body(json.dumps(keyword_decision(
            request.text))))  # type: ignore[attr-defined]

    with ScriptedServer(script) as server:
        records = run_all(resolve_system("anthropic:m", {"base_url": server.url,
                                                         "structured_output": "none"}), corpus)
    assert outcomes(records) == ["emergency", "self_care", "self_care"] * 2
    assert "tools" not in server.requests[0].json


@pytest.mark.parametrize(("body", "message"), [
    (anthropic_text_body("I think this is an emergency."), "tool call"),
    (anthropic_tool_body({**SELF_CARE, "imaging": "x-ray"}), "imaging"),
    (anthropic_tool_body(SELF_CARE, name="other_tool"), "tool call"),
    (anthropic_text_body('{"urgency": "rout', stop_reason="max_tokens"), "max_tokens"),
    ({"type": "error"}, "no content"),
])
def test_invalid_replies_fail_closed(corpus: Corpus, body: dict[str, object], message: str) -> None:
    with ScriptedServer(lambda r: Scripted(body=body)) as server:
        records = run_all(resolve_system("anthropic:m", {"base_url": server.url}), corpus)
    assert outcomes(records) == ["error"] * 6
    assert all(message in (r.error or "") and len(r.attempts) == 1 for r in records)
    assert all(r.raw for r in records)


def test_overloaded_529_and_429_are_retried(corpus: Corpus) -> None:
    script = Sequence([Scripted(529, {"type": "error", "error": {"type": "overloaded_error"}}),
                       Scripted(429, {"type": "error"}, headers={"retry-after": "0.2"}),
                       anthropic_model])
    with ScriptedServer(script) as server:
        records = run_all(resolve_system("anthropic:m", {"base_url": server.url}), corpus,
                          concurrency=1)
    assert outcomes(records)[0] == "emergency"
    assert ["529" in (a.error or "") for a in records[0].attempts] == [True, False, False]
    assert records[0].attempts[1].retry_after == 0.2


def test_timeouts_and_connection_refused(corpus: Corpus) -> None:
    with ScriptedServer(lambda r: Scripted(body=anthropic_tool_body(SELF_CARE),
                                           delay=1.0)) as server:
        slow = run_all(resolve_system("anthropic:m", {"base_url": server.url, "timeout": 0.2}),
                       corpus, retries=0, concurrency=6)
    assert all("timed out" in (r.error or "") for r in slow)
    url = refused_url()
    system = resolve_system("anthropic:m", {"base_url": url})
    record = ask_once(system, corpus)
    assert record.unavailable and len(record.attempts) == 1  # refused: never retried
    assert record.error == f"SystemUnavailable: connection refused: {url}/v1/messages"
    with pytest.raises(NoVerdict, match="connection refused"):
        run_all(system, corpus)


def test_a_key_is_required_for_the_real_api_only() -> None:
    with pytest.raises(SpecError, match="ANTHROPIC_API_KEY"):
        resolve_system("anthropic:claude-x")
    resolve_system("anthropic:m", {"base_url": "http://127.0.0.1:9"}).close()


def test_text_mode_invalid_json_and_500_then_success(corpus: Corpus) -> None:
    script = Sequence([Scripted(500, {"type": "error"}),
                       Scripted(body=anthropic_text_body("{'urgency': 'emergency'}")),
                       lambda r: Scripted(body=anthropic_text_body(
                           json.dumps(keyword_decision(r.text))))])
    with ScriptedServer(script) as server:
        records = run_all(resolve_system("anthropic:m", {"base_url": server.url,
                                                         "structured_output": "none"}),
                          corpus, concurrency=1)
    assert [a.ok for a in records[0].attempts] == [False, False]
    assert "HTTP 500" in (records[0].attempts[0].error or "")
    assert "not a JSON object" in (records[0].error or "")  # invalid JSON: final, not retried
    assert records[0].raw == "{'urgency': 'emergency'}"
    assert outcomes(records)[1:] == ["self_care", "self_care", "emergency", "self_care",
                                     "self_care"]
