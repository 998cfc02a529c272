"""``backtriage extractor-check`` and the labelled set it reads."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.extraction import RuleExtractor, check
from backtriage.harness.loading.problems import InputError


def test_the_bundled_set_is_large_and_varied_and_any_held_out_half_is_large() -> None:
    # dev5.jsonl was the held-out half until rules changed after its measurement, so it is
    # development data now; a fresh held-out file is added once it has been measured once.
    items = check.read_labelled(check.bundled_sets())
    halves = Counter(i.half for i in items)
    assert len(items) >= 150 and halves["dev"] >= 75
    assert halves["heldout"] == 0 or halves["heldout"] >= 75
    assert set(halves) <= {"dev", "heldout"}
    styles = Counter(i.style for i in items)
    for style in ("terse", "hedging", "article", "patient", "us", "mri_ruled_out", "buried",
                  "all_flags_home", "questions", "clinician"):
        assert styles[style] >= 5, style
    assert sum(1 for i in items if i.urgency == "emergency") >= 40
    assert all(i.reason for i in items)


def test_the_command_prints_every_figure_and_every_disagreement(
    capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["extractor-check"])
    out = capsys.readouterr().out
    items = check.read_labelled(check.bundled_sets())
    reads = check.read_all(RuleExtractor(), items)
    figures = {h: check.agreement([r for r in reads if h in ("all", r.item.half)])
               for h in ("all", "heldout")}
    for row in ("urgency, emergency answers", "safety net (micro-F1)", "questions (exact set)"):
        assert row in out
    assert "urgency confusion" in out
    if figures["heldout"]["n"]:
        assert "held-out" in out
    else:
        del figures["heldout"]
        assert "no held-out half in these files" in out
    wrong = check.disagreements(reads)
    assert f"disagreements: {len(wrong)}" in out
    assert all(f"- {r.item.id} " in out for r, _ in wrong)
    expected = all(check.meets_targets(f) for f in figures.values())
    assert status == (0 if expected else 1)


def test_micro_f1_counts_topics_across_answers() -> None:
    item = check.Labelled("x", "dev", "terse", "a", "self_care", "none",
                          frozenset({"bladder", "saddle"}), frozenset(), "r")
    read = check.Read(item, "self_care", "none", frozenset({"bladder", "fever"}), frozenset(),
                      None, {})
    figures = check.agreement([read])
    assert figures["safety_net"] == pytest.approx(2 * 1 / (2 * 1 + 1 + 1))
    assert figures["safety_net_exact"] == 0.0 and figures["urgency"] == 1.0


def test_a_labelled_file_is_read_strictly(tmp_path: Path) -> None:
    good = {"id": "a", "half": "dev", "style": "terse", "answer": "Call 999.",
            "urgency": "emergency", "imaging": "none", "safety_net": [], "questions": [],
            "reason": "r"}
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        good, {**good, "id": "b", "urgency": "soon"}, good, {**good, "id": "c", "extra": 1},
    ]))
    with pytest.raises(InputError) as info:
        check.read_labelled([path])
    text = str(info.value)
    assert "line 2 [b]" in text and "line 3 [a]: duplicate id" in text and "line 4" in text


def _labelled_line(id_: str, half: str, answer: str, urgency: str) -> str:
    return json.dumps({"id": id_, "half": half, "style": "terse", "answer": answer,
                       "urgency": urgency, "imaging": "none", "safety_net": [], "questions": [],
                       "reason": "r"})


def test_a_held_out_half_below_target_fails_the_check_even_when_the_whole_set_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # 40 dev answers read right and one held-out answer read wrong: 40/41 = 97.6% urgency on
    # the whole set (target met) but 0% on the held-out half, so the check fails.
    dev = [_labelled_line(f"d{i}", "dev", "Call 999 now.", "emergency") for i in range(40)]
    wrong = _labelled_line("h1", "heldout", "Call 999 now.", "self_care")
    path = tmp_path / "set.jsonl"
    path.write_text("\n".join([*dev, wrong]) + "\n")
    assert main(["extractor-check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "held-out" in out and "targets NOT met on the held-out half" in out
    assert "targets met on the whole set" in out

    path.write_text("\n".join(dev) + "\n")
    assert main(["extractor-check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "no held-out half in these files" in out and "held-out half (" not in out
