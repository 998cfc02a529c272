"""Free-text mode of the LLM adapters against a scripted server on 127.0.0.1.

The "model" answers in prose; the extractor reads it. The raw answer and each field's
deciding sentence are kept; prose the extractor cannot map is an error, never a guess.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.loading import Corpus
from backtriage.harness.systems import resolve_system
from tests.support.engine_corpus import engine_corpus, engine_corpus_dir
from tests.support.engine_helpers import outcomes, run_all
from tests.support.scripted_server import (
    Request,
    Scripted,
    ScriptedServer,
    anthropic_text_body,
    openai_body,
)

EMERGENCY_PROSE = ("I'm sorry you're going through this. Not being able to pass urine with back "
                   "pain can mean the nerves at the base of the spine are squeezed. Please go "
                   "to A&E now; you will probably need an emergency MRI scan.")
SELF_CARE_PROSE = ("This sounds like a common back strain. You do not need an MRI now. Keep "
                   "moving gently at home and take paracetamol or ibuprofen. If you lose "
                   "bladder control or feel numb between your legs, go to A&E straight away.")


def _prose(request: Request) -> str:
    return EMERGENCY_PROSE if "retention" in request.text.lower() else SELF_CARE_PROSE


@pytest.fixture
def corpus(tmp_path: Path) -> Corpus:
    return engine_corpus(tmp_path / "corpus", 3)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_openai_prose_is_read_by_the_extractor_and_kept(corpus: Corpus) -> None:
    with ScriptedServer(lambda r: Scripted(body=openai_body(_prose(r)))) as server:
        system = resolve_system("openai:m", {"base_url": server.url, "answer_format": "text"})
        records = run_all(system, corpus)
    assert outcomes(records) == ["emergency", "self_care", "self_care"]
    body = server.requests[0].json
    assert "response_format" not in body  # no vocabulary forced on the model
    assert "urgency" not in json.dumps(body["messages"])
    emergency, home = records[0], records[1]
    assert emergency.raw == EMERGENCY_PROSE and emergency.decision is not None
    assert emergency.decision.imaging == "mri"
    assert emergency.metadata["extraction"]["evidence"]["urgency"].startswith("Please go to A&E")
    assert home.decision is not None and home.decision.imaging == "none"
    assert home.decision.safety_net == ("bladder", "saddle")


def test_anthropic_prose_and_unmappable_prose_is_an_error(corpus: Corpus) -> None:
    replies = iter([EMERGENCY_PROSE, "Back pain is very common in adults.", SELF_CARE_PROSE])
    with ScriptedServer(lambda r: Scripted(body=anthropic_text_body(next(replies)))) as server:
        system = resolve_system("anthropic:c", {"base_url": server.url, "answer_format": "text"})
        records = run_all(system, corpus, concurrency=1)
    assert outcomes(records) == ["emergency", "error", "self_care"]
    assert "tools" not in server.requests[0].json
    assert records[1].raw == "Back pain is very common in adults."
    assert records[1].error is not None and "extractor" in records[1].error


def test_lay_and_clinician_registers_get_their_own_prompt(corpus: Corpus) -> None:
    with ScriptedServer(lambda r: Scripted(body=openai_body(SELF_CARE_PROSE))) as server:
        system = resolve_system("openai:m", {"base_url": server.url, "answer_format": "text"})
        lay = corpus.vignettes[1]
        clinician_like = type(lay.presentation)(lay.presentation.narrative,
                                                lay.presentation.findings, "clinician")
        lay_like = type(lay.presentation)(lay.presentation.narrative, lay.presentation.findings,
                                          "lay")
        system.triage(lay_like)
        system.triage(clinician_like)
        system.close()
    lay_msgs, clin_msgs = (r.json["messages"] for r in server.requests)
    assert lay_msgs[-1]["content"] == lay.presentation.narrative
    assert "next step" in clin_msgs[-1]["content"] and "clinician" in clin_msgs[0]["content"]


def test_cli_answer_format_text_runs_and_rejects_non_llm_systems(tmp_path: Path) -> None:
    folder = engine_corpus_dir(tmp_path / "corpus", 3)
    with ScriptedServer(lambda r: Scripted(body=openai_body(_prose(r)))) as server:
        config = tmp_path / "c.yaml"
        config.write_text(f"adapter:\n  base_url: {server.url}\n")
        status = main(["run", "--system", "openai:m", "--answer-format", "text", "--corpus",
                       str(folder), "--config", str(config), "--output", str(tmp_path / "o"),
                       "--no-progress", "--quiet"])
    results = json.loads((tmp_path / "o" / "results.json").read_text())
    assert status in (0, 1)
    assert results["system"]["answer_format"] == "text"
    answers = [a for v in results["vignettes"] for a in v["answers"]]
    assert all(a["metadata"]["extraction"]["extractor"] == "rules-v1" for a in answers)
    assert main(["run", "--system", "reference", "--answer-format", "text", "--corpus",
                 str(folder), "--output", str(tmp_path / "o2")]) == 2
