"""Validate holds lay messages to what a patient can know, and contrast pairs to one change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from tests.support.factory import case_label, emergency_vignette, make_vignette, write_corpus


def _validate(
    tmp_path: Path, vignettes: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str]:
    folder = write_corpus(tmp_path / "c", vignettes)
    status = main(["validate", str(folder)])
    out = capsys.readouterr()
    return status, out.out + out.err


def _lay_reflexes(vid: str, narrative: str) -> dict[str, Any]:
    return make_vignette(
        vid, register="lay", narrative=narrative, findings={"reflexes": "reduced_absent"}
    )


def test_a_lay_message_reporting_reflexes_must_say_who_examined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    unattributed = _lay_reflexes(
        "t-lay",
        "My back hurts and my knee reflexes are absent. "
        "No fever, bladder and bowel normal, no weakness. " + case_label("t-lay"),
    )
    status, text = _validate(tmp_path, [unattributed], capsys)
    assert status == 2
    assert "t-lay" in text and "/presentation/findings/reflexes" in text


def test_a_lay_message_saying_who_tapped_the_knees_is_fine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    told = _lay_reflexes(
        "t-lay",
        "My back hurts. The GP tapped my knees and said the reflexes "
        "were absent. No fever, bladder and bowel normal, no weakness. " + case_label("t-lay"),
    )
    status, text = _validate(tmp_path, [told], capsys)
    assert status == 0, text


def _pair(vid: str, pair: str, **kw: Any) -> dict[str, Any]:
    data = kw.pop("make")(vid, **kw)
    data["tags"] = ["test", f"contrast-{pair}"]
    return data


def test_a_true_contrast_pair_validates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = _pair("t-plain", "bladder", make=make_vignette)
    flagged = _pair("t-flagged", "bladder", make=emergency_vignette)
    status, text = _validate(tmp_path, [plain, flagged], capsys)
    assert status == 0, text


def test_contrast_pairs_need_two_members_a_small_change_and_a_moved_urgency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lonely = _pair("t-lonely", "alone", make=make_vignette)
    same_a = _pair("t-same-a", "same", make=make_vignette)
    same_b = _pair("t-same-b", "same", make=make_vignette, findings={"age": 41})
    status, text = _validate(tmp_path, [lonely, same_a, same_b], capsys)
    assert status == 2
    assert "pair contrast-alone has 1 members" in text
    assert "expected urgency is the same" in text
    far_a = _pair("t-far-a", "far", make=make_vignette)
    far_b = _pair(
        "t-far-b",
        "far",
        make=make_vignette,
        urgency="emergency",
        imaging="mri",
        category="serious_pathology",
        conditions=("spinal_infection",),
        findings={"age": 70, "sex": "male", "fever": True, "trauma": "low_energy"},
    )
    status, text = _validate(tmp_path / "2", [far_a, far_b], capsys)
    assert status == 2 and "differ in" in text
