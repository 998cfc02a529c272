"""A very large corpus leaves its narratives in their files, and reads each back unchanged.

Past ``NARRATIVES_HELD_UP_TO`` vignettes, a load keeps no narrative text in memory once it is
loaded (a first check holds them only while it compares them): a presentation reads it from
its file when asked, and only if the file still holds the bytes that were checked. The limit is
passed low here, so a five-vignette corpus takes that path.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.engine import run_system
from backtriage.harness.loading import Corpus, check_corpus
from backtriage.harness.loading.corpus import HOLD_EVERY_NARRATIVE
from backtriage.harness.loading.problems import CorpusChanged
from backtriage.harness.loading.validation_cache import ValidationCache
from backtriage.harness.model import Presentation
from backtriage.harness.runs.evaluation import evaluate, results_document
from backtriage.harness.runs.results_io import safe_document, write_results
from backtriage.harness.systems import resolve_system
from backtriage.harness.systems.baselines import KeywordTriage
from backtriage.scoring.policy import load_policy
from tests.support.engine_helpers import quick
from tests.support.factory import make_vignette, mixed_corpus, write_corpus


def _loads(folder: Path, cache: ValidationCache, held_up_to: int) -> tuple[Corpus, Corpus]:
    """The corpus as its first check loads it, then as a load reusing that check does."""
    checked, _ = check_corpus([folder], cache=cache, narratives_held_up_to=held_up_to)
    reused, _ = check_corpus([folder], cache=cache, narratives_held_up_to=held_up_to)
    assert (checked.validation, reused.validation) == ("performed", "reused")
    return checked, reused


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return mixed_corpus(tmp_path / "corpus")


@pytest.fixture
def cache(tmp_path: Path) -> ValidationCache:
    return ValidationCache(tmp_path / "validation")


def test_past_the_limit_no_load_holds_a_narrative_yet_each_reads_the_same_cases(
    folder: Path, cache: ValidationCache, tmp_path: Path
) -> None:
    checked, reused = _loads(folder, cache, held_up_to=0)
    held, _ = check_corpus([folder], cache=ValidationCache(tmp_path / "other"),
                           narratives_held_up_to=HOLD_EVERY_NARRATIVE)
    assert all(v.presentation.narrative_held for v in held.vignettes)
    assert not any(v.presentation.narrative_held for v in checked.vignettes)
    assert not any(v.presentation.narrative_held for v in reused.vignettes)
    assert reused.content_hash == checked.content_hash == held.content_hash
    assert reused.vignettes == checked.vignettes == held.vignettes
    for corpus in (checked, reused):
        for mine, theirs in zip(corpus.vignettes, held.vignettes, strict=True):
            assert mine.presentation.narrative == theirs.presentation.narrative
            assert mine.presentation.to_dict() == theirs.presentation.to_dict()


def test_within_the_limit_every_narrative_is_held(folder: Path, cache: ValidationCache) -> None:
    _, reused = _loads(folder, cache, held_up_to=len(list(folder.glob("*.json"))))
    assert all(v.presentation.narrative_held for v in reused.vignettes)


@pytest.mark.parametrize("change", ["edited", "deleted"])
def test_a_narrative_whose_file_changed_after_loading_is_not_read(
    folder: Path, cache: ValidationCache, change: str
) -> None:
    _, reused = _loads(folder, cache, held_up_to=0)
    vignette = reused.vignettes[0]
    file = Path(vignette.path)
    if change == "edited":
        data = json.loads(file.read_text())
        data["presentation"]["narrative"] += " Also, she mentions it is worse at night."
        file.write_text(json.dumps(data))
    else:
        file.unlink()
    with pytest.raises(CorpusChanged) as raised:
        vignette.presentation.narrative  # noqa: B018 - reading it is the test
    assert str(file) in str(raised.value) and f"[{vignette.id}]" in str(raised.value)
    assert reused.vignettes[1].presentation.narrative  # the others still read


def _narrative_reader(seen: list[str]) -> Any:
    """A Python system that reads each narrative, as a model's prompt does."""

    def triage(presentation: dict[str, Any]) -> dict[str, Any]:
        seen.append(presentation["narrative"])
        return {"urgency": "routine", "imaging": "none", "category": "radiculopathy",
                "suspected_conditions": []}

    return triage


def test_a_run_that_meets_a_changed_file_stops_rather_than_blame_the_system(
    folder: Path, cache: ValidationCache
) -> None:
    """The changed file is the input's fault: no error answer is recorded against the system."""
    from backtriage.harness.systems.python_callable import PythonCallableSystem

    _, reused = _loads(folder, cache, held_up_to=0)
    last = Path(reused.vignettes[-1].path)
    last.write_text(last.read_text().replace('"narrative": "', '"narrative": "Edited. ', 1))
    seen: list[str] = []
    recorded: list[Any] = []
    for system in (PythonCallableSystem("python:test:reader", _narrative_reader(seen)),
                   KeywordTriage()):
        with pytest.raises(CorpusChanged):
            run_system(system, reused.vignettes, quick(concurrency=1, retries=0),
                       on_record=recorded.append)
        assert all(r.decision is not None for r in recorded), recorded
    assert seen and not any(text.startswith("Edited.") for text in seen)


def test_a_rule_run_reads_no_narrative_from_its_file(
    folder: Path, cache: ValidationCache, tmp_path: Path
) -> None:
    """The reference triage, scoring and the results file need no narrative: with every
    vignette file gone after loading, the run still completes and writes its results."""
    _, reused = _loads(folder, cache, held_up_to=0)
    for vignette in reused.vignettes:
        Path(vignette.path).unlink()
    result = evaluate(resolve_system("reference"), reused, load_policy(None))
    write_results(tmp_path / "out", safe_document(results_document(result)))
    written = json.loads((tmp_path / "out" / "results.json").read_text())
    assert len(written["vignettes"]) == len(reused.vignettes)
    assert all(r.decision is not None for r in result.records)


def test_a_presentation_is_equal_by_its_text_however_it_holds_it() -> None:
    class Source:
        def read(self) -> str:
            return "Low back ache after gardening."

    findings: dict[str, Any] = {"age": 40}
    held = Presentation("Low back ache after gardening.", findings, "lay")
    kept = Presentation(Source(), findings, "lay")
    assert held == kept and kept.narrative == held.narrative
    assert held != Presentation("Something else.", findings, "lay")
    assert held != Presentation(held.narrative, findings, "clinician")
    with pytest.raises(AttributeError):
        held.register = "clinician"  # type: ignore[misc]
    assert copy.copy(kept) == kept and not copy.copy(kept).narrative_held


def test_new_findings_for_a_presentation_do_not_read_its_narrative() -> None:
    """As a mutant of the reference asks: the narrative stays where it was, unread."""

    class Unreadable:
        def read(self) -> str:
            raise AssertionError("the narrative was read")

    source = Unreadable()
    changed = Presentation(source, {"age": 40}, "lay").with_findings({"age": 41})
    assert changed.findings == {"age": 41} and changed.register == "lay"
    assert not changed.narrative_held
    with pytest.raises(AssertionError):
        changed.narrative  # noqa: B018 - still its source's


def test_the_command_line_stops_with_exit_2_naming_the_changed_file_and_keeps_the_answers(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A system whose first call edits another vignette's file, as a user saving it would."""
    from backtriage.harness.cli.main import main
    from backtriage.harness.loading import corpus as corpus_module

    monkeypatch.setattr(corpus_module, "NARRATIVES_HELD_UP_TO", 0)
    monkeypatch.setenv("BACKTRIAGE_CACHE_DIR", str(tmp_path / "validation"))
    files = sorted(f for f in folder.glob("*.json") if f.name != "sources.json")
    last = files[-1]  # the last vignette asked (they go in id order, and ids are the names)
    module = tmp_path / "editing_system.py"
    module.write_text(
        "import pathlib\n"
        f"TARGET = pathlib.Path({str(last)!r})\n"
        "def triage(presentation):\n"
        "    text = TARGET.read_text()\n"
        "    if 'Edited.' not in text:\n"
        "        TARGET.write_text(\n"
        "            text.replace('\"narrative\": \"', '\"narrative\": \"Edited. ', 1))\n"
        "    return {'urgency': 'routine', 'imaging': 'none', 'category': 'radiculopathy',\n"
        "            'suspected_conditions': []}\n"
    )
    assert main(["validate", str(folder)]) == 0
    out = tmp_path / "out"
    status = main(["run", "--system", f"python:{module}:triage", "--corpus", str(folder),
                   "--output", str(out), "--concurrency", "1", "--quiet", "--no-isolate"])
    err = capsys.readouterr().err
    assert status == 2, err
    assert str(last) in err and "changed after the corpus was loaded" in err
    assert "Traceback" not in err
    # Every answer before the changed file's vignette is kept, and none is made up for it.
    _header, *answers = (out / "journal.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in answers]
    changed_id = json.loads(last.read_text())["id"]
    assert len(records) == len(files) - 1
    assert all(r["decision"] is not None for r in records)
    assert changed_id not in {r["vignette_id"] for r in records}


@pytest.mark.parametrize("argv", [
    ["corpus", "stats", "{corpus}"],
    ["robustness", "--system", "reference", "--corpus", "{corpus}", "--output", "{out}"],
])
def test_the_commands_that_read_every_narrative_hold_them_all(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Corpus statistics and robustness variants read each narrative, some several times:
    past the limit they still hold them rather than read each back from its file."""
    from backtriage.harness.cli.main import main
    from backtriage.harness.loading import corpus as corpus_module
    from backtriage.harness.loading.narrative_file import NarrativeInFile

    monkeypatch.setattr(corpus_module, "NARRATIVES_HELD_UP_TO", 0)
    monkeypatch.setenv("BACKTRIAGE_CACHE_DIR", str(tmp_path / "validation"))
    write_corpus(folder, [make_vignette(  # statistics read the narratives of lay messages
        "t-lay", register="lay",
        narrative="my lower back has ached since i moved the sofa, no numbness anywhere")])
    assert main(["validate", str(folder)]) in (0, 1)  # the checks the command then reuses
    reads: list[str] = []
    monkeypatch.setattr(NarrativeInFile, "read", lambda self: reads.append(self.path) or "")
    status = main([a.format(corpus=folder, out=tmp_path / "out") for a in argv])
    capsys.readouterr()
    assert status in (0, 1) and reads == []
