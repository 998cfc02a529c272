"""The closed vocabularies of a triage decision (contract section 1).

Every string here is part of the public contract: schemas, vignettes, adapters and reports use
exactly these spellings. Orders run from most to least serious.
"""

from __future__ import annotations

from typing import Final

URGENCIES: Final = ("emergency", "urgent", "routine", "self_care")
"""Urgency levels, most serious first."""

IMAGING: Final = ("none", "radiograph", "mri", "ct", "vascular")
"""Imaging to order now. ``none`` includes "MRI later only if symptoms persist"."""

CATEGORIES: Final = (
    "serious_pathology",
    "radiculopathy",
    "spinal_stenosis",
    "nonspecific",
    "non_spinal",
)
"""The guideline triage groups, plus ``non_spinal`` for mimics outside the spine."""

CONDITIONS: Final = (
    "cauda_equina_syndrome",
    "spinal_cord_compression",
    "malignancy",
    "spinal_infection",
    "vertebral_fracture",
    "severe_neurologic_deficit",
    "inflammatory_spondyloarthritis",
    "vascular_emergency",
    "guillain_barre_syndrome",
    "multiple_sclerosis",
    "herpes_zoster",
    "peripheral_neuropathy",
    "other_non_spinal",
)
"""Red-flag and mimic conditions a system may suspect."""

SAFETY_NET_TOPICS: Final = (
    "bladder",
    "bowel",
    "saddle",
    "bilateral_or_progressive_leg_symptoms",
    "weakness",
    "fever",
    "cancer_history",
    "weight_loss",
    "trauma",
    "other",
)
"""Warning-sign topics of a decision's optional ``safety_net`` and ``questions`` lists."""

LABEL_STATUSES: Final = ("consensus", "contested")
REGISTERS: Final = ("clinician", "lay")
REVIEW_STATUSES: Final = ("draft", "reviewed", "validated")

RED_FLAG_URGENCIES: Final = frozenset({"emergency", "urgent"})
"""Expected urgencies that make a vignette a red-flag case, where over-imaging is never counted."""


def urgency_rank(urgency: str) -> int:
    """Return the seriousness rank of an urgency: 3 for emergency down to 0 for self care.

    Raises:
        ValueError: if ``urgency`` is not in the vocabulary.
    """
    return len(URGENCIES) - 1 - URGENCIES.index(urgency)
