"""What counts as abnormal, so that no abnormal case falls through the rule table to self care.

The rule table ends with rows that send a case to routine review or self care. Those rows are
meant for presentations with nothing abnormal in them. The predicates here name every finding
that is abnormal in its own right: an objective neurological deficit, inability to walk, signs
of limb ischaemia or shock, and systemic illness. Rows U1 and U2 catch what no specific row
explains (``rules.py``), and a Hypothesis property holds the table to it
(``tests/test_reference_fallthrough.py``).
"""

from __future__ import annotations

from backtriage.harness.systems.reference.findings import (
    UNKNOWN,
    Findings,
    bladder_ces,
    bowel_ces,
    febrile,
    flag,
    limb_ischaemia,
    numb,
    saddle_altered,
    shocked,
    values,
)

NEURO_SITES = (
    "one_leg_dermatomal",
    "leg_non_dermatomal",
    "both_legs",
    "saddle_perineal",
    "feet_stocking",
    "hands",
    "truncal_band",
    "back_band",
    "buttock",
)
"""Numbness sites that are a neurological sign. A patch or one side of the back over a sore
area (``localised_back``, ``back_one_side``) and the lateral thigh (meralgia) are not."""


def life_threatening_signs(f: Findings) -> list[str]:
    """Signs that make any case an emergency, whichever row matched (the emergency floor).

    Shock, an ischaemic leg, breathing or swallowing affected, or not being able to walk need
    assessment within hours whatever the cause: a febrile back pain in shock is sepsis before it
    is a question of spinal imaging. Sphincter change and weakness are left to their own rows,
    which the guide times by course (CES4, N1).
    """
    signs = {
        "shock (low pressure, collapse, faint, pale or clammy)": shocked(f),
        "limb ischaemia (cold leg or reduced pulses)": limb_ischaemia(f),
        "cannot walk": flag(f, "unable_to_walk"),
        "swallowing, speech or breathing affected": flag(f, "bulbar_or_breathing_symptoms"),
    }
    return [name for name, present in signs.items() if present]


def emergency_signs(f: Findings) -> list[str]:
    """Abnormal findings that need assessment within hours whatever the cause (row U1)."""
    signs = {
        "new bladder or bowel change": bladder_ces(f) or bowel_ces(f),
        "severe or progressive weakness": f.get("weakness") in {"severe", "progressive"},
    }
    return life_threatening_signs(f) + [name for name, present in signs.items() if present]


def abnormal_signs(f: Findings) -> list[str]:
    """Every abnormal neurological, vascular or systemic finding present (rows U1 and U2)."""
    weakness = f.get("weakness", "none") not in {"none", *UNKNOWN}
    signs = {
        "leg weakness": weakness,
        "arm or facial weakness": flag(f, "arm_weakness") or flag(f, "facial_weakness"),
        "numbness in a neurological pattern": any(numb(f, s) for s in NEURO_SITES),
        "altered saddle sensation": saddle_altered(f),
        "urinary urgency": "urgency" in values(f, "bladder"),
        "unsteady gait": flag(f, "gait_disturbance"),
        "reflexes reduced, absent or brisk": f.get("reflexes") in {"reduced_absent", "brisk"},
        "upper-motor-neurone signs or Lhermitte's sign": flag(f, "umn_signs")
        or flag(f, "lhermitte_sign"),
        "a sensory level": flag(f, "sensory_level"),
        "fever": febrile(f),
        "systemically unwell": flag(f, "systemically_unwell"),
        "raised CRP": f.get("crp") == "raised",
        "a suspicious lesion on an earlier scan": "suspicious_lesion"
        in values(f, "prior_scan_findings"),
        "focal spinal tenderness": flag(f, "focal_spinal_tenderness"),
    }
    return emergency_signs(f) + [name for name, present in signs.items() if present]


def long_standing_and_unchanged(f: Findings) -> bool:
    """Symptoms of a month or more that are not getting worse (digest V19: routine)."""
    return f.get("pain_duration_days", 0) >= 28 and f.get("trajectory") in {"stable", "improving"}


def unexplained_emergency(f: Findings) -> bool:
    """An emergency sign that no specific row explained (row U1)."""
    return bool(emergency_signs(f))


def unexplained_abnormal(f: Findings) -> bool:
    """An abnormal sign no specific row explained, unless long-standing and unchanged (row U2)."""
    return bool(abnormal_signs(f)) and not long_standing_and_unchanged(f)


def nothing_abnormal(f: Findings) -> bool:
    """No abnormal sign at all: the only cases the self-care rows may take."""
    return not abnormal_signs(f)


_BAND_SITES = frozenset({"truncal_band", "back_band", "back_one_side", "localised_back"})


def nothing_abnormal_beyond_the_band(f: Findings) -> bool:
    """Nothing abnormal apart from the numbness shingles itself causes in its dermatome (Z1)."""
    own = _BAND_SITES | ({"one_leg_dermatomal"} if flag(f, "dermatomal_rash") else set())
    sites = [s for s in f.get("numbness_sites", ()) if s not in own]
    return nothing_abnormal({**f, "numbness_sites": sites})
