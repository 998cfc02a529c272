"""The safety floor of the labels and what a contested label must show, enforced by validate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.loading import check_corpus, errors_only, load_corpus
from backtriage.harness.resources import corpus_dir
from tests.support.factory import emergency_vignette, make_vignette, write_corpus


def errors_of(tmp_path: Path, vignette: dict[str, Any]) -> list[tuple[str, str]]:
    folder = write_corpus(tmp_path / "c", [vignette])
    return [(p.pointer, p.message) for p in errors_only(check_corpus([folder])[1])]


def contested_emergency(**acceptable: list[str]) -> dict[str, Any]:
    data = emergency_vignette("t-floor", label_status="contested", acceptable=acceptable)
    return data


def test_a_broken_copy_of_the_corpus_exits_2_naming_each_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The bundled corpus, with one emergency vignette accepting routine and one emergency
    # vignette expecting MRI accepting no imaging.
    copy = tmp_path / "corpus"
    shutil.copytree(corpus_dir(), copy)
    emergencies = sorted(
        (v for v in load_corpus([copy]).vignettes if v.expected.urgency == "emergency"),
        key=lambda v: v.id,
    )
    mri = [v for v in emergencies if v.expected.imaging == "mri"]
    first, second = emergencies[0], next(v for v in mri if v.id != emergencies[0].id)
    for vignette, field, value in ((first, "urgency", "routine"), (second, "imaging", "none")):
        path = Path(vignette.path.replace(str(corpus_dir()), str(copy)))
        data = json.loads(path.read_text(encoding="utf-8"))
        data["acceptable"][field] = [value]
        path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["validate", str(copy)]) == 2
    err = capsys.readouterr().err
    assert f"/acceptable/urgency [{first.id}]" in err and "never accepts 'routine'" in err
    assert f"/acceptable/imaging [{second.id}]" in err and "never accepts imaging 'none'" in err


def test_the_bundled_corpus_keeps_the_floor() -> None:
    for v in load_corpus().vignettes:
        if v.expected.urgency == "emergency":
            assert set(v.acceptable.urgency) <= {"urgent"}, v.id
            if v.expected.imaging != "none":
                assert "none" not in v.acceptable.imaging, v.id


@pytest.mark.parametrize("below", ["routine", "self_care"])
def test_an_emergency_never_accepts_a_tier_below_urgent(tmp_path: Path, below: str) -> None:
    problems = errors_of(tmp_path, emergency_vignette("t-floor", acceptable={"urgency": [below]}))
    assert any(p == "/acceptable/urgency" and repr(below) in m for p, m in problems), problems


def test_an_emergency_accepts_urgent_only_from_a_position_that_recommends_it(
    tmp_path: Path,
) -> None:
    consensus = emergency_vignette("t-floor", acceptable={"urgency": ["urgent"]})
    problems = errors_of(tmp_path, consensus)
    assert any(p == "/acceptable/urgency" and "recommend" in m for p, m in problems), problems
    contested = contested_emergency(urgency=["urgent"])
    assert errors_of(tmp_path, contested) == []


def test_an_emergency_expecting_a_scan_never_accepts_no_imaging(tmp_path: Path) -> None:
    problems = errors_of(tmp_path, emergency_vignette("t-floor", acceptable={"imaging": ["none"]}))
    assert any(p == "/acceptable/imaging" for p, _ in problems), problems


def test_contested_needs_two_positions_recommending_different_actions(tmp_path: Path) -> None:
    data = contested_emergency(urgency=["urgent"])
    data["positions"][1]["recommends"] = dict(data["positions"][0]["recommends"])
    problems = errors_of(tmp_path, data)
    assert any(p == "/positions" and "different actions" in m for p, m in problems), problems


def test_an_accepted_position_must_have_its_values_accepted(tmp_path: Path) -> None:
    data = make_vignette(
        "t-pos", "routine", "none", "radiculopathy", label_status="contested",
        acceptable={"urgency": ["urgent"]}, findings={"leg_pain": "one_side"},
    )
    data["positions"][1]["recommends"] = {"urgency": "urgent", "imaging": "mri"}
    problems = errors_of(tmp_path, data)
    assert ("/positions/1/recommends/imaging" in {p for p, _ in problems}), problems


def test_a_contested_vignette_may_deliberately_accept_nothing_lower(tmp_path: Path) -> None:
    # A safety-critical disagreement: one source's lower tier is recorded, not accepted.
    data = emergency_vignette("t-withheld", label_status="contested")
    data["positions"][1].update(
        recommends={"urgency": "urgent"},
        accepted=False,
        not_accepted_because="accepting it would score a delayed scan as correct",
    )
    assert errors_of(tmp_path, data) == []
    del data["positions"][1]["not_accepted_because"]
    problems = errors_of(tmp_path, data)
    assert ("/positions/1/not_accepted_because", "required field is missing") in problems
