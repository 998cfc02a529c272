"""The must-not-miss questions a presentation leaves open (labeling guide, "Open questions").

A sparse message rarely says whether the bladder works or the saddle area feels normal. The
history is not negative, it is incomplete, and a safe answer either asks (``questions``) or
tells the person what to act on at once (``safety_net``). This module is the labeling rule
that says which questions a case leaves open; the scorer records ``missing_safety_net`` when an
answer covers none of them by either field, and the reference asks them.

The rule, with its sources (``vignettes/sources.json``):

- **Cauda equina questions** (GIRFT 2023 primary-care pathway, which builds CES safety-netting
  into the care of back pain with leg symptoms; NICE CKS sciatica 2018; the digest's rows 3, 7
  and 10): with leg symptoms, numbness of the back or trunk, or new sexual dysfunction, each of
  bladder, bowel and saddle sensation that is ``not_stated`` is open.
- **Leg weakness and its course** (ACP 2007 R3, digest row 6; CKS 2018 bilateral sciatica, row
  9): with leg symptoms or numbness of the back, unstated weakness is open (``weakness``); with
  leg symptoms, an unstated course is open (``bilateral_or_progressive_leg_symptoms``).
- **Fever** (ACP 2007 and 2011, digest row 14): unstated fever with an infection risk
  (immunosuppression, injecting drug use, a bacterial source, a recent spinal procedure).
- **Cancer history** (ACP 2007 red flags, digest rows 11 and 13): an unstated cancer history at
  50 or over, or with pain at night or rest, or unexplained weight loss.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

UNKNOWN = frozenset({"not_stated", "not_examined"})

LEG_SITES = frozenset({"one_leg_dermatomal", "leg_non_dermatomal", "both_legs", "buttock"})
BACK_SITES = frozenset({"localised_back", "back_one_side", "back_band", "truncal_band"})
INFECTION_RISKS = ("immunosuppression", "iv_drug_use", "bacterial_source",
                   "recent_spinal_procedure")  # fmt: skip
CANCER_AGE = 50

SOURCES = ("girft-ces-2023", "cks-sciatica-2018", "acp-2007", "acp-2011")
"""Where the rule comes from (ids in the bibliography)."""


def _unknown(value: Any) -> bool:
    if isinstance(value, list | tuple):
        return bool(value) and all(v in UNKNOWN for v in value)
    return value in UNKNOWN


def _true(f: Mapping[str, Any], name: str) -> bool:
    return f.get(name) is True


def leg_symptoms(f: Mapping[str, Any]) -> bool:
    """Leg pain, leg numbness, or leg weakness is part of the presentation."""
    sites = set(f.get("numbness_sites") or ())
    weakness = f.get("weakness")
    return (
        f.get("leg_pain") in ("one_side", "both")
        or bool(sites & LEG_SITES)
        or (weakness is not None and weakness not in ("none", *UNKNOWN))
    )


def back_numbness(f: Mapping[str, Any]) -> bool:
    """Numbness of the back itself or a band round the trunk."""
    return bool(set(f.get("numbness_sites") or ()) & BACK_SITES)


def open_questions(f: Mapping[str, Any]) -> tuple[str, ...]:
    """The safety-net topics (decision vocabulary) the findings leave open, in topic order."""
    legs = leg_symptoms(f)
    back = back_numbness(f)
    topics: list[str] = []
    if legs or back or _true(f, "new_sexual_dysfunction"):
        if _unknown(f.get("bladder")):
            topics.append("bladder")
        if _unknown(f.get("bowel")):
            topics.append("bowel")
        if _unknown(f.get("saddle_sensation")):
            topics.append("saddle")
    if legs and _unknown(f.get("trajectory")):
        topics.append("bilateral_or_progressive_leg_symptoms")
    if (legs or back) and _unknown(f.get("weakness")):
        topics.append("weakness")
    if _unknown(f.get("fever")) and any(_true(f, r) for r in INFECTION_RISKS):
        topics.append("fever")
    age = f.get("age")
    older = isinstance(age, int) and age >= CANCER_AGE
    if _unknown(f.get("cancer_history")) and (
        older or _true(f, "night_or_rest_pain") or _true(f, "unexplained_weight_loss")
    ):
        topics.append("cancer_history")
    return tuple(topics)
