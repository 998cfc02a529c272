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
_LEG_NUMBNESS = frozenset(
    {"one_leg_dermatomal", "leg_non_dermatomal", "both_legs", "saddle_perineal", "feet_stocking"}
)


UNKNOWN = frozenset({"not_stated", "not_examined"})
"""Values that say a finding is unknown: neither present nor absent."""

_NO_CHANGE = frozenset({"normal", *UNKNOWN})


def flag(f: Findings, name: str) -> bool:
    """Return a boolean finding: true only for ``true`` (absent, false, not_stated are not)."""
    return f.get(name) is True


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


def sexual_dysfunction_with_leg_pain(f: Findings) -> bool:
    """New sexual dysfunction with radicular leg pain: on GIRFT's list, unlike dysfunction alone."""
    return flag(f, "new_sexual_dysfunction") and f.get("leg_pain", "none") in {"one_side", "both"}


def ces_feature(f: Findings) -> bool:
    """Any feature on the GIRFT / CKS 2018 cauda equina list.

    New sexual dysfunction counts with radicular leg pain; as the only other feature it does not
    (GIRFT's note), which is row X1.
    """
    return (
        bladder_ces(f)
        or bowel_ces(f)
        or saddle_altered(f)
        or severe_bilateral_deficit(f)
        or sexual_dysfunction_with_leg_pain(f)
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


def limb_ischaemia(f: Findings) -> bool:
    """Reduced leg pulses, or a cold, pale or mottled leg."""
    return flag(f, "leg_pulses_reduced") or flag(f, "cold_limb")


def shocked(f: Findings) -> bool:
    """Systolic pressure under 90, collapse, or feeling faint, pale or clammy (no BP needed)."""
    return (
        f.get("systolic_bp", 120) < 90
        or flag(f, "collapse_or_syncope")
        or flag(f, "shock_signs")
    )


def aortic_dissection(f: Findings) -> bool:
    """Tearing pain; limb ischaemia with an acute leg deficit or retention; or an arm BP gap.

    The digest (row 26) names acute paraplegia or leg numbness, urinary retention and absent
    pulses, and notes that some dissections are painless: the pain is not required.
    """
    acute_leg_signs = (
        f.get("weakness") in {"severe", "progressive", "mild_new"}
        or "retention" in values(f, "bladder")
        or numb(f, "both_legs")
        or numb(f, "leg_non_dermatomal")
        or (numb(f, "one_leg_dermatomal") and f.get("onset") == "sudden")
        or flag(f, "unable_to_walk")
    )
    sudden_pain = f.get("onset") == "sudden"
    return (
        flag(f, "tearing_pain")
        or (limb_ischaemia(f) and acute_leg_signs)
        or (flag(f, "cold_limb") and sudden_pain)
        or (flag(f, "arm_bp_difference") and sudden_pain)
    )


def ruptured_aaa(f: Findings) -> bool:
    """A pulsatile mass; sudden pain with shock; or new pain with a known aneurysm.

    The classic triad (pain, hypotension, pulsatile mass) is present in only 25-50% of ruptures
    (Assar & Zarins), so neither a mass nor a measured pressure is required.
    """
    new_pain = f.get("pain_duration_days", ACUTE_DAYS) < ACUTE_DAYS
    known = flag(f, "known_aneurysm") or "aneurysm" in values(f, "prior_scan_findings")
    return (
        flag(f, "pulsatile_abdominal_mass")
        or (f.get("onset") == "sudden" and shocked(f))
        or (known and (new_pain or f.get("onset") == "sudden" or shocked(f)))
    )


def high_energy_trauma(f: Findings) -> bool:
    """A fall from a height, a road collision or similar force."""
    return f.get("trauma") == "high_energy"


def _cord_signs_present(f: Findings) -> bool:
    return (
        f.get("reflexes") == "brisk"
        or flag(f, "umn_signs")
        or flag(f, "sensory_level")
    )


def guillain_barre(f: Findings) -> bool:
    """Ascending numbness with any weakness, imbalance or lost reflexes, without cord signs.

    NG127 refers immediately on "rapidly progressive symmetrical numbness and weakness or
    imbalance"; areflexia supports the diagnosis but is not required, and a history alone
    (reflexes not examined) is enough.
    """
    motor_or_gait = (
        f.get("weakness", "none") not in {"none", *UNKNOWN}
        or flag(f, "gait_disturbance")
        or flag(f, "unable_to_walk")
        or flag(f, "bulbar_or_breathing_symptoms")
        or f.get("reflexes") == "reduced_absent"
    )
    return flag(f, "ascending_symptoms") and motor_or_gait and not _cord_signs_present(f)


def ascending_sensory_only(f: Findings) -> bool:
    """Ascending numbness with no weakness, imbalance or reflex change stated (row G2)."""
    return flag(f, "ascending_symptoms") and not _cord_signs_present(f)


def myelopathy(f: Findings) -> bool:
    """A sensory level or truncal band with upper-motor-neuron or gait signs."""
    band = numb(f, "truncal_band") or numb(f, "back_band")
    level = flag(f, "sensory_level") or (band and not flag(f, "dermatomal_rash"))
    cord_signs = (
        f.get("reflexes") == "brisk"
        or flag(f, "umn_signs")
        or flag(f, "gait_disturbance")
        or flag(f, "unable_to_walk")
        or f.get("weakness") in {"severe", "progressive", "mild_new"}
    )
    return level and cord_signs


def cancer_with_severe_thoracic_pain(f: Findings) -> bool:
    """Known cancer with thoracic pain that is worsening or wakes at night (an MSCC trigger)."""
    thoracic = "thoracic_back" in values(f, "pain_sites")
    severe = f.get("trajectory") == "worsening" or flag(f, "night_or_rest_pain")
    return flag(f, "cancer_history") and thoracic and severe


def fracture_with_deficit(f: Findings) -> bool:
    """A fracture risk with a new leg, saddle or sphincter deficit (digest row 15: emergency).

    Distal stocking numbness alone is left out: it is the length-dependent pattern of a
    neuropathy, not compression at a fractured level.
    """
    deficit = (
        f.get("weakness", "none") in {"mild_new", "mild_stable", "severe", "progressive"}
        or any(numb(f, s) for s in ("one_leg_dermatomal", "leg_non_dermatomal", "both_legs"))
        or saddle_altered(f)
        or bladder_ces(f)
        or bowel_ces(f)
        or flag(f, "gait_disturbance")
        or flag(f, "unable_to_walk")
    )
    return osteoporotic_fracture_risk(f) and deficit


def mild_new_weakness_with_leg_pain(f: Findings) -> bool:
    """New mild weakness with radicular pain: the digest's "new motor weakness -> prompt MRI"."""
    leg = f.get("leg_pain", "none") in {"one_side", "both"} or numb(f, "one_leg_dermatomal")
    return f.get("weakness") == "mild_new" and leg


def cancer_with_neuro(f: Findings) -> bool:
    """Known cancer with neurological symptoms, radicular pain (leg or truncal band) included.

    A truncal band with its own dermatomal rash is shingles (digest row 22), not the radicular
    pain of cord compression (row 12): it does not count here, so Z2 or Z1 decides.
    """
    band = numb(f, "truncal_band") and not flag(f, "dermatomal_rash")
    radicular = f.get("leg_pain", "none") != "none" or band
    return flag(f, "cancer_history") and (neuro_deficit(f) or radicular)


def febrile(f: Findings) -> bool:
    """Fever reported, or a measured temperature of 38 or more."""
    return flag(f, "fever") or f.get("temperature_c", 37.0) >= 38.0


def infection_risk(f: Findings) -> bool:
    """A route for bacteria to reach the spine, or a host that cannot fight them.

    IV drug use, a bacterial source (bacteraemia, abscess, endocarditis, infected line or wound),
    immunosuppression or a recent spinal procedure. A recent cold or viral illness is not one
    (ACP 2011 pairs "recent infection" with fever).
    """
    return any(
        flag(f, k)
        for k in ("iv_drug_use", "bacterial_source", "immunosuppression", "recent_spinal_procedure")
    )


def infection_suspected(f: Findings) -> bool:
    """Fever, or an infection risk with escalating pain or a raised CRP.

    Fever is absent in about half of epidural abscesses (digest section b), so a risk with
    escalating pain is enough; a recent infection of any kind with fever is ACP 2011's wording.
    """
    escalating = f.get("trajectory") == "worsening" or f.get("crp") == "raised"
    return febrile(f) or (infection_risk(f) and escalating)


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
    """Osteoporosis, prolonged corticosteroids, or minor trauma or strain at an older age.

    AHCPR: "minor trauma or strenuous lifting in an older or possibly osteoporotic patient".
    """
    older = f.get("age", 0) >= 65
    return (
        flag(f, "osteoporosis")
        or flag(f, "prolonged_corticosteroids")
        or (f.get("trauma") in {"low_energy", "minor_strain"} and older)
    )


OLDER_AGE = 70
"""Over 70: the older ACR rating and Henschke's fracture rule (digest (c)9)."""


def older_age_acute(f: Findings) -> bool:
    """Over 70 with pain of under 4 weeks (ACR V6 "elderly individual")."""
    acute = f.get("pain_duration_days", ACUTE_DAYS) < ACUTE_DAYS
    return bool(f.get("age", 0) > OLDER_AGE and acute)


CANCER_AGE = 50
"""ACP's weaker cancer flag: age over 50."""


def weak_cancer_flags_persisting(f: Findings) -> bool:
    """Unexplained weight loss with pain that has lasted a month or more."""
    return flag(f, "unexplained_weight_loss") and f.get("pain_duration_days", 0) >= ACUTE_DAYS


def several_cancer_flags(f: Findings) -> bool:
    """Weight loss for a month or more with a second flag: age over 50 or failure to improve.

    ACP 2011 puts "multiple risk factors" in the immediate-imaging group.
    """
    second = f.get("age", 0) > CANCER_AGE or flag(f, "failure_to_improve")
    return weak_cancer_flags_persisting(f) and second


def weight_loss_acute(f: Findings) -> bool:
    """Unexplained weight loss with pain of under a month: ACP 2011 defers after a trial."""
    return flag(f, "unexplained_weight_loss")


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
    """New sexual dysfunction without another CES feature (earlier rows take the others)."""
    return flag(f, "new_sexual_dysfunction")


def not_acute(f: Findings) -> bool:
    """Pain of 4 weeks or more."""
    return bool(f.get("pain_duration_days", 0) >= ACUTE_DAYS)


def always(f: Findings) -> bool:
    """Match anything (the last row)."""
    return True
