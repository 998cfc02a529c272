"""The journal: every answer on disk as it completes, and --resume that refuses a foreign run."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.engine.journal import JOURNAL_NAME, PREVIOUS_NAME, read_journal
from backtriage.harness.engine.session import RunStorage
from backtriage.harness.loading import InputError, load_corpus
from backtriage.harness.model import Decision, Presentation
from backtriage.harness.runs.evaluation import evaluate
from backtriage.scoring.policy import load_policy
from tests.support.engine_corpus import engine_corpus_dir
from tests.support.engine_helpers import quick
from tests.support.scripted_server import EMERGENCY, SELF_CARE


class Recording:
    """Answers correctly; can fail on chosen cases; remembers what it was asked."""

    def __init__(self, spec: str = "recording", fail: str | None = None):
        self.spec = spec
        self.fail = fail
        self.asked: list[str] = []
        self.lock = threading.Lock()

    def triage(self, presentation: Presentation) -> Decision:
        with self.lock:
            self.asked.append(presentation.narrative.rsplit(" ", 1)[-1])
        if self.fail and self.fail in presentation.narrative:
            raise RuntimeError("broken on purpose")
        return Decision.from_dict(EMERGENCY if "retention" in presentation.narrative else SELF_CARE)

    def describe(self) -> dict[str, Any]:
        return {"kind": "recording"}

    def close(self) -> None:
        pass


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    return engine_corpus_dir(tmp_path / "corpus", 8)


def _evaluate(system: Recording, corpus_dir: Path, out: Path, **storage: Any) -> Any:
    corpus = load_corpus([corpus_dir])
    return evaluate(system, corpus, load_policy(), quick(epochs=storage.pop("epochs", 1)),
                    RunStorage(output_dir=out, **storage))


def test_every_answer_is_journaled_after_a_header(corpus_dir: Path, tmp_path: Path) -> None:
    result = _evaluate(Recording(), corpus_dir, tmp_path / "out", epochs=2)
    lines = (tmp_path / "out" / JOURNAL_NAME).read_text().splitlines()
    header = json.loads(lines[0])
    assert header["format"] == "backtriage-journal"
    assert header["identity"]["system_spec"] == "recording"
    assert header["identity"]["epochs"] == 2 and header["identity"]["n_vignettes"] == 8
    assert header["identity"]["corpus_hash"] == result.corpus.content_hash
    assert len(lines) == 1 + 16
    journaled = sorted((json.loads(x)["vignette_id"], json.loads(x)["epoch"]) for x in lines[1:])
    assert journaled == [(r.vignette_id, r.epoch) for r in result.records]


def test_resume_asks_only_what_is_missing_and_drops_a_cut_last_line(
    corpus_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    full = _evaluate(Recording(), corpus_dir, out)
    path = out / JOURNAL_NAME
    lines = path.read_text().splitlines(keepends=True)
    # Keep the header and 3 answers, then half of the 4th: a run killed mid-write.
    path.write_text("".join(lines[:4]) + lines[4][: len(lines[4]) // 2])
    second = Recording()
    resumed = _evaluate(second, corpus_dir, out, resume=True)
    assert len(second.asked) == 5  # 8 - 3 complete answers
    assert [r.to_dict()["decision"] for r in resumed.records] == [
        r.to_dict()["decision"] for r in full.records]
    assert resumed.extra["run"] == {"resumed": 3, "cached": 0, "not_attempted": 0, "asked": 5}
    contents = read_journal(path)
    assert len(contents.records) == 8 and contents.good_bytes == path.stat().st_size
    assert resumed.started_at == full.started_at  # the run's first start is kept


def test_a_damaged_line_in_the_middle_is_refused(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _evaluate(Recording(), corpus_dir, out)
    path = out / JOURNAL_NAME
    lines = path.read_text().splitlines(keepends=True)
    lines[2] = "{garbage\n"
    path.write_text("".join(lines))
    with pytest.raises(InputError, match="line 3 is damaged"):
        _evaluate(Recording(), corpus_dir, out, resume=True)


def test_resume_without_a_journal_starts_afresh(corpus_dir: Path, tmp_path: Path) -> None:
    system = Recording()
    _evaluate(system, corpus_dir, tmp_path / "new", resume=True)
    assert len(system.asked) == 8


def test_a_fresh_run_keeps_the_previous_journal(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _evaluate(Recording(), corpus_dir, out)
    first = (out / JOURNAL_NAME).read_text()
    _evaluate(Recording(), corpus_dir, out)
    assert (out / PREVIOUS_NAME).read_text() == first


def test_retry_errors_asks_failed_answers_again(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = _evaluate(Recording(fail="Case 2."), corpus_dir, out)
    assert first.metrics["all"]["errors"] == 1
    plain = Recording()
    again = _evaluate(plain, corpus_dir, out, resume=True)
    assert plain.asked == [] and again.metrics["all"]["errors"] == 1  # identical to before
    fixed = Recording()
    healed = _evaluate(fixed, corpus_dir, out, resume=True, retry_errors=True)
    assert fixed.asked == ["2."] and healed.metrics["all"]["errors"] == 0


def _cli(out: Path, corpus_dir: Path, *extra: str) -> int:
    return main(["run", "--corpus", str(corpus_dir), "--output", str(out), "--quiet",
                 "--no-progress", *extra])


@pytest.mark.parametrize("changed", [
    ["--system", "baseline:never-image"],
    ["--system", "reference", "--epochs", "2"],
])
def test_resume_refuses_a_journal_from_a_different_run(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], changed: list[str]
) -> None:
    out = tmp_path / "out"
    assert _cli(out, corpus_dir, "--system", "reference") in (0, 1)
    before = (out / JOURNAL_NAME).read_text()
    assert _cli(out, corpus_dir, *changed, "--resume") == 2
    err = capsys.readouterr().err
    assert "--resume refused" in err and "different run" in err
    assert (out / JOURNAL_NAME).read_text() == before  # untouched


def test_resume_refuses_a_changed_corpus(corpus_dir: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert _cli(out, corpus_dir, "--system", "reference") in (0, 1)
    (corpus_dir / "e-0001.json").unlink()
    assert _cli(out, corpus_dir, "--system", "reference", "--resume") == 2
    assert "corpus_hash" in capsys.readouterr().err


def test_resume_with_other_concurrency_is_allowed(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _cli(out, corpus_dir, "--system", "reference", "--concurrency", "8") in (0, 1)
    status = _cli(out, corpus_dir, "--system", "reference", "--concurrency", "1", "--resume")
    assert status in (0, 1)
    doc = json.loads((out / "results.json").read_text())
    assert doc["run"]["resumed"] == 8 and doc["options"]["concurrency"] == 1


def test_retry_errors_needs_resume(corpus_dir: Path, tmp_path: Path) -> None:
    assert _cli(tmp_path / "o", corpus_dir, "--system", "reference", "--retry-errors") == 2


def test_answers_cut_by_the_time_cap_are_not_journaled_so_resume_asks_them(
    corpus_dir: Path, tmp_path: Path
) -> None:
    class Slow(Recording):
        def triage(self, presentation: Presentation) -> Decision:
            import time

            time.sleep(0.15)
            return super().triage(presentation)

    out = tmp_path / "out"
    corpus = load_corpus([corpus_dir])
    capped = evaluate(Slow(), corpus, load_policy(), quick(concurrency=1, max_total_seconds=0.5),
                      RunStorage(output_dir=out))
    done = 8 - capped.extra["run"]["not_attempted"]
    assert 1 <= done < 8 and capped.metrics["all"]["errors"] == 8 - done
    assert len(read_journal(out / JOURNAL_NAME).records) == done
    rest = Recording()
    finished = _evaluate(rest, corpus_dir, out, resume=True)
    assert len(rest.asked) == 8 - done and finished.metrics["all"]["errors"] == 0
