"""A lay message may not report an examination its writer could not make, unless it says who did.

Reflexes, a straight-leg raise, leg pulses, a bladder scan or blood results are found by a
clinician. A patient's message that reports one must say who examined (the GP, a
nurse, the paramedic, a physio, a pharmacist...) or name the device the writer used (a home
blood-pressure monitor, a thermometer); otherwise the finding is a bystander's examination put
in a patient's mouth, which no real chatbot user could supply.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from backtriage.harness.loading.corpus_check import run_check
from backtriage.harness.loading.problems import Problem

_UNKNOWN = ("not_stated", "not_examined")

EXAMINED_BY_CLINICIAN = (
    "reflexes", "straight_leg_raise", "umn_signs", "leg_pulses_reduced", "arm_bp_difference",
    "post_void_residual_ml", "crp",
)  # fmt: skip
"""Findings only an examiner or a test provides. A sensory level, a tender spot, a throbbing
lump or a temperature a person can notice or take themselves, so those are not listed."""

MEASURED_AT_HOME = ("systolic_bp", "pulse")
"""Findings a person can measure with a device (a home monitor, a watch), if the message says so."""

_EXAMINER = re.compile(
    r"\b(?:doctor|dr|gp|nurse|paramedic|ambulance crew|physio\w*|pharmacist|midwife|chiro\w*|"
    r"osteopath|consultant|surgeon|a&e|er doc\w*|urgent care|clinic|hospital|examined|"
    r"checked|tested|tapped|scan(?:ned)?|blood test|bloods|results?|they said|was told|"
    r"told me|said (?:my|there|it|the))\b",
    re.IGNORECASE,
)
_DEVICE = re.compile(
    r"\b(?:thermometer|monitor|machine|cuff|watch|fitbit|oximeter|smart ?watch|reading|read)\b",
    re.IGNORECASE,
)


def lay_exam_problems(loaded: Sequence[tuple[Path, Mapping[str, Any]]]) -> list[Problem]:
    """An error for each lay vignette reporting an unattributed examination finding."""
    return run_check(LayExamCheck(), loaded)


class LayExamCheck:
    """:func:`lay_exam_problems` one vignette at a time (each is checked on its own)."""

    def __init__(self) -> None:
        self._problems: list[Problem] = []

    def add(self, file: str | Path, data: Mapping[str, Any]) -> None:
        """Check one vignette."""
        if data.get("register") != "lay":
            return
        findings = data["presentation"]["findings"]
        narrative = data["presentation"]["narrative"]
        examined = [k for k in EXAMINED_BY_CLINICIAN if _present(findings.get(k))]
        measured = [k for k in MEASURED_AT_HOME if _present(findings.get(k))]
        if examined and not _EXAMINER.search(narrative):
            self._problems.append(_problem(file, data, examined, "who examined"))
        elif measured and not (_EXAMINER.search(narrative) or _DEVICE.search(narrative)):
            self._problems.append(_problem(file, data, measured, "who measured it, or with what"))

    def problems(self) -> list[Problem]:
        """Every problem found, in file order."""
        return self._problems


def _present(value: Any) -> bool:
    if value is None or value is False or value in _UNKNOWN:
        return False
    return not (isinstance(value, str) and value == "normal_not_tested")


def _problem(
    file: str | Path, data: Mapping[str, Any], keys: list[str], missing: str
) -> Problem:
    return Problem(
        str(file),
        f"/presentation/findings/{keys[0]}",
        f"a lay message reports {', '.join(keys)} but does not say {missing}; a patient "
        "cannot examine this themselves (say who did, in lay words, or use not_examined)",
        "error",
        data.get("id"),
    )
