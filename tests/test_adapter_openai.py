"""The OpenAI-compatible adapter against a scripted chat-completions server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtriage.harness.engine import NoVerdict
from backtriage.harness.loading import Corpus
from backtriage.harness.systems import SpecError, resolve_system
from backtriage.harness.systems.adapters.prompt import load_template
from backtriage.harness.vocabulary import CATEGORIES, CONDITIONS, IMAGING, URGENCIES
from tests.support.engine_corpus import engine_corpus
from tests.support.engine_helpers import ask_once, outcomes, run_all
from tests.support.scripted_server import (
    SELF_CARE,
    Scripted,
    ScriptedServer,
    Sequence,
    openai_body,
    openai_model,
    refused_url,
)


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    return engine_corpus(tmp_path / "corpus", 6)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def _reply(content: str, **kw: object) -> Scripted:
    return Scripted(body=openai_body(content, **kw))  # type: ignore[arg-type]


def test_valid_replies_with_structured_output_and_settings(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-0123456789")
    with ScriptedServer(openai_model) as server:
        system = resolve_system("openai:fake-model", {"base_url": server.url + "/v1",
                                                      "temperature": 0.2, "seed": 7})
        records = run_all(system, corpus)
    assert outcomes(records) == ["emergency", "self_care", "self_care"] * 2
    request = server.requests[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer sk-test-0123456789"
    body = request.json
    assert body["model"] == "fake-model" and body["temperature"] == 0.2 and body["seed"] == 7
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert records[0].metadata["model"] == "fake-model"
    for r in server.requests:  # the model sees the case, never its labels
        assert "Written for a unit test" not in r.text and "expected" not in r.json
    assert records[0].metadata["usage"]["total_tokens"] == 15
    assert json.loads(records[0].raw or "")["urgency"] == "emergency"


def test_base_url_from_environment_and_config_beats_it(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ScriptedServer(openai_model) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/env")
        env_system = resolve_system("openai:m")
        assert env_system.describe()["base_url"] == server.url + "/env"
        run_all(env_system, corpus)
        run_all(resolve_system("openai:m", {"base_url": server.url + "/cfg"}), corpus)
    paths = {r.path for r in server.requests}
    assert paths == {"/env/chat/completions", "/cfg/chat/completions"}
    assert "authorization" not in server.requests[0].headers  # no key set: none sent


def test_fenced_json_is_accepted_but_prose_is_not(corpus: Corpus) -> None:
    fenced = "```json\n" + json.dumps(SELF_CARE) + "\n```"
    prose = "Sure! Here is my answer: " + json.dumps(SELF_CARE)
    with ScriptedServer(Sequence([_reply(fenced), _reply(prose)])) as server:
        records = run_all(resolve_system("openai:m", {"base_url": server.url}), corpus,
                          concurrency=1)
    assert outcomes(records) == ["self_care"] + ["error"] * 5
    assert records[1].raw == prose and "not a JSON object" in (records[1].error or "")


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not a JSON object"),
    ("[1, 2]", "not an object"),
    ("", "empty reply"),
    (json.dumps({**SELF_CARE, "urgency": "Emergency"}), "urgency"),
    (json.dumps({**SELF_CARE, "suspected_conditions": ["sciatica"]}), "suspected_conditions"),
    (json.dumps({**SELF_CARE, "confidence": 0.9}), "confidence"),
])
def test_invalid_replies_fail_closed_with_the_raw_reply_kept(
    corpus: Corpus, content: str, message: str
) -> None:
    with ScriptedServer(lambda r: _reply(content)) as server:
        records = run_all(resolve_system("openai:m", {"base_url": server.url}), corpus)
    assert outcomes(records) == ["error"] * 6
    for r in records:
        assert message in (r.error or "") and len(r.attempts) == 1
        assert r.raw == (content or None) or (not content and r.raw in ("", None))


def test_truncated_and_refused_replies_are_errors(corpus: Corpus) -> None:
    cut = _reply('{"urgency": "emer', finish_reason="length")
    refused = Scripted(body=openai_body(None, refusal="I can't help with that."))
    with ScriptedServer(Sequence([cut, refused])) as server:
        records = run_all(resolve_system("openai:m", {"base_url": server.url}), corpus,
                          concurrency=1)
    assert "max_tokens" in (records[0].error or "") and records[0].raw == '{"urgency": "emer'
    assert "refused" in (records[1].error or "") and records[1].raw == "I can't help with that."


def test_429_retry_after_then_500_then_success(corpus: Corpus) -> None:
    script = Sequence([Scripted(429, {"error": {"message": "rate"}},
                                headers={"Retry-After": "0.3"}),
                       Scripted(500, {"error": "oops"}), openai_model])
    with ScriptedServer(script) as server:
        records = run_all(resolve_system("openai:m", {"base_url": server.url}), corpus,
                          concurrency=1)
    assert outcomes(records) == ["emergency", "self_care", "self_care"] * 2
    attempts = records[0].attempts
    assert [a.ok for a in attempts] == [False, False, True]
    assert attempts[0].retry_after == 0.3 and "HTTP 429" in (attempts[0].error or "")
    assert "HTTP 500" in (attempts[1].error or "")


def test_timeouts_and_connection_refused(corpus: Corpus) -> None:
    with ScriptedServer(lambda r: Scripted(body=openai_body("{}"), delay=1.0)) as server:
        slow = run_all(resolve_system("openai:m", {"base_url": server.url, "timeout": 0.2}),
                       corpus, retries=1, concurrency=6)
    assert all("timed out" in (r.error or "") and len(r.attempts) == 2 for r in slow)
    url = refused_url()
    record = ask_once(resolve_system("openai:m", {"base_url": url}), corpus)
    assert record.unavailable and len(record.attempts) == 1  # refused: never retried
    assert record.error == f"SystemUnavailable: connection refused: {url}/chat/completions"
    with pytest.raises(NoVerdict, match="connection refused"):
        run_all(resolve_system("openai:m", {"base_url": url}), corpus)


def test_401_is_final_and_stops_the_run(corpus: Corpus) -> None:
    with ScriptedServer(lambda r: Scripted(401, {"error": "bad key"})) as server:
        system = resolve_system("openai:m", {"base_url": server.url})
        record = ask_once(system, corpus)
        assert record.unavailable and len(record.attempts) == 1
        assert "HTTP 401 Unauthorized" in (record.error or "")
        with pytest.raises(NoVerdict, match="HTTP 401"):
            run_all(system, corpus)


def test_structured_output_can_be_relaxed_or_switched_off(corpus: Corpus) -> None:
    with ScriptedServer(openai_model) as server:
        run_all(resolve_system("openai:m", {"base_url": server.url,
                                            "structured_output": "json_object"}), corpus)
        run_all(resolve_system("openai:m", {"base_url": server.url,
                                            "structured_output": "none",
                                            "params": {"top_p": 0.5}}), corpus)
    assert server.requests[0].json["response_format"] == {"type": "json_object"}
    assert "response_format" not in server.requests[-1].json
    assert server.requests[-1].json["top_p"] == 0.5


def test_prompt_template_override_from_a_file(corpus: Corpus, tmp_path: Path) -> None:
    template = tmp_path / "mine.txt"
    template.write_text("[system]\nBe brief.\n[user]\nCASE: $narrative\nJSON only.\n")
    with ScriptedServer(openai_model) as server:
        system = resolve_system("openai:m", {"base_url": server.url,
                                             "prompt_template": str(template)})
        info = system.describe()["prompt_template"]
        run_all(system, corpus)
    assert info["version"] == "file:mine.txt" and len(info["sha256"]) == 64
    messages = server.requests[0].json["messages"]
    assert messages[0]["content"] == "Be brief."
    assert messages[1]["content"].startswith("CASE: A ")


@pytest.mark.parametrize("text", [
    "[system]\nonly a system part $narrative\n",
    "[user]\nhello $patient\n",
    "[user]\nno placeholder at all\n",
    "[user]\ncosts $5 $narrative\n",
    "preamble\n[user]\n$narrative\n",
])
def test_bad_templates_are_spec_errors(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(text)
    with pytest.raises(SpecError):
        resolve_system("openai:m", {"base_url": "http://127.0.0.1:9",
                                    "prompt_template": str(path)})


def test_the_bundled_template_states_the_exact_vocabulary() -> None:
    template = load_template("openai:m")
    text = template.system.template + template.user.template
    assert template.version == "triage-v2"
    for term in (*URGENCIES, *IMAGING, *CATEGORIES, *CONDITIONS):
        assert f'"{term}"' in text, term


@pytest.mark.parametrize(("spec", "settings"), [
    ("openai:", {"base_url": "http://127.0.0.1:9"}),
    ("openai:m", {"base_url": "http://127.0.0.1:9", "api_key": "sk-in-a-config-file"}),
    ("openai:m", {"base_url": "http://127.0.0.1:9", "structured_output": "xml"}),
    ("openai:m", {}),  # api.openai.com without OPENAI_API_KEY
])
def test_bad_specs_and_settings(spec: str, settings: dict[str, object]) -> None:
    with pytest.raises(SpecError):
        resolve_system(spec, settings)
