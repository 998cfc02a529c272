"""Upgrading vignette files from schema 1.0.0 to 2.0.0."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from backtriage.harness.loading import check_corpus, errors_only
from backtriage.harness.loading.migrate_findings_v2 import main, migrate_vignette
from tests.support.factory import make_vignette, write_corpus


def old_form(vid: str, **findings: Any) -> dict[str, Any]:
    data = make_vignette(vid)
    data["schema_version"] = "1.0.0"
    f = data["presentation"]["findings"]
    f.update({"bladder": "normal", "bowel": "normal", **findings})
    del f["saddle_sensation"]
    return data


def test_a_1_0_0_vignette_becomes_2_0_0_with_lists_and_saddle_sensation() -> None:
    old = old_form("t-old", bladder="retention", numbness_sites=["saddle_perineal"])
    new = migrate_vignette(old)
    f = new["presentation"]["findings"]
    assert new["schema_version"] == "2.0.0"
    assert (f["bladder"], f["bowel"]) == (["retention"], ["normal"])
    assert f["saddle_sensation"] == "altered"


def test_migration_is_idempotent_and_leaves_2_0_0_files_alone() -> None:
    once = migrate_vignette(old_form("t-old"))
    assert migrate_vignette(once) == once
    current = make_vignette("t-new")
    assert migrate_vignette(copy.deepcopy(current)) == current


def test_the_script_rewrites_old_files_so_they_validate(tmp_path: Path) -> None:
    folder = write_corpus(tmp_path / "c", [old_form("t-old")])
    _, before = check_corpus([folder])
    (problem,) = errors_only(before)
    assert problem.pointer == "/schema_version" and "migrate_findings_v2" in problem.message
    assert main([str(folder)]) == 0
    assert errors_only(check_corpus([folder])[1]) == []
    text = (folder / "t-old.json").read_text(encoding="utf-8")
    assert main([str(folder)]) == 0
    assert (folder / "t-old.json").read_text(encoding="utf-8") == text
    assert json.loads(text)["presentation"]["findings"]["bladder"] == ["normal"]


def test_an_unreadable_file_exits_2_naming_it(tmp_path: Path, capsys: Any) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main([str(bad)]) == 2
    assert "broken.json" in capsys.readouterr().err
