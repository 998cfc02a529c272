"""API keys never reach results, journals, caches, logs or messages, even when servers echo them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.redaction import REDACTED, register_secret, scrub
from tests.support.engine_corpus import engine_corpus_dir
from tests.support.scripted_server import (
    Request,
    Scripted,
    ScriptedServer,
    Sequence,
    anthropic_model,
    anthropic_tool_body,
    keyword_decision,
    openai_body,
    openai_model,
)

OPENAI_KEY = "sk-test-SECRET-0penai-4f9c2d7e1b"
ANTHROPIC_KEY = "sk-ant-SECRET-4nthropic-8e1d0c5a"


def _echo_headers(request: Request) -> str:
    return json.dumps({"error": f"bad request; you sent {request.headers}"})


def _openai_script() -> Sequence:
    def echo_in_rationale(request: Request) -> Scripted:
        decision = keyword_decision(request.text)
        decision["rationale"] = f"my key is {request.headers.get('authorization')}"
        return Scripted(body=openai_body(json.dumps(decision)))

    return Sequence([
        lambda r: Scripted(500, _echo_headers(r)),                      # retried
        lambda r: Scripted(429, _echo_headers(r), {"Retry-After": "0"}),  # retried
        lambda r: Scripted(401, {"error": f"Incorrect API key provided: {OPENAI_KEY}"}),
        lambda r: Scripted(body=openai_body(f"not json {r.headers['authorization']}")),
        echo_in_rationale,
        openai_model,
    ])


def _anthropic_script() -> Sequence:
    return Sequence([
        lambda r: Scripted(529, _echo_headers(r)),
        lambda r: Scripted(400, {"error": f"x-api-key {r.headers['x-api-key']} is invalid"}),
        lambda r: Scripted(body=anthropic_tool_body({"urgency": r.headers["x-api-key"]})),
        anthropic_model,
    ])


def _all_text(folder: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize(("spec", "env_key", "key", "script"), [
    ("openai:fake-model", "OPENAI", OPENAI_KEY, _openai_script),
    ("anthropic:fake-claude", "ANTHROPIC", ANTHROPIC_KEY, _anthropic_script),
])
def test_a_recognisable_key_appears_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    spec: str, env_key: str, key: str, script: object,
) -> None:
    corpus = engine_corpus_dir(tmp_path / "corpus", 6)
    out = tmp_path / "out"
    monkeypatch.setenv(f"{env_key}_API_KEY", key)
    with ScriptedServer(script()) as server:  # type: ignore[operator]
        monkeypatch.setenv(f"{env_key}_BASE_URL", server.url)
        argv = ["run", "--system", spec, "--corpus", str(corpus), "--output", str(out),
                "--cache", str(out / "cache"), "--epochs", "2", "--concurrency", "1",
                "--retry-backoff", "0.01"]
        status = main(argv)
        again = main([*argv, "--resume", "--retry-errors"])
    captured = capsys.readouterr()
    assert status == 1 and again in (0, 1)  # errors failed the gate; nothing crashed
    # The key really went over the wire, and servers echoed it back ...
    assert any(key in json.dumps(r.headers) for r in server.requests)
    # ... yet no file in the output folder (results, journal, cache) and no output holds it.
    files = _all_text(out)
    assert (out / "results.json").exists() and (out / "journal.jsonl").exists()
    assert list((out / "cache").rglob("*.jsonl"))
    for text in (files, captured.out, captured.err):
        assert key not in text
    assert REDACTED in files  # the echoes were redacted, not lost
    doc = json.loads((out / "results.json").read_text())
    assert key not in json.dumps(doc["system"])


def test_scrub_catches_registered_keys_and_credential_patterns() -> None:
    register_secret("zz-registered-secret-123")
    text = ("token zz-registered-secret-123; Authorization: Bearer abcdef123456; "
            '{"x-api-key": "qwertyuiop"} api_key=1234567890abc')
    cleaned = scrub(text)
    for secret in ("zz-registered-secret-123", "abcdef123456", "qwertyuiop", "1234567890abc"):
        assert secret not in cleaned
    assert scrub("a plain sentence about urgent MRI") == "a plain sentence about urgent MRI"
