"""The HTML report without a browser: command, escaping, safety nets, narratives, chart geometry.

What a person sees in Chromium is tested in test_html_report_browser.py.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backtriage.harness.cli.main import main
from backtriage.harness.runs.case_texts import CaseTexts
from backtriage.scoring.reports.html import build_runs, render_html
from backtriage.scoring.reports.html.chart import (
    CHAR_WIDTH,
    LEFT,
    RIGHT,
    WIDTH,
    Axis,
    axis_scale,
    fit_label,
)
from tests.support.report_runs import HOSTILE_ID, INJECT, make_runs, read


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    return make_runs(tmp_path_factory.mktemp("runs"))


@pytest.fixture
def doc(runs: tuple[Path, Path, Path]) -> dict[str, Any]:
    """The reference run's results, cut to three vignettes (a fresh copy for each test)."""
    document = read(runs[1])
    document["vignettes"] = [v for v in document["vignettes"] if v["id"] != HOSTILE_ID][:3]
    # Without the optional safety-net fields, as a system that does not report them answers.
    for v in document["vignettes"]:
        for a in v["answers"]:
            for field in ("safety_net", "questions"):
                (a["decision"] or {}).pop(field, None)
    return copy.deepcopy(document)


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text of each script and style element."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open = tag if tag in self.inline else None

    def handle_data(self, data: str) -> None:
        if self._open:
            self.inline[self._open].append(data)

    def handle_endtag(self, tag: str) -> None:
        self._open = None


def _parse(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def _report(tmp_path: Path, *results: Path) -> str:
    out = tmp_path / "report.html"
    assert main(["report", *map(str, results), "--html", str(out)]) == 0
    return out.read_text(encoding="utf-8")


def test_report_writes_one_self_contained_page(
    runs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, reference, faulty = runs
    page = _report(tmp_path, reference, faulty)
    assert f"html report: {tmp_path / 'report.html'}" in capsys.readouterr().out
    parsed = _parse(page)
    # Nothing is fetched: no external script, style sheet, image, font or frame.
    for tag, attrs in parsed.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed"), tag
        assert "src" not in attrs, (tag, attrs)
    assert [t for t, _ in parsed.tags].count("script") == 1
    assert [t for t, _ in parsed.tags].count("style") == 1
    # The security policy allows exactly the inline style and script, by hash.
    (csp,) = [
        a["content"] for t, a in parsed.tags if a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp is not None and "default-src 'none'" in csp
    for kind in ("script", "style"):
        digest = hashlib.sha256("".join(parsed.inline[kind]).encode()).digest()
        assert f"{kind}-src 'sha256-{base64.b64encode(digest).decode()}'" in csp
    assert page.count('class="run-point"') == 2
    assert page.count('class="confusion"') == 2


def test_text_from_answers_and_narratives_is_escaped_everywhere(
    runs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    _, reference, faulty = runs
    page = _report(tmp_path, reference, faulty)
    parsed = _parse(page)
    # No tag or event handler of the injected markup became an element or an attribute.
    assert not [t for t, _ in parsed.tags if t in ("img",)]
    assert not [a for _, a in parsed.tags if any(k.startswith("on") for k in a)]
    assert "window.__pwned" not in "".join(parsed.inline["script"])
    escaped = INJECT.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&quot;").replace("'", "&#x27;")
    # Narrative, rationale, raw answer and error message each show it, as text.
    assert page.count(escaped) >= 4
    assert "</script><script>" not in page.replace(INJECT, "")


def test_a_label_with_quotes_cannot_leave_its_attribute(doc: dict[str, Any]) -> None:
    doc["system"]["spec"] = 'x" onmouseover="window.__pwned=1" data-x="'
    parsed = _parse(render_html(build_runs([("a.json", doc)])))
    assert not [a for _, a in parsed.tags if any(k.startswith("on") for k in a)]
    labelled = [a["data-label"] for t, a in parsed.tags if "data-label" in a]
    assert labelled == [doc["system"]["spec"]]


def test_bad_results_file_exits_2_naming_the_file(
    runs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, reference, _ = runs
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    invalid = tmp_path / "invalid.json"
    doc = read(reference)
    del doc["metrics"]
    invalid.write_text(json.dumps(doc), encoding="utf-8")
    missing = tmp_path / "missing.json"
    out = tmp_path / "r.html"
    for bad in (broken, invalid, missing):
        assert main(["report", str(reference), str(bad), "--html", str(out)]) == 2
        err = capsys.readouterr().err
        assert str(bad) in err and "Traceback" not in err
        assert str(reference) not in err
    assert not out.exists()


def test_html_path_that_is_a_folder_exits_2(
    runs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, reference, _ = runs
    assert main(["report", str(reference), "--html", str(tmp_path)]) == 2
    assert f"{tmp_path}: is a folder" in capsys.readouterr().err


def test_a_vignette_changed_since_the_run_shows_no_narrative(
    runs: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    corpus, reference, _ = runs
    changed = tmp_path / "corpus"
    changed.mkdir()
    for f in corpus.iterdir():
        changed.joinpath(f.name).write_bytes(f.read_bytes())
    vignette = json.loads((changed / "t-routine.json").read_text(encoding="utf-8"))
    vignette["presentation"]["narrative"] += " An edited sentence after the run."
    (changed / "t-routine.json").write_text(json.dumps(vignette), encoding="utf-8")
    out = tmp_path / "r.html"
    assert main(["report", str(reference), "--corpus", str(changed), "--html", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "An edited sentence" not in page
    assert "content hash changed" in page
    assert "(t-emergency)" in page  # unchanged vignettes keep their narrative


def test_a_run_whose_corpus_no_longer_loads_still_gets_its_report(
    runs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, reference, _ = runs
    broken = tmp_path / "moved-on"
    broken.mkdir()
    (broken / "t-routine.json").write_text("{not json", encoding="utf-8")
    doc = read(reference)
    doc["corpus"]["roots"] = [str(broken)]
    results = tmp_path / "results.json"
    results.write_text(json.dumps(doc), encoding="utf-8")
    out = tmp_path / "r.html"
    # The recorded corpus fails to load, the bundled one lacks these test vignettes: the page
    # is written without narratives and says why.
    assert main(["report", str(results), "--html", str(out)]) == 0
    assert "has no vignette with this id" in out.read_text(encoding="utf-8")
    # Asked for explicitly, a corpus with errors is bad input.
    assert main(["report", str(results), "--corpus", str(broken), "--html", str(out)]) == 2
    assert f"{broken / 't-routine.json'}" in capsys.readouterr().err


def test_safety_net_coverage_says_not_recorded_when_no_answer_carries_it(
    doc: dict[str, Any],
) -> None:
    page = render_html(build_runs([("a.json", doc)]))
    table = page[page.index('class="safety-nets"') :]
    table = table[: table.index("</table>")]
    assert table.count("not recorded") == 3


def test_safety_net_coverage_counts_the_answers_that_record_the_fields(doc: dict[str, Any]) -> None:
    answers = [a for v in doc["vignettes"] for a in v["answers"]]
    answers[0]["decision"]["safety_net"] = ["bladder", "saddle"]
    answers[0]["decision"]["questions"] = []
    answers[1]["decision"]["safety_net"] = []
    page = render_html(build_runs([("a.json", doc)]))
    table = page[page.index('class="safety-nets"') :]
    table = table[: table.index("</table>")]
    # safety net: 1 of the 2 answers that record it; questions: 0 of 1; either: 1 of 2.
    assert "1/2 = 50.0%" in table and "recorded in 2 of 3 answers" in table
    assert "0/1 = 0.0%" in table
    assert "bladder (1)" in table


def test_the_deciding_sentence_of_each_extracted_field_is_shown(doc: dict[str, Any]) -> None:
    # The form the prose extractor stores with each answer (metadata.extraction).
    answer = doc["vignettes"][0]["answers"][0]
    answer["metadata"] = {
        "extraction": {
            "extractor": "rules-v1",
            "evidence": {
                "urgency": "Go to A&E <now> if you cannot pee.",
                "imaging": None,
                "safety_net": "If your legs get weaker, call 999. | Watch for a fever.",
            },
        },
        "model": "m-1",
    }
    page = render_html(build_runs([("a.json", doc)]))
    block = page[page.index('data-field="extraction"') :]
    block = block[: block.index("</table>")]
    assert "Deciding sentences (extractor rules-v1)" in block
    assert "<q>Go to A&amp;E &lt;now&gt; if you cannot pee.</q>" in block
    assert "no sentence: the extractor's default" in block
    assert "<q>If your legs get weaker, call 999.</q><br><q>Watch for a fever.</q>" in block
    # Read as: the answer's own value of the field.
    urgency = answer["decision"]["urgency"].replace("_", " ")
    assert f'<th scope="row">urgency</th><td>{urgency}</td>' in block
    # Other metadata stays under "metadata"; the extraction is not shown twice.
    assert page.count("rules-v1") == 1 and "m-1" in page


def test_other_answer_fields_are_shown_as_they_are(doc: dict[str, Any]) -> None:
    answer = doc["vignettes"][0]["answers"][0]
    answer["traceback"] = "Traceback: <boom>"
    answer["unavailable"] = False
    page = render_html(build_runs([("a.json", doc)]))
    assert 'class="extra" data-field="traceback"' in page and "Traceback: &lt;boom&gt;" in page
    assert 'data-field="unavailable"' not in page  # an unset flag says nothing


def test_runs_that_share_a_label_are_told_apart_by_file(doc: dict[str, Any]) -> None:
    labels = [r.label for r in build_runs([("a.json", doc), ("b.json", doc), ("b.json", doc)])]
    assert labels == ["reference (a.json)", "reference (b.json)", "reference (b.json) #2"]


def test_narratives_come_from_the_case_texts(doc: dict[str, Any]) -> None:
    vid = doc["vignettes"][0]["id"]
    texts = CaseTexts(narratives={vid: "She cannot feel the toilet paper."}, corpus="c")
    page = render_html(build_runs([("a.json", doc)], [texts]))
    assert "She cannot feel the toilet paper." in page
    unreadable = CaseTexts(unreadable="c could not be read: broken")
    page = render_html(build_runs([("a.json", doc)], [unreadable]))
    assert "not shown: c could not be read: broken" in page


@given(largest=st.floats(min_value=0.0, max_value=1.0))
def test_an_axis_always_holds_the_largest_interval_bound_and_ends_on_a_tick(
    largest: float,
) -> None:
    maximum, step = axis_scale(largest)
    axis = Axis(maximum, step, 0.0, 100.0)
    assert largest <= maximum
    assert axis.ticks()[0] == 0 and axis.ticks()[-1] == pytest.approx(maximum)
    assert axis.at(0) == 0 and axis.at(maximum) == pytest.approx(100.0)


@given(
    label=st.text(min_size=1, max_size=200), cx=st.floats(min_value=LEFT, max_value=WIDTH - RIGHT)
)
def test_a_point_label_never_runs_past_the_chart_edges(label: str, cx: float) -> None:
    text, anchor, x = fit_label(label, cx)
    width = len(text) * CHAR_WIDTH
    assert (x + width <= WIDTH) if anchor == "start" else (x - width >= 0)
    assert text == label or text.endswith("…")


def test_every_rate_of_the_results_is_in_the_rates_table(runs: tuple[Path, Path, Path]) -> None:
    _, reference, _ = runs
    doc = read(reference)
    page = render_html(build_runs([("a.json", doc)]))
    shown = set(re.findall(r'data-metric="([a-z_0-9]+)"', page))
    assert shown == set(doc["metrics"]["rates"])


def test_a_graded_prose_answer_shows_the_sentence_that_decided_it(
    tmp_path: Path, bundled_corpus: Any
) -> None:
    """An answer collected as prose, graded, then reported: the deciding sentences are there."""
    emergency = next(
        v
        for v in bundled_corpus.vignettes
        if v.expected.urgency == "emergency" and v.label_status == "consensus"
    )
    prose = (
        "This sounds like sciatica. See your GP within a couple of weeks. "
        "You do not need an MRI now. If you lose bladder control, go to A&E straight away."
    )
    answers = tmp_path / "answers.jsonl"
    row = {"vignette_id": emergency.id, "answer": prose, "system": "chatbot-x"}
    answers.write_text(json.dumps(row) + "\n", encoding="utf-8")
    out = tmp_path / "graded"
    status = main(["grade", str(answers), "--subset", "--output", str(out), "--quiet"])
    assert status in (0, 1)
    page = _report(tmp_path, out)
    block = page[page.index('data-field="extraction"') :]
    block = block[: block.index("</table>")]
    assert "Deciding sentences (extractor rules-v" in block
    assert "See your GP within a couple of weeks." in block
    assert "If you lose bladder control, go to A&amp;E straight away." in block
    # The downgraded emergency is a critical miss, and the row says so.
    row_html = page[page.index(f'data-id="{emergency.id}"') :]
    assert 'class="badge miss">critical miss<' in row_html[: row_html.index("</summary>")]
