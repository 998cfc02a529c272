"""Checks a schema cannot express: unique ids, known sources, coherent labels, the safety floor."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from backtriage.harness.loading.corpus_check import run_check
from backtriage.harness.loading.problems import Problem
from backtriage.harness.loading.safety_floor import contested_problems, floor_problems

_NO_CONDITION_CATEGORIES = frozenset({"nonspecific", "radiculopathy", "spinal_stenosis"})


def semantic_problems(
    loaded: Sequence[tuple[Path, Mapping[str, Any]]],
    bibliography: Mapping[str, Any],
) -> list[Problem]:
    """Return the semantic problems of schema-valid vignettes."""
    return run_check(SemanticCheck(bibliography), loaded)


class SemanticCheck:
    """:func:`semantic_problems` one vignette at a time; keeps each id's first file."""

    def __init__(self, bibliography: Mapping[str, Any]) -> None:
        self._bibliography = bibliography
        self._first_file: dict[str, str] = {}  # strings: a Path each would cost more
        self._problems: list[Problem] = []

    def add(self, file: str | Path, data: Mapping[str, Any]) -> None:
        """Check one vignette, and its id against those seen before."""
        vid = data["id"]
        if vid in self._first_file:
            self._problems.append(
                Problem(
                    str(file),
                    "/id",
                    f"duplicate id {vid!r} (also in {self._first_file[vid]})",
                    vignette_id=vid,
                )
            )
        else:
            self._first_file[vid] = str(file)
        self._problems.extend(_vignette_problems(str(file), data, self._bibliography))

    def problems(self) -> list[Problem]:
        """Every problem found, in file order."""
        return self._problems


def _vignette_problems(file: str, data: Mapping[str, Any], bib: Mapping[str, Any]) -> list[Problem]:
    vid = data["id"]
    out: list[Problem] = []

    def err(pointer: str, message: str) -> None:
        out.append(Problem(file, pointer, message, "error", vid))

    # The stem as Path gives it, without a Path: pathlib interns every name it parses.
    if os.path.splitext(os.path.basename(file))[0] != vid:
        err("/id", f"file name should be {vid}.json so the id can be found by name")

    for pointer, cite in _citations(data):
        if cite["id"] not in bib:
            err(pointer, f"unknown source id {cite['id']!r}: not in the bibliography")

    findings = data["presentation"]["findings"]
    saddle_site = "saddle_perineal" in findings["numbness_sites"]
    if saddle_site != (findings["saddle_sensation"] == "altered"):
        err(
            "/presentation/findings/saddle_sensation",
            "saddle_sensation is 'altered' exactly when numbness_sites holds 'saddle_perineal'",
        )

    expected = data["expected"]
    if expected["urgency"] == "emergency" and not expected["suspected_conditions"]:
        err(
            "/expected/suspected_conditions",
            "an emergency vignette must name a suspected condition",
        )
    if expected["category"] in _NO_CONDITION_CATEGORIES and expected["suspected_conditions"]:
        err(
            "/expected/suspected_conditions",
            f"category {expected['category']!r} takes no suspected conditions (contract section 1)",
        )
    for field, values in data.get("acceptable", {}).items():
        if expected[field] in values:
            err(f"/acceptable/{field}", f"repeats the expected value {expected[field]!r}")

    floor_problems(data, err)
    contested_problems(data, err)
    return out


def _citations(data: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    cites = [(f"/sources/{i}/id", c) for i, c in enumerate(data["sources"])]
    for p, position in enumerate(data.get("positions", [])):
        cites += [(f"/positions/{p}/sources/{i}/id", c) for i, c in enumerate(position["sources"])]
    return cites
