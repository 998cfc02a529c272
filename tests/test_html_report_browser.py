"""The HTML report as a person sees it, in headless Chromium.

Chromium is Debian's ``chromium`` package; ``.ci/run`` installs it when it is missing. Without
it these tests fail (they are the report's proof); set ``BACKTRIAGE_SKIP_BROWSER=1`` to skip
them on a machine that cannot have a browser. The screenshot goes to ``BACKTRIAGE_ARTIFACTS``
(a folder) when set, else to pytest's temporary folder; its path is printed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.main import main
from tests.support.chromium import Browser, find_chromium
from tests.support.report_runs import FAULTY_LABEL, HOSTILE_ID, make_runs, misses, read

SKIP_ENV = "BACKTRIAGE_SKIP_BROWSER"


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found:
        return found
    if os.environ.get(SKIP_ENV) == "1":
        pytest.skip(f"no Chromium on this machine and {SKIP_ENV}=1")
    pytest.fail(
        "Chromium is needed to test the HTML report: install Debian's 'chromium' package "
        f"(.ci/run does), or set {SKIP_ENV}=1 to skip these tests knowingly"
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("html-report")
    _corpus, reference, faulty = make_runs(folder)
    page = folder / "report.html"
    assert main(["report", str(reference), str(faulty), "--html", str(page)]) == 0
    return {"page": page, "runs": [reference, faulty], "folder": folder}


@pytest.fixture(scope="module")
def chromium_browser(chromium: str) -> Iterator[Browser]:
    with Browser(chromium) as b:
        yield b


@pytest.fixture
def browser(chromium_browser: Browser, report: dict[str, Any]) -> Browser:
    """The browser with the report freshly loaded (no filter clicked, no row open)."""
    chromium_browser.open(report["page"].resolve().as_uri())
    return chromium_browser


_POINTS = """(() => {
  const centre = (e) => { const r = e.getBoundingClientRect();
                          return [r.left + r.width / 2, r.top + r.height / 2]; };
  const ticks = (axis) => Array.from(document.querySelectorAll('.tick-' + axis)).map((t) => {
    const r = t.querySelector('line').getBoundingClientRect();
    return [Number(t.dataset.value), axis === 'x' ? r.left : r.top];
  });
  return {
    count: document.querySelectorAll('svg.chart circle').length,
    points: Array.from(document.querySelectorAll('svg.chart .run-point')).map((g) => ({
      label: g.querySelector('.point-label').textContent,
      full: g.getAttribute('data-label'),
      centre: centre(g.querySelector('circle.point')),
    })),
    x: ticks('x'),
    y: ticks('y'),
  };
})()"""


def _screen(ticks: list[list[float]], value: float) -> float:
    """Where ``value`` lies on screen, read off the first and last tick the page drew."""
    (v0, p0), (v1, p1) = ticks[0], ticks[-1]
    return p0 + (p1 - p0) * (value - v0) / (v1 - v0)


def test_the_chart_shows_one_point_per_run_where_its_rates_say(
    browser: Browser, report: dict[str, Any]
) -> None:
    seen = browser.evaluate(_POINTS)
    docs = [read(p) for p in report["runs"]]
    assert seen["count"] == len(docs) == len(seen["points"])
    # Each point is labelled with the run's --label, else its system spec, as written; a label
    # too long for its side of the chart is cut with an ellipsis (its tooltip has it whole).
    assert [p["full"] for p in seen["points"]] == ["reference", FAULTY_LABEL]
    for point in seen["points"]:
        shown = point["label"].removesuffix("…")
        assert point["full"].startswith(shown) and len(shown) >= min(len(point["full"]), 20)
    for point, doc in zip(seen["points"], docs, strict=True):
        rates = doc["metrics"]["rates"]
        x = _screen(seen["x"], rates["over_imaging_rate"]["value"])
        y = _screen(seen["y"], rates["critical_miss_rate"]["value"])
        assert point["centre"] == pytest.approx([x, y], abs=1.5), point["label"]
    # The faulty run missed one of two emergencies and over-imaged: up and to the right.
    (ref, bad) = seen["points"]
    assert bad["centre"][0] > ref["centre"][0] and bad["centre"][1] < ref["centre"][1]


_VISIBLE_ROWS = """Array.from(document.querySelectorAll('details.vrow'))
  .filter((row) => row.getClientRects().length > 0)
  .map((row) => [row.dataset.run, row.dataset.id])"""


def test_the_miss_filter_shows_exactly_the_misses_when_clicked(
    browser: Browser, report: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    reference, faulty = report["runs"]
    total = len(read(reference)["vignettes"]) + len(read(faulty)["vignettes"])
    assert len(browser.evaluate(_VISIBLE_ROWS)) == total

    browser.click_selector('button[data-filter="miss"]')
    shown = browser.evaluate(_VISIBLE_ROWS)
    expected = [["0", v] for v in sorted(misses(reference))] + [
        ["1", v] for v in sorted(misses(faulty))
    ]
    assert sorted(shown) == sorted(expected) and shown, shown
    assert browser.evaluate("document.getElementById('shown-count').textContent") == (
        f"{len(expected)} of {total} rows shown"
    )

    browser.click_selector('details.vrow[data-id="t-ces-2"][data-run="1"] > summary')
    assert browser.evaluate(
        'document.querySelector(\'details.vrow[data-id="t-ces-2"][data-run="1"]\').open'
    )
    _save_screenshot(browser, report, request)

    browser.click_selector('button[data-filter="error"]')
    assert browser.evaluate(_VISIBLE_ROWS) == [["1", "t-selfcare"]]
    browser.click_selector('button[data-filter="all"]')
    assert len(browser.evaluate(_VISIBLE_ROWS)) == total


def test_markup_in_answers_and_narratives_is_shown_as_text_and_never_runs(
    browser: Browser, report: dict[str, Any]
) -> None:
    for vid in (HOSTILE_ID, "t-selfcare", "t-ces-2"):
        browser.click_selector(f'details.vrow[data-id="{vid}"][data-run="1"] > summary')
    state = browser.evaluate(
        "({pwned: typeof window.__pwned, title: document.title,"
        " scripts: document.scripts.length, images: document.images.length,"
        " handlers: document.querySelectorAll('[onerror], [onload]').length,"
        ' text: document.querySelector(\'details.vrow[data-id="t-hostile-narrative"]'
        '[data-run="1"]\').innerText})'
    )
    assert state["pwned"] == "undefined"
    assert state["title"].startswith("backtriage report")
    assert (state["scripts"], state["images"], state["handlers"]) == (1, 0, 0)
    # A person reads the markup as the system wrote it: in the narrative, the rationale and
    # the raw answer.
    assert state["text"].count("<script>window.__pwned = 'script';") >= 3


def _save_screenshot(
    browser: Browser, report: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    folder = Path(os.environ.get("BACKTRIAGE_ARTIFACTS") or report["folder"])
    folder.mkdir(parents=True, exist_ok=True)
    browser.evaluate("document.getElementById('vignettes-section').scrollIntoView()")
    path = browser.screenshot(folder / "html-report-misses.png")
    assert path.stat().st_size > 10_000
    # tests/conftest.py prints every "screenshot" property in the terminal summary (also
    # under xdist, whose workers have no terminal); JUnit reports carry it too.
    request.node.user_properties.append(("screenshot", str(path)))
