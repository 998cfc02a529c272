"""The HTTP service adapter against a real scripted server on 127.0.0.1."""

from __future__ import annotations

import time
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
    refused_url,
    service_model,
)


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    return engine_corpus(tmp_path / "corpus", 6)


def test_valid_replies_and_only_the_presentation_is_posted(corpus: Corpus) -> None:
    with ScriptedServer(service_model) as server:
        records = run_all(resolve_system(server.url + "/triage"), corpus)
    assert outcomes(records) == ["emergency", "self_care", "self_care"] * 2
    assert len(server.requests) == 6
    for request in server.requests:
        assert request.path == "/triage"
        assert set(request.json) == {"narrative", "findings"}
        assert request.headers["content-type"] == "application/json"
    assert all(r.raw and r.attempts[0].ok for r in records)


def test_invalid_json_is_an_error_kept_raw_and_not_retried(corpus: Corpus) -> None:
    with ScriptedServer(lambda r: Scripted(body="<html>oops</html>")) as server:
        records = run_all(resolve_system(server.url), corpus)
    assert outcomes(records) == ["error"] * 6
    assert all("not JSON" in (r.error or "") and r.raw == "<html>oops</html>" for r in records)
    assert all(len(r.attempts) == 1 for r in records)
    assert len(server.requests) == 6


def test_wrong_vocabulary_is_an_invalid_answer(corpus: Corpus) -> None:
    bad = {**SELF_CARE, "urgency": "soon"}
    with ScriptedServer(lambda r: Scripted(body=bad)) as server:
        records = run_all(resolve_system(server.url), corpus)
    assert all(r.error and r.error.startswith("InvalidAnswer") and "urgency" in r.error
               for r in records)
    assert len(server.requests) == 6  # fail closed, never retried


def test_timeouts_are_retried_then_recorded(corpus: Corpus) -> None:
    with ScriptedServer(lambda r: Scripted(body=SELF_CARE, delay=1.0)) as server:
        system = resolve_system(server.url, {"timeout": 0.2})
        start = time.monotonic()
        records = run_all(system, corpus, retries=1, concurrency=6)
        assert time.monotonic() - start < 1.5
    assert outcomes(records) == ["error"] * 6
    for r in records:
        assert len(r.attempts) == 2 and "timed out" in (r.error or "")


def test_429_with_retry_after_is_honoured(corpus: Corpus) -> None:
    limited = Scripted(429, {"error": "slow down"}, headers={"Retry-After": "1"})
    with ScriptedServer(Sequence([limited, service_model])) as server:
        start = time.monotonic()
        records = run_all(resolve_system(server.url), corpus, concurrency=1)
        elapsed = time.monotonic() - start
    assert outcomes(records) == ["emergency", "self_care", "self_care"] * 2
    first = records[0].attempts
    assert [a.ok for a in first] == [False, True]
    assert first[0].retry_after == 1.0 and "429" in (first[0].error or "")
    assert elapsed >= 1.0  # waited as asked, despite a 10 ms backoff


def test_500_then_success(corpus: Corpus) -> None:
    with ScriptedServer(Sequence([Scripted(500, "boom"), Scripted(503, "busy"),
                                  service_model])) as server:
        records = run_all(resolve_system(server.url), corpus, concurrency=1)
    assert outcomes(records)[0] == "emergency"
    assert [a.error.split(":")[1].strip() if a.error else None for a in records[0].attempts] == [
        "HTTP 500 Internal Server Error", "HTTP 503 Service Unavailable", None]


def test_other_4xx_is_not_retried(corpus: Corpus) -> None:
    with ScriptedServer(lambda r: Scripted(422, {"error": "bad field"})) as server:
        records = run_all(resolve_system(server.url), corpus)
    assert all(len(r.attempts) == 1 and "HTTP 422" in (r.error or "") for r in records)
    assert records[0].raw == '{"error": "bad field"}' and not records[0].unavailable


@pytest.mark.parametrize("status", [401, 403, 404])
def test_401_403_404_mean_unavailable_and_stop_the_run(
    corpus: Corpus, tmp_path: Path, status: int
) -> None:
    with ScriptedServer(lambda r: Scripted(status, {"error": "no such route"})) as server:
        record = ask_once(resolve_system(server.url), corpus)
        assert record.unavailable and len(record.attempts) == 1
        assert f"HTTP {status}" in (record.error or "") and server.url in (record.error or "")
        assert record.raw == '{"error": "no such route"}'
        many = engine_corpus(tmp_path / "many", 40)
        with pytest.raises(NoVerdict, match=f"HTTP {status}"):
            run_all(resolve_system(server.url), many, concurrency=4)
    # Stopped after 3 such answers (plus calls already in flight), not 40.
    assert len(server.requests) <= 1 + 3 + 3


def test_connection_refused_dns_and_tls_failures_are_not_retried(corpus: Corpus) -> None:
    url = refused_url()
    record = ask_once(resolve_system(url), corpus)
    assert record.unavailable and len(record.attempts) == 1
    assert record.error == f"SystemUnavailable: connection refused: {url}"
    # .invalid never resolves (RFC 6761).
    record = ask_once(resolve_system("http://backtriage-test.invalid/triage"), corpus)
    assert record.unavailable and "DNS lookup failed" in (record.error or "")
    with ScriptedServer(service_model) as server:  # plain HTTP: a TLS handshake fails
        tls = server.url.replace("http://", "https://")
        record = ask_once(resolve_system(tls), corpus)
    assert record.unavailable and "TLS failure" in (record.error or "") and tls in record.error
    with pytest.raises(NoVerdict, match="connection refused"):
        run_all(resolve_system(url), corpus)


def test_bearer_token_comes_from_the_environment(
    corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRIAGE_SERVICE_TOKEN", "tok-abcdefgh12345")
    with ScriptedServer(service_model) as server:
        system = resolve_system(server.url, {"bearer_token_env": "TRIAGE_SERVICE_TOKEN",
                                             "headers": {"X-Client": "bt"}})
        assert "tok-" not in str(system.describe())
        run_all(system, corpus)
    assert server.requests[0].headers["authorization"] == "Bearer tok-abcdefgh12345"
    assert server.requests[0].headers["x-client"] == "bt"


@pytest.mark.parametrize("settings", [
    {"headers": {"Authorization": "Bearer x"}},
    {"bearer_token_env": "NO_SUCH_VARIABLE_BT"},
    {"timeout": -1},
    {"retries_typo": 3},
])
def test_bad_settings_are_spec_errors(settings: dict[str, object]) -> None:
    with pytest.raises(SpecError):
        resolve_system("http://127.0.0.1:9/x", settings)


def test_credentials_in_the_url_stay_out_of_spec_and_describe() -> None:
    system = resolve_system("https://user:hunter2hunter2@example.org/t?api_key=k3y-k3y-k3y&m=1")
    try:
        text = f"{system.spec} {system.describe()}"
        assert "hunter2" not in text and "k3y-k3y" not in text and "m=1" in text
    finally:
        system.close()
