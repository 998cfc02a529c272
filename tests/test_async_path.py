"""The asyncio call path gives the records the threaded path gives, against real local servers.

Each scenario runs the same adapter over the same scripted server twice: as it is (the engine
sees ``atriage`` and runs it on an event loop) and behind :class:`ThreadedOnly`, which hides
the coroutine methods so the engine takes the threaded path. Records are compared whole,
except for the seconds they took.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backtriage.harness.cli.main import main
from backtriage.harness.engine import AnswerRecord, NoVerdict, run_system
from backtriage.harness.engine.async_calling import acall_with_retries
from backtriage.harness.engine.calling import (
    CAP_DURING_CALL,
    CAP_NOT_ATTEMPTED,
    call_with_retries,
)
from backtriage.harness.loading import Corpus
from backtriage.harness.model import Decision, Presentation
from backtriage.harness.systems import resolve_system
from backtriage.harness.systems.protocol import Reply, TriageSystem, async_methods
from tests.support.engine_corpus import engine_corpus, engine_corpus_dir
from tests.support.engine_helpers import quick
from tests.support.raw_server import RawReplyServer
from tests.support.scripted_server import (
    Scripted,
    ScriptedServer,
    Sequence,
    openai_body,
    openai_model,
    refused_url,
    service_model,
)
from tests.support.tls import self_signed, server_context


class ThreadedOnly:
    """A system with only the synchronous methods of the one it wraps."""

    def __init__(self, system: TriageSystem):
        self._system = system
        self.spec = system.spec

    def triage(self, presentation: Presentation) -> Decision | Reply:
        return self._system.triage(presentation)

    def describe(self) -> dict[str, Any]:
        return self._system.describe()

    def close(self) -> None:
        self._system.close()


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    return engine_corpus(tmp_path / "corpus", 6)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def loop_threads() -> list[threading.Thread]:
    """The engine's event-loop threads still alive."""
    return [t for t in threading.enumerate() if t.name == "backtriage-calls" and t.is_alive()]


def comparable(record: AnswerRecord) -> dict[str, Any]:
    """A record's JSON form without its timings."""
    data = record.to_dict()
    data.pop("seconds")
    for attempt in data["attempts"]:
        attempt.pop("seconds")
    return data


def both_paths(
    script_factory: Any, corpus: Corpus, settings_: dict[str, Any] | None = None,
    latency: float = 0.0, **overrides: Any,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run the corpus on each path against a fresh server playing a fresh script."""
    out = []
    for threaded in (False, True):
        with ScriptedServer(script_factory(), latency) as server:
            system: TriageSystem = resolve_system(
                "openai:m", {"base_url": server.url, **(settings_ or {})})
            assert async_methods(system) is not None
            if threaded:
                system = ThreadedOnly(system)
                assert async_methods(system) is None
            # The threads alive while the run runs, looked at every millisecond: looking only
            # when a record is taken missed the loop's thread on a busy machine, which had
            # already put its last record on the queue and ended.
            seen: set[str] = set()
            running = threading.Event()
            running.set()

            def note_threads(seen: set[str] = seen, running: threading.Event = running) -> None:
                while running.is_set():
                    seen.update(t.name for t in threading.enumerate())
                    time.sleep(0.001)

            watcher = threading.Thread(target=note_threads, daemon=True)
            watcher.start()
            try:
                records = run_system(system, corpus.vignettes, quick(**overrides))
            finally:
                running.clear()
                watcher.join()
                system.close()
            assert not loop_threads()  # the loop ended with the run
            # Each run took the path it was meant to: the event loop, or worker threads.
            workers = any(name.startswith("backtriage-worker-") for name in seen)
            assert ("backtriage-calls" in seen, workers) == (not threaded, threaded), seen
        out.append([comparable(r) for r in records])
    return out[0], out[1]


def test_the_networked_adapters_offer_the_coroutines_and_the_rule_systems_do_not() -> None:
    for spec in ("openai:m", "anthropic:m", "http://127.0.0.1:9/triage"):
        system = resolve_system(spec, {"base_url": "http://127.0.0.1:9"}
                                if not spec.startswith("http") else {})
        assert async_methods(system) is not None, spec
        system.close()
    reference = resolve_system("reference")
    assert async_methods(reference) is None
    reference.close()


def test_success_gives_the_same_records(corpus: Corpus) -> None:
    on_loop, threaded = both_paths(lambda: openai_model, corpus)
    assert on_loop == threaded
    assert [r["decision"]["urgency"] for r in on_loop] == ["emergency", "self_care",
                                                           "self_care"] * 2


def test_429_with_retry_after_then_success_gives_the_same_records(corpus: Corpus) -> None:
    def script() -> Sequence:
        return Sequence([Scripted(429, {"error": "slow down"}, headers={"Retry-After": "0.2"}),
                         openai_model])

    started = time.monotonic()
    on_loop, threaded = both_paths(script, corpus, concurrency=1)
    assert on_loop == threaded
    first = on_loop[0]["attempts"]
    assert [a["ok"] for a in first] == [False, True]
    assert first[0]["retry_after"] == 0.2 and "HTTP 429" in first[0]["error"]
    assert time.monotonic() - started >= 0.4  # the server's wait was honoured on both paths


def test_500s_exhausting_the_retries_give_the_same_records(corpus: Corpus) -> None:
    on_loop, threaded = both_paths(lambda: (lambda r: Scripted(500, {"error": "oops"})),
                                   corpus, retries=2)
    assert on_loop == threaded
    for record in on_loop:
        assert [a["error"] for a in record["attempts"]] == [
            "TransientError: HTTP 500 Internal Server Error"] * 3
        assert record["raw"] == '{"error": "oops"}' and record["final"] is True


def test_a_hang_hits_the_adapter_timeout_on_both_paths(corpus: Corpus) -> None:
    def script() -> Any:
        return lambda r: Scripted(body=openai_body("{}"), delay=2.0)

    started = time.monotonic()
    on_loop, threaded = both_paths(script, corpus, {"timeout": 0.2}, retries=1, concurrency=6)
    assert on_loop == threaded
    assert all(r["error"] == "TransientError: timed out after 0.2 s (ReadTimeout)"
               and len(r["attempts"]) == 2 for r in on_loop)
    assert time.monotonic() - started < 3.5  # two runs of two 0.2 s attempts, not 2 s hangs


def test_a_hang_past_the_engine_timeout_gives_the_same_engine_error(corpus: Corpus) -> None:
    # The adapter would wait 30 s; the engine gives up after 0.05 s plus its 1 s grace.
    on_loop, threaded = both_paths(
        lambda: (lambda r: Scripted(body=openai_body("{}"), delay=3.0)), corpus,
        {"timeout": 30}, retries=0, concurrency=6, timeout=0.05)
    assert on_loop == threaded
    assert all(r["error"] == "TransientError: no answer within 0.05 s (engine timeout)"
               for r in on_loop)


def test_connection_refused_gives_no_verdict_on_both_paths(corpus: Corpus) -> None:
    url = refused_url()
    reasons = []
    for threaded in (False, True):
        system: TriageSystem = resolve_system("openai:m", {"base_url": url})
        if threaded:
            system = ThreadedOnly(system)
        seen: list[AnswerRecord] = []
        with pytest.raises(NoVerdict) as raised:
            run_system(system, corpus.vignettes, quick(), seen.append)
        system.close()
        reasons.append(raised.value.reason)
        assert all(r.unavailable for r in seen)
    assert reasons == [f"connection refused: {url}/chat/completions"] * 2


def test_an_untrusted_certificate_gives_the_same_no_verdict_on_both_paths(
    corpus: Corpus, tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    reasons = []
    with ScriptedServer(openai_model, tls=server_context(cert, key)) as server:
        for threaded in (False, True):
            system: TriageSystem = resolve_system("openai:m", {"base_url": server.url})
            if threaded:
                system = ThreadedOnly(system)
            with pytest.raises(NoVerdict) as raised:
                run_system(system, corpus.vignettes, quick())
            system.close()
            reasons.append(raised.value.reason)
    where = f"{server.url}/chat/completions"
    assert reasons == [f"TLS failure (CERTIFICATE_VERIFY_FAILED): {where}"] * 2


@pytest.mark.parametrize("reply", [
    b"",
    b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{}",
])
def test_a_connection_closed_part_way_gives_the_same_error_text_on_both_paths(
    corpus: Corpus, reply: bytes
) -> None:
    records = []
    with RawReplyServer(reply) as server:
        for threaded in (False, True):
            system: TriageSystem = resolve_system("openai:m", {"base_url": server.url})
            if threaded:
                system = ThreadedOnly(system)
            try:
                records.append(comparable(run_system(system, corpus.vignettes[:1],
                                                     quick(retries=0))[0]))
            finally:
                system.close()
    assert records[0] == records[1]
    assert records[0]["error"].startswith("TransientError: connection failed: "
                                          "RemoteProtocolError: ")


def test_the_time_cap_mid_run_gives_the_same_records(tmp_path: Path) -> None:
    corpus = engine_corpus(tmp_path / "corpus", 8)
    # Two calls at a time, 0.5 s each, a 1.25 s cap: two rounds answer, the third is cut off
    # during its calls and the last two vignettes are never asked.
    on_loop, threaded = both_paths(lambda: openai_model, corpus, concurrency=2,
                                   max_total_seconds=1.25, latency=0.5)
    assert on_loop == threaded
    errors = [r["error"] for r in on_loop]
    assert errors[:4] == [None] * 4
    assert all(e.startswith(CAP_DURING_CALL) for e in errors[4:6])
    assert errors[6:] == [CAP_NOT_ATTEMPTED] * 2
    assert [r["final"] for r in on_loop] == [True] * 4 + [False] * 4


def test_an_interrupt_cancels_the_calls_in_flight_and_ends_the_loop(corpus: Corpus) -> None:
    script = Sequence([openai_model, Scripted(body=openai_body("{}"), delay=20.0)])

    def interrupt(record: AnswerRecord) -> None:
        raise KeyboardInterrupt

    with ScriptedServer(script) as server:
        system = resolve_system("openai:m", {"base_url": server.url})
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            # The first answer arrives while the five other calls hang.
            run_system(system, corpus.vignettes, quick(concurrency=6), interrupt)
        assert time.monotonic() - started < 5.0
        assert not loop_threads()
        system.close()


def test_ctrl_c_on_the_loop_keeps_the_answers_and_a_resume_completes_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = engine_corpus_dir(tmp_path / "corpus", 12)
    out = tmp_path / "out"
    argv = ["run", "--system", "openai:m", "--corpus", str(corpus), "--output", str(out),
            "--concurrency", "2", "--quiet"]
    with ScriptedServer(openai_model, latency=0.2) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        process = subprocess.Popen(
            [sys.executable, "-m", "backtriage", *argv], text=True, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=Path(__file__).parent.parent,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)})
        journal = out / "journal.jsonl"
        deadline = time.monotonic() + 30
        while not (journal.exists() and journal.read_text().count("\n") - 1 >= 4):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 130, stderr
        assert len(stderr.splitlines()) == 1 and stderr.startswith("interrupted: "), stderr
        journaled = journal.read_text().count("\n") - 1
        assert 4 <= journaled < 12
        time.sleep(0.5)  # a request the interrupted run sent may still be on its way in
        asked_before = len(server.requests)
        assert main([*argv, "--resume"]) in (0, 1)  # 1: a gate failed, not the run
    results = json.loads((out / "results.json").read_text())
    answers = [a for v in results["vignettes"] for a in v["answers"]]
    assert len(answers) == 12 and all(a["decision"] for a in answers)
    assert len(server.requests) - asked_before == 12 - journaled  # only the missing ones


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from([200, 400, 404, 408, 429, 500, 503, 529]), min_size=1,
                max_size=5),
       st.sampled_from([None, "0", "0.01", "soon"]))
def test_any_sequence_of_statuses_gives_the_same_record_on_both_paths(
    statuses: list[int], retry_after: str | None
) -> None:
    replies = [openai_model if s == 200 else
               Scripted(s, {"error": f"status {s}"},
                        headers={"Retry-After": retry_after} if retry_after else {})
               for s in statuses]
    presentation = Presentation("Low back pain after lifting, no red flags.", {})
    options = quick(retries=3, backoff=0.001, backoff_max=0.002)
    with ScriptedServer(Sequence(replies)) as server:
        system = resolve_system("openai:m", {"base_url": server.url})
        threaded = call_with_retries(system, presentation, "v", 0, options)
        server.script = Sequence(replies)
        methods = async_methods(system)
        assert methods is not None

        async def ask() -> AnswerRecord:
            try:
                return await acall_with_retries(methods, presentation, "v", 0, options,
                                                asyncio.Event())
            finally:
                await methods.close()

        on_loop = asyncio.run(ask())
        system.close()
    assert comparable(on_loop) == comparable(threaded)
    # The server repeats its last reply; a success, a 400 or a 404 ends the call at once.
    played = [statuses[min(i, len(statuses) - 1)] for i in range(options.retries + 1)]
    expected_attempts = next((i + 1 for i, s in enumerate(played) if s in (200, 400, 404)),
                             len(played))
    assert len(on_loop.attempts) == expected_attempts


def test_the_http_service_adapter_gives_the_same_records_on_both_paths(corpus: Corpus) -> None:
    out = []
    for threaded in (False, True):
        with ScriptedServer(Sequence([Scripted(503, {"e": 1}), service_model])) as server:
            system: TriageSystem = resolve_system(server.url + "/triage")
            if threaded:
                system = ThreadedOnly(system)
            try:
                out.append([comparable(r) for r in
                            run_system(system, corpus.vignettes, quick(concurrency=1))])
            finally:
                system.close()
    assert out[0] == out[1]
    assert out[0][0]["attempts"][0]["error"] == "TransientError: HTTP 503 Service Unavailable"
