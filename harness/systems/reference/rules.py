"""The reference triage as a rule table: one row per labeling-guide row, first match wins.

Rows run from most to least serious, so a case with several patterns gets the most serious
decision. Row ids match ``docs/labeling-guide.md``; source ids match ``vignettes/sources.json``.
"""

from __future__ import annotations

from dataclasses import dataclass

from backtriage.harness.model import Decision
from backtriage.harness.systems.reference import abnormal as a
from backtriage.harness.systems.reference import findings as p
from backtriage.harness.systems.reference.findings import Predicate


@dataclass(frozen=True)
class Rule:
    """One row: when ``when`` holds, answer ``decision``, because of ``sources``."""

    id: str
    when: Predicate
    decision: Decision
    sources: tuple[str, ...]
    summary: str


def _d(urgency: str, imaging: str, category: str, *conditions: str) -> Decision:
    return Decision(urgency, imaging, category, tuple(conditions))


EMERGENCY_MRI_CES = _d("emergency", "mri", "serious_pathology", "cauda_equina_syndrome")

# fmt: off
RULES: tuple[Rule, ...] = (
    # --- emergency ---------------------------------------------------------------------------
    Rule("V1", p.aortic_dissection, _d("emergency", "vascular", "non_spinal", "vascular_emergency"),
         ("dissection-jmcr-2016", "dissection-cord-review"), "tearing pain, a cold or pulseless leg with an acute deficit, or an arm pressure gap: aortic dissection"),
    Rule("V2", p.ruptured_aaa, _d("emergency", "vascular", "non_spinal", "vascular_emergency"),
         ("assar-zarins-2009", "aaa-case-review"), "a known aneurysm with new pain, sudden pain with shock, or a pulsatile mass: leaking aneurysm"),
    Rule("T1", p.high_energy_trauma, _d("emergency", "ct", "serious_pathology", "vertebral_fracture"),
         ("acr-myelopathy-2015",), "high-energy trauma: CT spine first"),
    Rule("G1", p.guillain_barre, _d("emergency", "none", "non_spinal", "guillain_barre_syndrome"),
         ("nice-ng127", "ruts-2010"), "rapidly ascending numbness with weakness, imbalance or lost reflexes: refer immediately, whatever the reflexes"),
    Rule("M1", p.myelopathy, _d("emergency", "mri", "serious_pathology", "spinal_cord_compression"),
         ("acr-myelopathy-2021", "nice-ng127"), "sensory level with cord signs: MRI of the whole spine or the level, not the lumbar spine only"),
    Rule("C1", p.cancer_with_neuro, _d("emergency", "mri", "serious_pathology", "spinal_cord_compression", "malignancy"),
         ("nice-qs56", "nice-ng234"), "cancer with neurological symptoms: whole-spine MRI within 24 hours"),
    Rule("C3", p.cancer_with_severe_thoracic_pain, _d("emergency", "mri", "serious_pathology", "spinal_cord_compression", "malignancy"),
         ("nice-qs56", "nice-ng234", "nhs-lothian-refhelp"), "cancer with severe or worsening thoracic pain: an MSCC trigger, whole-spine MRI within 24 hours"),
    Rule("I1", lambda f: p.infection_suspected(f) and p.neuro_deficit(f),
         _d("emergency", "mri", "serious_pathology", "spinal_infection"),
         ("acr-spine-infection", "acr-lbp-2021", "sea-reviews"), "suspected infection with a deficit: possible epidural abscess"),
    Rule("CES1", p.ces_acute, EMERGENCY_MRI_CES,
         ("girft-ces-2023", "cks-sciatica-2018", "bmj-bp-ces", "acr-lbp-2021"), "new or worsening cauda equina feature: MRI within 4 hours"),
    Rule("CES3", p.high_pvr_with_leg_pain, EMERGENCY_MRI_CES,
         ("bmj-bp-ces", "lancashire-mri-ooh"), "post-void residual of 200 mL or more with leg pain"),
    Rule("CES5", p.new_bilateral_sciatica, EMERGENCY_MRI_CES,
         ("cks-sciatica-2018", "nhs-lothian-refhelp", "sbns-todd-ces"), "new bilateral sciatica: a UK cauda equina red flag"),
    Rule("F2", p.fracture_with_deficit,
         _d("emergency", "mri", "serious_pathology", "vertebral_fracture", "severe_neurologic_deficit"),
         ("acr-lbp-2021", "acr-myelopathy-2015"), "fracture risk with a new neurological deficit: emergency MRI (CT acceptable)"),
    Rule("Z2", lambda f: p.zoster_pattern(f) and p.flag(f, "immunosuppression"),
         _d("emergency", "none", "non_spinal", "herpes_zoster"),
         ("cks-shingles-2024", "nice-ng127"), "shingles in a severely immunosuppressed person: admit or immediate specialist advice"),
    # --- urgent ------------------------------------------------------------------------------
    Rule("CES4", p.ces_late_stable, _d("urgent", "mri", "serious_pathology", "cauda_equina_syndrome"),
         ("bnssg-remedy", "girft-ces-2023"), "cauda equina features over 14 days and stable: urgent pathway"),
    Rule("I2", p.infection_suspected, _d("urgent", "mri", "serious_pathology", "spinal_infection"),
         ("acr-spine-infection", "acr-lbp-2021", "acp-2011"), "fever, or an infection risk with escalating pain: MRI the same day"),
    Rule("N1", p.severe_or_progressive_deficit, _d("urgent", "mri", "serious_pathology", "severe_neurologic_deficit"),
         ("acp-2007", "acp-2011", "acr-lbp-2016", "nhs-lothian-refhelp"), "severe or progressive motor deficit: prompt MRI, same day for foot drop or worsening power"),
    Rule("N2", p.mild_new_weakness_with_leg_pain, _d("urgent", "mri", "radiculopathy"),
         ("cw-nass", "casazza-2012", "acp-2007"), "new mild weakness with radicular pain: prompt MRI (contested)"),
    Rule("G2", p.ascending_sensory_only, _d("urgent", "none", "non_spinal", "guillain_barre_syndrome"),
         ("nice-ng127", "ruts-2010"), "ascending numbness without weakness or imbalance: same-day neurological assessment"),
    Rule("C2", lambda f: p.flag(f, "cancer_history"), _d("urgent", "mri", "serious_pathology", "malignancy"),
         ("acr-lbp-2021", "acp-2011", "acp-2007"), "history of cancer with new back pain"),
    Rule("F1", p.osteoporotic_fracture_risk, _d("urgent", "radiograph", "serious_pathology", "vertebral_fracture"),
         ("acr-lbp-2021", "acp-2011"), "osteoporosis, steroids or an older person's minor fall or strain: radiograph"),
    Rule("W1", p.several_cancer_flags, _d("urgent", "radiograph", "serious_pathology", "malignancy"),
         ("acp-2011", "acr-lbp-2021"), "weight loss with pain a month or more and a second cancer flag: imaging now"),
    Rule("S1", p.ms_pattern, _d("urgent", "none", "non_spinal", "multiple_sclerosis"),
         ("nice-ng220",), "evolving sensory disturbance after an earlier episode: neurologist"),
    Rule("B1", p.b12_pattern, _d("urgent", "none", "non_spinal", "other_non_spinal"),
         ("nice-ng127", "nhs-lothian-b12"), "B12 risk with distal paraesthesia or unsteadiness: bloods and treatment"),
    Rule("U1", a.unexplained_emergency, _d("emergency", "none", "non_spinal", "other_non_spinal"),
         ("acp-2007", "cw-aafp"), "an emergency sign that matched no specific row: emergency assessment"),
    # --- routine and self care -----------------------------------------------------------------
    Rule("W2", p.weak_cancer_flags_persisting, _d("routine", "radiograph", "serious_pathology", "malignancy"),
         ("acp-2011", "acr-lbp-2021"), "weight loss with pain a month or more, no second flag: radiograph after the trial of care"),
    Rule("P1", p.peripheral_neuropathy, _d("routine", "none", "non_spinal", "peripheral_neuropathy"),
         ("nice-ng127", "weeks-1999"), "stocking loss with depressed reflexes, or a diabetic truncal band"),
    Rule("A1", p.inflammatory_back_pain, _d("routine", "radiograph", "serious_pathology", "inflammatory_spondyloarthritis"),
         ("acp-2007", "acp-2011"), "inflammatory back pain over 3 months: pelvic radiograph, rheumatology"),
    Rule("Z1", lambda f: p.zoster_pattern(f) and a.nothing_abnormal_beyond_the_band(f),
         _d("self_care", "none", "non_spinal", "herpes_zoster"),
         ("cks-shingles-2024", "zoster-prodrome"), "dermatomal band of pain with or before a rash: no spinal imaging"),
    Rule("R2-stenosis", lambda f: p.surgical_candidate_after_conservative_care(f) and p.claudication(f),
         _d("routine", "mri", "spinal_stenosis"),
         ("acr-lbp-2021", "acp-2007"), "stenosis persisting after 6 weeks in a surgical candidate: MRI"),
    Rule("R2", p.surgical_candidate_after_conservative_care, _d("routine", "mri", "radiculopathy"),
         ("acr-lbp-2021", "acp-2007", "cw-canada-car"), "radiculopathy persisting after 6 weeks in a surgical candidate: MRI"),
    Rule("R3", p.postoperative_leg_symptoms, _d("routine", "mri", "radiculopathy"),
         ("acr-lbp-2021",), "new leg symptoms after lumbar surgery"),
    Rule("ST1", p.claudication, _d("routine", "none", "spinal_stenosis"),
         ("acp-2007", "acp-2011"), "neurogenic claudication, not a surgical candidate: no imaging now"),
    Rule("R1", p.unilateral_radicular_pain, _d("routine", "none", "radiculopathy"),
         ("acp-2007", "acr-lbp-2021", "nice-ng59"), "radicular leg pain without a severe deficit: conservative care"),
    Rule("X1", p.sexual_dysfunction_only, _d("routine", "none", "nonspecific"),
         ("girft-ces-2023",), "sexual dysfunction as the only other feature is unlikely to be CES"),
    Rule("W3", lambda f: p.weight_loss_acute(f) and a.nothing_abnormal(f),
         _d("routine", "none", "nonspecific"),
         ("acp-2011",), "weight loss with pain under a month: review after a trial of care"),
    Rule("U2", a.unexplained_abnormal, _d("urgent", "none", "serious_pathology"),
         ("acp-2007", "cw-aafp"), "an abnormal neurological or systemic sign that matched no specific row: clinical assessment within 24-48 hours"),
    Rule("NS2", p.not_acute, _d("routine", "none", "nonspecific"),
         ("acr-lbp-2021", "acp-2011", "nice-ng59"), "subacute or chronic pain without red flags"),
    Rule("F3", p.older_age_acute, _d("self_care", "none", "nonspecific"),
         ("acp-2011", "downie-2013", "acr-lbp-2021"), "older age alone with acute pain: self care (ACR V6 radiograph acceptable, contested)"),
    Rule("NS1", p.always, _d("self_care", "none", "nonspecific"),
         ("acp-2007", "acr-lbp-2021", "nice-ng59", "cw-aafp"), "acute pain without red flags: self care, no imaging"),
)
# fmt: on

FALLTHROUGH_RULES = frozenset({"U1", "U2"})
"""Rows that catch an abnormal case no specific row explained (``abnormal.py``)."""

MRI_CONTRAINDICATED_SOURCES = ("bmj-bp-ces", "acr-lbp-2021")
"""Where MRI is contraindicated, CT (or CT myelography) takes its place."""


def first_match(findings: p.Findings) -> Rule:
    """Return the first rule whose condition holds (the last row always holds)."""
    for rule in RULES:
        if rule.when(findings):
            return rule
    raise AssertionError("the rule table must end with a row that always matches")
