"""Checks a schema cannot express: unique ids, known sources, coherent labels, the safety floor."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from backtriage.harness.loading.problems import Problem
from backtriage.harness.loading.safety_floor import contested_problems, floor_problems

_NO_CONDITION_CATEGORIES = frozenset({"nonspecific", "radiculopathy", "spinal_stenosis"})


def semantic_problems(
    loaded: Sequence[tuple[Path, Mapping[str, Any]]],
    bibliography: Mapping[str, Any],
) -> list[Problem]:
    """Return the semantic problems of schema-valid vignettes."""
    problems: list[Problem] = []
    first_file: dict[str, Path] = {}
    for file, data in loaded:
        vid = data["id"]
        if vid in first_file:
            problems.append(
                Problem(
                    str(file),
                    "/id",
                    f"duplicate id {vid!r} (also in {first_file[vid]})",
                    vignette_id=vid,
                )
            )
        else:
            first_file[vid] = file
        problems.extend(_vignette_problems(str(file), data, bibliography))
    return problems


def _vignette_problems(file: str, data: Mapping[str, Any], bib: Mapping[str, Any]) -> list[Problem]:
    vid = data["id"]
    out: list[Problem] = []

    def err(pointer: str, message: str) -> None:
        out.append(Problem(file, pointer, message, "error", vid))

    if Path(file).stem != vid:
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
