"""The optional LLM judge extractor against a scripted OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.extraction import (
    ExtractionFailed,
    ExtractorUnavailable,
    check,
    extractor_for,
)
from tests.support.scripted_server import (
    Request,
    Scripted,
    ScriptedServer,
    openai_body,
    refused_url,
)

_ANSWER = re.compile(r"<answer>\n(?P<answer>.*)\n</answer>", re.DOTALL)


def _labels() -> dict[str, check.Labelled]:
    return {i.answer: i for i in check.read_labelled(check.bundled_sets())}


def _judge(labels: dict[str, check.Labelled]) -> Any:
    """A 'judge' that knows the hand labels: it proves the plumbing, not the model."""
    def reply(request: Request) -> Scripted:
        answer = _ANSWER.search(request.json["messages"][-1]["content"])
        item = labels.get(answer.group("answer")) if answer else None
        if item is None:
            return Scripted(body=openai_body(json.dumps({"unmappable": True})))
        decision = {"urgency": item.urgency, "imaging": item.imaging,
                    "category": "nonspecific", "suspected_conditions": [],
                    "safety_net": sorted(item.safety_net), "questions": sorted(item.questions),
                    "rationale": item.answer.split(".")[0]}
        return Scripted(body=openai_body(json.dumps(decision)))
    return reply


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
        monkeypatch.delenv(name, raising=False)


def test_the_judge_reads_answers_and_quotes_its_sentence() -> None:
    labels = _labels()
    with ScriptedServer(_judge(labels)) as server:
        judge = extractor_for("llm:openai:judge-model", {"base_url": server.url})
        answer = next(a for a, i in labels.items() if i.urgency == "emergency")
        extraction = judge.extract(answer)
        with pytest.raises(ExtractionFailed, match="recommends no urgency"):
            judge.extract("Back pain is common.")
        judge.close()
    assert extraction.decision.urgency == "emergency"
    assert extraction.evidence["urgency"] and extraction.extractor.startswith("llm:openai:")
    body = server.requests[0].json
    assert body["model"] == "judge-model" and body["response_format"] == {"type": "json_object"}
    assert "You record what the answer says" in body["messages"][0]["content"]


def test_extractor_check_validates_the_judge_on_the_same_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with ScriptedServer(_judge(_labels())) as server:
        config = tmp_path / "c.yaml"
        config.write_text(f"adapter:\n  base_url: {server.url}\n")
        status = main(["extractor-check", "--extractor", "llm:openai:judge-model",
                       "--config", str(config)])
    out = capsys.readouterr().out
    assert status == 0 and "extractor llm:openai:judge-model" in out
    assert "disagreements: 0" in out


def test_an_unreachable_judge_gives_no_verdict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    judge = extractor_for("llm:openai:m", {"base_url": refused_url()})
    with pytest.raises(ExtractorUnavailable):
        judge.extract("Call 999.")
    answers = tmp_path / "a.jsonl"
    answers.write_text(json.dumps({"vignette_id": "lbp-googled-numbness-lay",
                                   "answer": "Rest at home."}) + "\n")
    config = tmp_path / "c.yaml"
    config.write_text(f"adapter:\n  base_url: {refused_url()}\n")
    status = main(["grade", str(answers), "--extractor", "llm:openai:m", "--config",
                   str(config), "--subset", "--output", str(tmp_path / "o")])
    assert status == 4 and "extractor unavailable: no verdict" in capsys.readouterr().err
    assert not (tmp_path / "o" / "results.json").exists()
