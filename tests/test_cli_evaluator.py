"""Evaluator conveniences on `backtriage run`: --select, --limit, --label, -M, prompt, tokens."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.evaluator_args import parse_value
from backtriage.harness.cli.main import main
from backtriage.harness.engine import AnswerRecord
from backtriage.harness.loading import load_corpus
from backtriage.harness.runs.llm_facts import token_totals
from backtriage.harness.systems import SpecError, resolve_system
from backtriage.scoring.scorecard import render_scorecard
from tests.support.ci_fixtures import CI_IDS, ci_corpus
from tests.support.scripted_server import ScriptedServer, openai_model


def _run(tmp_path: Path, name: str, *argv: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / name
    status = main(["run", "--output", str(out), "--quiet", "--no-progress", *argv])
    return status, json.loads((out / "results.json").read_text())


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return ci_corpus(tmp_path / "corpus")


def test_select_by_glob_and_filter_runs_only_those_and_gates_say_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, doc = _run(tmp_path, "o", "--system", "reference", "--select", "ces-*",
                       "--select", "register=lay", "--select", "urgency=emergency")
    ids = [v["id"] for v in doc["vignettes"]]
    assert ids and all(i.startswith("ces-") for i in ids)
    assert {v["register"] for v in doc["vignettes"]} == {"lay"}
    selection = doc["corpus"]["selection"]
    total = selection["n_corpus"]
    assert selection["n_selected"] == len(ids) == doc["corpus"]["n_vignettes"] < total
    assert selection["terms"] == ["ces-*", "register=lay", "urgency=emergency"]
    note = f"selection of {len(ids)} of {total} vignettes"
    assert all(note in g["scope"] for g in doc["gates"])
    # No over-imaging denominator among emergency cases: that gate is not applied.
    over = next(g for g in doc["gates"] if g["name"].startswith("over_imaging_rate"))
    assert over["passed"] and over["value"] is None and "not applied" in over["detail"]
    assert status == 0
    out = capsys.readouterr().out
    assert f"GATES  policy default (scope: consensus) on a {note}: PASS" in out
    assert f"critical_misses 0/{len(ids)} = 0.0% (consensus; {note}) <= 0 passes" in out


def test_filters_of_one_kind_are_alternatives_and_kinds_combine(
    tmp_path: Path, corpus: Path
) -> None:
    _, doc = _run(tmp_path, "o", "--system", "reference", "--corpus", str(corpus),
                  "--select", "urgency=emergency,urgent", "--select", "status=consensus")
    assert [v["id"] for v in doc["vignettes"]] == ["t-ces-2", "t-emergency", "t-urgent"]
    _, doc = _run(tmp_path, "p", "--system", "reference", "--corpus", str(corpus),
                  "--select", "t-selfcare*", "--select", "t-urgent")
    assert [v["id"] for v in doc["vignettes"]] == ["t-selfcare", "t-selfcare-2", "t-urgent"]
    _, doc = _run(tmp_path, "q", "--system", "reference", "--corpus", str(corpus),
                  "--select", "condition=cauda_equina_syndrome")
    assert [v["id"] for v in doc["vignettes"]] == ["t-ces-2", "t-emergency"]


def test_limit_keeps_the_first_n_in_id_order_after_the_selection(
    tmp_path: Path, corpus: Path
) -> None:
    status, doc = _run(tmp_path, "o", "--system", "reference", "--corpus", str(corpus),
                       "--limit", "3")
    assert status == 0
    assert [v["id"] for v in doc["vignettes"]] == list(CI_IDS[:3])
    assert doc["corpus"]["selection"] == {
        "terms": [], "limit": 3, "n_selected": 3, "n_corpus": len(CI_IDS),
        "description": f"selection of 3 of {len(CI_IDS)} vignettes",
    }
    _, doc = _run(tmp_path, "p", "--system", "reference", "--corpus", str(corpus),
                  "--select", "status=consensus", "--limit", "100")
    assert len(doc["vignettes"]) == len(CI_IDS) - 1


def test_a_failing_selection_fails_its_gates(tmp_path: Path, corpus: Path) -> None:
    status, doc = _run(tmp_path, "o", "--system", "baseline:never-image", "--corpus", str(corpus),
                       "--select", "urgency=emergency")
    assert status == 1 and not doc["gates_passed"]
    crit = next(g for g in doc["gates"] if g["name"].startswith("critical_misses"))
    assert crit["detail"] == (f"critical_misses 2/2 = 100.0% (consensus; selection of 2 of "
                              f"{len(CI_IDS)} vignettes) > 0 FAILS")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--select", "urgency=emergncy"], "unknown urgency 'emergncy'"),
        (["--select", "colour=red"], "unknown key in 'colour=red'"),
        (["--select", "zz-*"], "no vignette id matches 'zz-*'"),
        (["--select", "t-nope"], "no vignette has id 't-nope'"),
        (["--select", "t-ces-2", "--select", "register=lay"], "no vignette matches all of"),
        (["--limit", "0"], "--limit: must be at least 1"),
        (["--label", ""], "--label: must be one line"),
        (["-M", "temperature=0.5"], "reference takes no model settings"),
    ],
)
def test_bad_selections_labels_and_settings_exit_2_naming_the_flag(
    tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str,
) -> None:
    status = main(["run", "--system", "reference", "--corpus", str(corpus),
                   "--output", str(tmp_path / "o"), *argv])
    err = capsys.readouterr().err
    assert status == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "o" / "results.json").exists()


def test_config_select_limit_and_label_yield_to_the_flags(tmp_path: Path, corpus: Path) -> None:
    config = tmp_path / "bt.yaml"
    config.write_text(f"system: reference\ncorpus: {corpus}\nselect: ['t-selfcare*']\n"
                      "label: from-file\n")
    _, doc = _run(tmp_path, "a", "--config", str(config))
    assert [v["id"] for v in doc["vignettes"]] == ["t-selfcare", "t-selfcare-2"]
    assert doc["label"] == "from-file"
    _, doc = _run(tmp_path, "b", "--config", str(config), "--select", "t-urgent",
                  "--label", "from-flag")
    assert [v["id"] for v in doc["vignettes"]] == ["t-urgent"] and doc["label"] == "from-flag"


def test_labels_show_in_compare_the_scorecard_and_the_reports(
    tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--system", "reference", "--corpus", str(corpus)]
    _run(tmp_path, "a", *base, "--label", "before-fix")
    capsys.readouterr()
    out = tmp_path / "b"
    main(["run", *base, "--label", "after-fix", "--output", str(out), "--no-progress",
          "--junit", str(out / "j.xml"), "--markdown", str(out / "m.md")])
    scorecard = capsys.readouterr().out
    assert "label after-fix" in scorecard.splitlines()[0]
    assert "label `after-fix`" in (out / "m.md").read_text()
    props = {p.get("name"): p.get("value") for p in ET.parse(out / "j.xml").iter("property")}
    assert props["label"] == "after-fix"
    assert main(["compare", str(tmp_path / "a"), str(out)]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "base before-fix (reference, " in header and "new after-fix (reference, " in header
    assert main(["compare", str(tmp_path / "a"), str(out), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["base"].startswith("before-fix") and report["new"].startswith("after-fix")


def test_model_settings_reach_the_request_and_the_results(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    config = tmp_path / "bt.yaml"
    config.write_text("adapter:\n  temperature: 0.1\n  max_tokens: 300\n"
                      "  params: {presence_penalty: 0.5}\n")
    with ScriptedServer(openai_model) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url + "/v1")
        status, doc = _run(
            tmp_path, "o", "--system", "openai:fake-model", "--corpus", str(corpus),
            "--config", str(config), "-M", "temperature=0.7", "-M", "seed=7",
            "-M", "top_p=0.9", "-M", "params.top_k=40",
        )
    assert status in (0, 1)
    body = server.requests[0].json
    # CLI beats config file beats default, key by key (params merged).
    assert (body["temperature"], body["max_tokens"], body["seed"], body["top_p"]) == (
        0.7, 300, 7, 0.9)
    assert body["presence_penalty"] == 0.5 and body["top_k"] == 40
    system = doc["system"]
    assert (system["temperature"], system["seed"], system["top_p"]) == (0.7, 7, 0.9)
    assert system["params"] == {"presence_penalty": 0.5, "top_k": 40}
    # The prompt: template identity and the first vignette rendered as sent.
    prompt = doc["prompt"]
    assert prompt["template"] == system["prompt_template"]
    assert len(prompt["template"]["sha256"]) == 64
    first = doc["vignettes"][0]["id"]
    assert prompt["example"]["vignette_id"] == first
    example = prompt["example"]
    sent = [
        [m["content"] for m in r.json["messages"]] for r in server.requests
        if r.json["messages"][-1]["content"] == example["user"]
    ]
    assert sent and sent[0] == [example["system"], example["user"]]  # exactly what was sent
    assert "expected" not in example["user"]  # a presentation, never its labels
    # Token totals: the scripted model reports 10 prompt and 5 completion tokens per call.
    n = len(server.requests)
    assert doc["usage"]["answers_reporting"] == n == len(CI_IDS)
    assert (doc["usage"]["input_tokens"], doc["usage"]["output_tokens"]) == (10 * n, 5 * n)
    assert doc["usage"]["fields"]["total_tokens"] == 15 * n
    assert f"TOKENS  {10 * n:,} in, {5 * n:,} out over {n} answer(s)" in render_scorecard(doc)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("temperature=hot", "adapter.temperature must be a number"),
        ("top_p=1.5", "adapter.top_p"),
        ("max_tokenz=5", "unknown adapter setting(s) max_tokenz"),
        ("timeout=5", "set timeout with --timeout"),
        ("temperature", "expected KEY=VALUE"),
    ],
)
def test_bad_model_settings_exit_2(
    tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, setting: str, message: str,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    status = main(["run", "--system", "openai:m", "--corpus", str(corpus), "-M", setting,
                   "--output", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert status == 2 and message in err and "Traceback" not in err


def test_values_are_read_as_json_else_as_text() -> None:
    assert [parse_value(t) for t in ("0.7", "512", "true", "null", "[1, 2]", "none", "gpt")] == [
        0.7, 512, True, None, [1, 2], "none", "gpt"]


def _record(vid: str, usage: Any, cached: bool = False) -> AnswerRecord:
    return AnswerRecord(vid, 0, None, "x", metadata={"usage": usage} if usage else {},
                        cached=cached)


def test_token_totals_read_both_providers_and_count_cached_answers_apart() -> None:
    records = [
        _record("a", {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}),
        _record("b", {"input_tokens": 50, "output_tokens": 7, "cache_read_input_tokens": 3}),
        _record("c", {"prompt_tokens": 9, "completion_tokens": 1}, cached=True),
        _record("d", None),
        _record("e", {"prompt_tokens": "many", "completion_tokens": True}),
    ]
    totals = token_totals(records)
    assert totals is not None
    assert (totals["answers_reporting"], totals["input_tokens"], totals["output_tokens"]) == (
        3, 150, 27)
    assert totals["total_tokens"] == 177
    assert totals["fields"] == {"prompt_tokens": 100, "completion_tokens": 20,
                                "total_tokens": 120, "input_tokens": 50, "output_tokens": 7,
                                "cache_read_input_tokens": 3}
    assert totals["cached"] == {"answers_reporting": 1, "input_tokens": 9, "output_tokens": 1}
    assert token_totals([_record("d", None)]) is None


def test_shards_of_a_selection_merge_into_the_selection(
    tmp_path: Path, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["--system", "reference", "--corpus", str(corpus), "--select", "status=consensus",
            "--label", "sel"]
    for i in (1, 2):
        _run(tmp_path, f"s{i}", *base, "--shard", f"{i}/2")
    merged = tmp_path / "merged"
    assert main(["merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--output", str(merged),
                 "--quiet"]) == 0
    doc = json.loads((merged / "results.json").read_text())
    assert len(doc["vignettes"]) == len(CI_IDS) - 1
    assert doc["corpus"]["selection"]["n_selected"] == len(CI_IDS) - 1
    assert doc["label"] == "sel"
    assert all("selection of 6 of 7 vignettes" in g["scope"] for g in doc["gates"])


def test_both_llm_adapters_take_top_p_and_refuse_it_out_of_range(corpus: Path) -> None:
    presentation = load_corpus([corpus]).vignettes[0].presentation
    for spec in ("openai:m", "anthropic:m"):
        system = resolve_system(spec, {"base_url": "http://127.0.0.1:9", "top_p": 0.5})
        try:
            assert system.request_body(presentation)["top_p"] == 0.5  # type: ignore[attr-defined]
            assert system.describe()["top_p"] == 0.5
        finally:
            system.close()
        unset = resolve_system(spec, {"base_url": "http://127.0.0.1:9"})
        try:  # unset: not sent, and not in the identity (older cache keys still match)
            assert "top_p" not in unset.request_body(presentation)  # type: ignore[attr-defined]
            assert "top_p" not in unset.describe()
        finally:
            unset.close()
        for bad in (0, 1.5, "0.5", True):
            with pytest.raises(SpecError, match="top_p"):
                resolve_system(spec, {"base_url": "http://127.0.0.1:9", "top_p": bad})
