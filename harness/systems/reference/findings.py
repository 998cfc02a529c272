"""Named clinical predicates over structured findings, one small function each.

Each predicate answers one question a clinician would ask of the findings. The rule table
(``rules.py``) combines them; keeping them here keeps each rule a single readable row.
Absent optional findings mean "not present" (the schema's convention). ``not_stated`` is never
read as present nor as normal: :func:`flag` is true only for ``true``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Findings = Mapping[str, Any]
Predicate = Callable[[Findings], bool]

CES_WINDOW_DAYS = 14
"""GIRFT's trigger list asks about symptoms developed in the last 14 days."""

PVR_CONCERN_ML = 200
"""A post-void residual of 200 mL or more makes CES more likely (BMJ Best Practice)."""

ACUTE_DAYS = 28
"""Acute low back pain is under 4 weeks (ACP)."""

_CES_BLADDER = frozenset(
    {"difficulty_starting", "reduced_flow_sensation", "retention", "incontinence"}
)
_LEG_NUMBNESS = frozenset({"one_leg_dermatomal", "both_legs", "saddle_perineal", "feet_stocking"})


UNKNOWN = frozenset({"not_stated", "not_examined"})
"""Values that say a finding is unknown: neither present nor absent."""

_NO_CHANGE = frozenset({"normal", *UNKNOWN})


def flag(f: Findings, name: str) -> bool:
    """Return a boolean finding: true only for ``true`` (absent, false, not_stated are not)."""
    return f.get(name) is True


def unknown(f: Findings, name: str) -> bool:
    """Return whether a finding is explicitly unknown (``not_stated`` or ``not_examined``)."""
    value = f.get(name)
    if isinstance(value, list | tuple):
        return bool(value) and all(v in UNKNOWN for v in value)
    return isinstance(value, str) and value in UNKNOWN


def values(f: Findings, name: str) -> frozenset[str]:
    """Return a list finding's values (bladder, bowel ...); a single string counts as one."""
    value = f.get(name, ())
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(str(v) for v in value)


def numb(f: Findings, site: str) -> bool:
    """Return whether numbness is reported at ``site``."""
    return site in f.get("numbness_sites", ())


def bladder_ces(f: Findings) -> bool:
    """New difficulty starting, reduced flow sensation, retention or incontinence."""
    return bool(values(f, "bladder") & _CES_BLADDER)


def bowel_ces(f: Findings) -> bool:
    """Reduced rectal sensation or faecal incontinence."""
    return bool(values(f, "bowel") - _NO_CHANGE)


def saddle_altered(f: Findings) -> bool:
    """Perianal, perineal or genital sensation altered (reported or tested)."""
    return numb(f, "saddle_perineal") or f.get("saddle_sensation") == "altered"


def severe_bilateral_deficit(f: Findings) -> bool:
    """Severe or progressive weakness of both legs."""
    return f.get("weakness") in {"severe", "progressive"} and f.get("weakness_side") == "both"


def severe_or_progressive_deficit(f: Findings) -> bool:
    """Severe or progressive motor weakness, or a motor deficit at several levels."""
    return f.get("weakness") in {"severe", "progressive"} or f.get("weakness_levels", 0) >= 2


def ces_feature(f: Findings) -> bool:
    """Any feature on the GIRFT / CKS 2018 cauda equina list (sexual dysfunction excluded)."""
    return (
        bladder_ces(f) or bowel_ces(f) or saddle_altered(f) or severe_bilateral_deficit(f)
    )


def ces_recent_or_worsening(f: Findings) -> bool:
    """Sphincter or saddle symptoms began within 14 days, or are getting worse."""
    days = f.get("sphincter_or_saddle_symptom_days")
    return (
        days is None
        or days <= CES_WINDOW_DAYS
        or f.get("sphincter_or_saddle_trajectory") == "worsening"
    )


def ces_acute(f: Findings) -> bool:
    """A cauda equina feature that is new (14 days or less) or deteriorating."""
    return ces_feature(f) and ces_recent_or_worsening(f)


def ces_late_stable(f: Findings) -> bool:
    """Cauda equina features present for more than 14 days and not deteriorating."""
    return ces_feature(f) and not ces_recent_or_worsening(f)


def high_pvr_with_leg_pain(f: Findings) -> bool:
    """A post-void residual of 200 mL or more with leg pain."""
    return bool(
        f.get("post_void_residual_ml", 0) >= PVR_CONCERN_ML and f.get("leg_pain", "none") != "none"
    )


def new_bilateral_sciatica(f: Findings) -> bool:
    """Leg pain in both legs that began together or spread from one leg to the other."""
    return f.get("leg_pain") == "both" and flag(f, "leg_pain_newly_bilateral")


def neuro_deficit(f: Findings) -> bool:
    """Any motor, sensory or sphincter deficit in the legs or saddle."""
    return (
        f.get("weakness", "none") not in {"none", *UNKNOWN}
        or bladder_ces(f)
        or bowel_ces(f)
        or any(numb(f, s) for s in _LEG_NUMBNESS)
        or flag(f, "gait_disturbance")
    )


def aortic_dissection(f: Findings) -> bool:
    """Tearing pain, or reduced leg pulses with an acute leg deficit or retention."""
    acute_leg_signs = (
        f.get("weakness") in {"severe", "progressive"} or "retention" in values(f, "bladder")
    )
    return flag(f, "tearing_pain") or (flag(f, "leg_pulses_reduced") and acute_leg_signs)


def ruptured_aaa(f: Findings) -> bool:
    """Pulsatile abdominal mass, or sudden pain with hypotension or collapse."""
    shocked = f.get("systolic_bp", 120) < 90 or flag(f, "collapse_or_syncope")
    return flag(f, "pulsatile_abdominal_mass") or (f.get("onset") == "sudden" and shocked)


def high_energy_trauma(f: Findings) -> bool:
    """A fall from a height, a road collision or similar force."""
    return f.get("trauma") == "high_energy"


def guillain_barre(f: Findings) -> bool:
    """Numbness or weakness ascending over days with reduced or absent reflexes."""
    return flag(f, "ascending_symptoms") and f.get("reflexes") == "reduced_absent"


def myelopathy(f: Findings) -> bool:
    """A sensory level or truncal band with upper-motor-neuron or gait signs."""
    level = flag(f, "sensory_level") or (numb(f, "truncal_band") and not flag(f, "dermatomal_rash"))
    cord_signs = (
        f.get("reflexes") == "brisk"
        or flag(f, "gait_disturbance")
        or f.get("weakness") in {"severe", "progressive"}
    )
    return level and cord_signs


def cancer_with_neuro(f: Findings) -> bool:
    """Known cancer with neurological symptoms, radicular pain (leg or truncal band) included."""
    radicular = f.get("leg_pain", "none") != "none" or numb(f, "truncal_band")
    return flag(f, "cancer_history") and (neuro_deficit(f) or radicular)


def infection_risk(f: Findings) -> bool:
    """IV drug use, recent infection, immunosuppression or a recent spinal procedure."""
    return any(
        flag(f, k)
        for k in ("iv_drug_use", "recent_infection", "immunosuppression", "recent_spinal_procedure")
    )


def infection_suspected(f: Findings) -> bool:
    """Fever, or an infection risk with escalating pain (the classic triad is often incomplete)."""
    return flag(f, "fever") or (infection_risk(f) and f.get("trajectory") == "worsening")


def zoster_pattern(f: Findings) -> bool:
    """A dermatomal rash, or a new one-sided truncal band of pain before any rash."""
    prodrome = (
        numb(f, "truncal_band")
        and f.get("pain_duration_days", 99) <= 7
        and not flag(f, "diabetes")
        and not flag(f, "sensory_level")
        and f.get("reflexes") != "brisk"
    )
    return flag(f, "dermatomal_rash") or prodrome


def osteoporotic_fracture_risk(f: Findings) -> bool:
    """Osteoporosis, prolonged corticosteroids, or low-energy trauma at an older age."""
    older = f.get("age", 0) >= 65
    return (
        flag(f, "osteoporosis")
        or flag(f, "prolonged_corticosteroids")
        or (f.get("trauma") == "low_energy" and older)
    )


OLDER_AGE = 70
"""Over 70: the older ACR rating and Henschke's fracture rule (digest (c)9)."""


def older_age_acute(f: Findings) -> bool:
    """Over 70 with pain of under 4 weeks (ACR V6 "elderly individual")."""
    acute = f.get("pain_duration_days", ACUTE_DAYS) < ACUTE_DAYS
    return bool(f.get("age", 0) > OLDER_AGE and acute)


def weak_cancer_flags_persisting(f: Findings) -> bool:
    """Unexplained weight loss with pain that has lasted a month or more."""
    return flag(f, "unexplained_weight_loss") and f.get("pain_duration_days", 0) >= ACUTE_DAYS


def ms_pattern(f: Findings) -> bool:
    """Evolving sensory symptoms after an earlier neurological episode, without fever."""
    return (
        flag(f, "prior_neurological_episode")
        and bool(f.get("numbness_sites"))
        and not flag(f, "fever")
    )


def b12_pattern(f: Findings) -> bool:
    """A B12 risk with distal paraesthesia or unsteadiness."""
    distal = numb(f, "feet_stocking") or numb(f, "hands") or flag(f, "gait_disturbance")
    return flag(f, "b12_deficiency_risk") and distal


def peripheral_neuropathy(f: Findings) -> bool:
    """Distal stocking loss with depressed reflexes, or a truncal band in diabetes."""
    stocking = numb(f, "feet_stocking") and f.get("reflexes") == "reduced_absent"
    truncal = numb(f, "truncal_band") and flag(f, "diabetes")
    return stocking or truncal


def inflammatory_back_pain(f: Findings) -> bool:
    """An inflammatory pattern lasting three months or more."""
    return flag(f, "inflammatory_pattern") and f.get("pain_duration_days", 0) >= 90


def surgical_candidate_after_conservative_care(f: Findings) -> bool:
    """Leg symptoms persisting after 6+ weeks of care in someone open to surgery or injection."""
    leg = f.get("leg_pain", "none") != "none" or flag(f, "neurogenic_claudication")
    return (
        leg
        and f.get("conservative_care_weeks", 0) >= 6
        and flag(f, "would_consider_surgery_or_injection")
    )


def postoperative_leg_symptoms(f: Findings) -> bool:
    """Previous lumbar surgery with new or progressing leg symptoms."""
    return flag(f, "previous_spinal_surgery") and f.get("leg_pain", "none") != "none"


def unilateral_radicular_pain(f: Findings) -> bool:
    """Leg pain on one side."""
    return f.get("leg_pain") == "one_side"


def claudication(f: Findings) -> bool:
    """Neurogenic claudication: leg symptoms on walking eased by sitting or bending forward."""
    return flag(f, "neurogenic_claudication")


def sexual_dysfunction_only(f: Findings) -> bool:
    """New sexual dysfunction without another CES feature."""
    return flag(f, "new_sexual_dysfunction")


def not_acute(f: Findings) -> bool:
    """Pain of 4 weeks or more."""
    return bool(f.get("pain_duration_days", 0) >= ACUTE_DAYS)


def always(f: Findings) -> bool:
    """Match anything (the last row)."""
    return True
