"""A small corpus and deliberately broken systems for the CI tests (plugin, compare, shards)."""

from __future__ import annotations

from pathlib import Path

from tests.support.factory import emergency_vignette, make_vignette, mixed_corpus, write_corpus

CI_IDS = (
    "t-ces-2",
    "t-contested",
    "t-emergency",
    "t-routine",
    "t-selfcare",
    "t-selfcare-2",
    "t-urgent",
)
"""The ids of :func:`ci_corpus`, sorted."""


def ci_corpus(folder: Path) -> Path:
    """The mixed corpus plus a second cauda equina vignette and a second self-care vignette.

    The reference system answers every one of them acceptably.
    """
    mixed_corpus(folder)
    write_corpus(folder, [emergency_vignette("t-ces-2"), make_vignette("t-selfcare-2")])
    return folder


_TEMPLATE = '''"""A reference triage with deliberate faults, for tests."""
from backtriage.harness.model import Presentation
from backtriage.harness.systems.reference import ReferenceTriage

_REFERENCE = ReferenceTriage()
MISS = {miss!r}
CRASH = {crash!r}
OVER_IMAGE = {over_image!r}


def triage(presentation):
    narrative = presentation["narrative"]
    decision = _REFERENCE.triage(Presentation(narrative, presentation["findings"])).to_dict()
    decision.pop("rationale", None)
    if any(f"({{vid}})" in narrative for vid in CRASH):
        raise RuntimeError("deliberate crash")
    if any(f"({{vid}})" in narrative for vid in MISS):
        decision.update(urgency="routine", imaging="none", category="radiculopathy",
                        suspected_conditions=[], rationale="sciatica, no red flag seen")
    if any(f"({{vid}})" in narrative for vid in OVER_IMAGE):
        decision.update(imaging="mri")
    return decision
'''


def faulty_system(
    folder: Path,
    name: str = "faulty",
    miss: tuple[str, ...] = (),
    crash: tuple[str, ...] = (),
    over_image: tuple[str, ...] = (),
) -> str:
    """Write a faulty system and return its spec (``python:FILE.py:triage``).

    Vignettes are recognised by the ``(id)`` the test factory puts in every narrative. ``miss``
    ids are answered routine / none (a critical miss on an emergency case), ``crash`` ids raise,
    ``over_image`` ids get an MRI.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.py"
    path.write_text(
        _TEMPLATE.format(miss=tuple(miss), crash=tuple(crash), over_image=tuple(over_image)),
        encoding="utf-8",
    )
    return f"python:{path}:triage"
