"""Two real runs for the HTML report tests: a clean reference run and a faulty, hostile one.

The faulty system misses a cauda equina case, crashes on one vignette, over-images another,
and writes markup into every text it returns; one vignette's narrative carries markup too.
Anything of it that ran as script would set ``window.__pwned`` or change the page title.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backtriage.harness.cli.main import main
from tests.support.ci_fixtures import ci_corpus
from tests.support.factory import make_vignette, write_corpus

INJECT = (
    "<script>window.__pwned = 'script'; document.title = 'pwned';</script>"
    "<img src=x onerror=\"window.__pwned = 'img'\">"
    '"><svg onload="window.__pwned = \'attr\'"></svg>'
    "</script><script>window.__pwned = 'close';</script>"
)
"""Markup that would run in four ways if it reached the page unescaped."""

HOSTILE_ID = "t-hostile-narrative"

FAULTY_LABEL = "faulty <img src=x onerror=\"window.__pwned = 'label'\">"
"""The faulty run's ``--label``: markup again, this time where attributes hold it too."""

_SYSTEM = '''"""A faulty triage that answers in markup, for the HTML report tests."""
from backtriage.harness.model import Decision, Presentation
from backtriage.harness.systems.protocol import Reply
from backtriage.harness.systems.reference import ReferenceTriage

_REFERENCE = ReferenceTriage()
INJECT = {inject!r}


def triage(presentation):
    narrative = presentation["narrative"]
    decision = _REFERENCE.triage(Presentation(narrative, presentation["findings"])).to_dict()
    if "(t-selfcare)" in narrative:
        raise RuntimeError("deliberate crash " + INJECT)
    if "(t-ces-2)" in narrative:
        decision.update(urgency="routine", imaging="none", category="radiculopathy",
                        suspected_conditions=[])
    if "(t-selfcare-2)" in narrative:
        decision.update(imaging="mri")
    decision["rationale"] = "rationale " + INJECT
    return Reply(Decision.from_dict(decision), raw="Raw prose answer. " + INJECT)
'''


def report_corpus(folder: Path) -> Path:
    """The CI corpus plus a self-care vignette whose narrative holds :data:`INJECT`."""
    ci_corpus(folder)
    hostile = make_vignette(HOSTILE_ID)
    hostile["presentation"]["narrative"] += " The patient pasted this: " + INJECT
    write_corpus(folder, [hostile])
    return folder


def make_runs(folder: Path) -> tuple[Path, Path, Path]:
    """Run the reference and the faulty system on :func:`report_corpus`.

    Returns:
        The corpus folder and the two results files (reference, faulty).
    """
    corpus = report_corpus(folder / "corpus")
    system = folder / "hostile_system.py"
    system.write_text(_SYSTEM.format(inject=INJECT), encoding="utf-8")
    runs = []
    runs_to_make = (
        ("reference", "reference", []),
        ("faulty", f"python:{system}:triage", ["--label", FAULTY_LABEL]),
    )
    for name, spec, label in runs_to_make:
        out = folder / name
        args = ["run", "--system", spec, "--corpus", str(corpus), "--output", str(out)]
        status = main([*args, "--quiet", *label])
        assert status in (0, 1), f"run of {spec} ended with {status}"
        runs.append(out / "results.json")
    return corpus, runs[0], runs[1]


def read(path: Path) -> dict[str, Any]:
    """Read a results file as plain JSON (tests only)."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def misses(path: Path) -> set[str]:
    """Ids of the vignettes of a run that the report must list under "misses"."""
    kinds = {"critical_miss", "major_miss", "minor_under_triage", "missed_imaging"}
    return {v["id"] for v in read(path)["vignettes"] if kinds & set(v["outcomes"])}
