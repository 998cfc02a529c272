"""Text no strict JSON writer can encode, and huge replies, become safe recorded answers."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.engine import AnswerRecord
from backtriage.harness.engine.records import RAW_LIMIT_BYTES
from tests.support.engine_corpus import engine_corpus_dir
from tests.support.scripted_server import Scripted, ScriptedServer

REPLY_CMD = Path(__file__).parent / "support" / "reply_cmd.py"
DECISION_TAIL = '"imaging": "none", "category": "nonspecific", "suspected_conditions": []'


def strict_json(path: Path) -> Any:
    """Parse ``path`` as strict JSON: no NaN/Infinity, no lone surrogates (UTF-8 must hold)."""
    def refuse(name: str) -> None:
        raise ValueError(f"not strict JSON: {name}")

    text = path.read_bytes().decode("utf-8")  # a lone surrogate cannot be in valid UTF-8
    return json.loads(text, parse_constant=refuse)


def _run(tmp_path: Path, system: str, *extra: str) -> tuple[int, dict[str, Any]]:
    corpus = engine_corpus_dir(tmp_path / "corpus", 3)
    out = tmp_path / "out"
    status = main(["run", "--system", system, "--corpus", str(corpus), "--output", str(out),
                   "--no-progress", "--retry-backoff", "0.01", *extra])
    return status, strict_json(out / "results.json")


def _answers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for v in doc["vignettes"] for a in v["answers"]]


def _surrogate_module(folder: Path) -> Path:
    path = folder / "surrogate_triage.py"
    path.write_text(
        "def triage(p):\n"
        "    return {'urgency': 'emergency' if 'retention' in p['narrative'] else 'self_care',\n"
        "            'imaging': 'none', 'category': 'nonspecific', 'suspected_conditions': [],\n"
        "            'rationale': 'odd \\ud800 text'}\n"
    )
    return path


@pytest.mark.parametrize("isolate", ["--isolate", "--no-isolate"])
def test_a_lone_surrogate_from_python_is_recorded_replaced_and_resume_asks_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], isolate: str
) -> None:
    """Defect 3: no crash of the journal write, and ``--resume`` does not loop."""
    system = f"python:{_surrogate_module(tmp_path)}:triage"
    status, doc = _run(tmp_path, system, isolate)
    assert status in (0, 1)
    for answer in _answers(doc):
        assert answer["decision"]["rationale"] == "odd \ufffd text"
        assert any("lone surrogates" in note for note in answer["notes"])
    again, resumed = _run(tmp_path, system, isolate, "--resume")
    assert again == status and resumed["run"]["resumed"] == 3 and resumed["run"]["asked"] == 0
    assert "Traceback" not in capsys.readouterr().err


def test_a_lone_surrogate_escape_in_a_cmd_reply_is_recorded_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = tmp_path / "reply.txt"
    reply.write_text(f'"urgency": "self_care", {DECISION_TAIL}, "rationale": "x\\ud800y"}}')
    monkeypatch.setenv("REPLY_FILE", str(reply))
    system = f"cmd:{shlex.quote(sys.executable)} {shlex.quote(str(REPLY_CMD))}"
    status, doc = _run(tmp_path, system)
    assert status in (0, 1)
    assert {a["decision"]["rationale"] for a in _answers(doc)} == {"x\ufffdy"}


def test_a_lone_surrogate_in_an_http_reply_is_recorded_replaced(tmp_path: Path) -> None:
    body = f'{{"urgency": "self_care", {DECISION_TAIL}, "rationale": "\\udfff"}}'
    with ScriptedServer(lambda r: Scripted(body=body)) as server:
        status, doc = _run(tmp_path, server.url)
    assert status in (0, 1)
    assert {a["decision"]["rationale"] for a in _answers(doc)} == {"\ufffd"}


def test_a_surrogate_in_the_vocabulary_is_an_error_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reply = tmp_path / "reply.txt"
    reply.write_text(f'"urgency": "self\\ud800care", {DECISION_TAIL}}}')
    monkeypatch.setenv("REPLY_FILE", str(reply))
    status, doc = _run(tmp_path, f"cmd:{shlex.quote(sys.executable)} {shlex.quote(str(REPLY_CMD))}")
    assert status == 1
    assert all(a["decision"] is None and "urgency" in a["error"] for a in _answers(doc))


def test_a_huge_raw_reply_is_capped_and_its_size_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Defect 30: a 1 MB reply is not kept whole."""
    padding = " " * (1024 * 1024)
    reply = tmp_path / "reply.txt"
    reply.write_text(f'"urgency": "self_care", {DECISION_TAIL}, "pad": "{padding}"}}')
    monkeypatch.setenv("REPLY_FILE", str(reply))
    status, doc = _run(tmp_path, f"cmd:{shlex.quote(sys.executable)} {shlex.quote(str(REPLY_CMD))}")
    assert status == 1  # "pad" is not a decision field
    for answer in _answers(doc):
        assert len(answer["raw"].encode()) <= RAW_LIMIT_BYTES + 3
        assert answer["raw_size"] > 1024 * 1024
        assert any("raw: cut to" in note for note in answer["notes"])
    assert (tmp_path / "out" / "results.json").stat().st_size < 1024 * 1024


def test_a_record_read_back_keeps_its_full_size_and_stays_bounded() -> None:
    record = AnswerRecord("v", 0, None, "e" * 100_000, raw="r" * 100_000)
    again = AnswerRecord.from_dict(record.to_dict())
    assert again.raw_size == 100_000 and again.raw == record.raw
    assert len(again.error or "") < 10_000
