"""Building small, valid vignettes and corpora in a temporary folder for tests."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from backtriage.harness.resources import corpus_dir

BASE_FINDINGS: dict[str, Any] = {
    "age": 40,
    "sex": "female",
    "pain_duration_days": 5,
    "trajectory": "stable",
    "trauma": "none",
    "cancer_history": False,
    "fever": False,
    "bladder": ["normal"],
    "bowel": ["normal"],
    "saddle_sensation": "normal",
    "numbness_sites": [],
    "leg_pain": "none",
    "weakness": "none",
}


_LABEL_WORDS = [
    "amber", "birch", "cedar", "delta", "ember", "fjord", "garnet", "harbor", "indigo",
    "juniper", "kestrel", "lagoon", "meadow", "nectar", "opal", "pebble", "quartz", "raven",
    "saffron", "tundra", "umber", "violet", "willow", "yarrow", "zephyr", "acorn", "basil",
    "clover", "dune", "falcon", "glacier", "heron", "iris", "jasper", "lotus", "maple",
    "nutmeg", "orchid",
]


def case_label(vid: str) -> str:
    """A sentence of words drawn from the id's hash.

    Generated vignettes share findings and labels, so without it their narratives would be
    near-duplicates, which the loader rejects (harness.loading.near_duplicates).
    """
    digest = hashlib.sha256(vid.encode()).digest()
    return "Label: " + " ".join(_LABEL_WORDS[b % len(_LABEL_WORDS)] for b in digest) + "."


def make_vignette(
    vid: str,
    urgency: str = "self_care",
    imaging: str = "none",
    category: str = "nonspecific",
    conditions: tuple[str, ...] = (),
    acceptable: dict[str, list[str]] | None = None,
    findings: dict[str, Any] | None = None,
    label_status: str = "consensus",
    register: str = "clinician",
    narrative: str | None = None,
) -> dict[str, Any]:
    """Return a schema-valid vignette dictionary with the given labels."""
    data: dict[str, Any] = {
        "schema_version": "2.0.0",
        "id": vid,
        "version": 1,
        "title": f"Test vignette {vid}",
        "tags": ["test"],
        "register": register,
        "presentation": {
            "narrative": narrative
            or f"A 40-year-old woman with low back pain for 5 days ({vid}). "
            f"Pain stable. No fever, no cancer history, bladder and bowel normal, no weakness. "
            f"{case_label(vid)}",
            "findings": {**copy.deepcopy(BASE_FINDINGS), **(findings or {})},
        },
        "expected": {
            "urgency": urgency,
            "imaging": imaging,
            "category": category,
            "suspected_conditions": list(conditions),
        },
        "acceptable": acceptable or {},
        "label_status": label_status,
        "rationale": "Written for a unit test of the harness; not a clinical case.",
        "sources": [{"id": "acp-2007", "section": "R2"}],
        "provenance": {
            "author": "tests",
            "created": "2026-11-21",
            "method": "authored_from_guidelines",
            "review_status": "draft",
            "reviewers": [],
        },
    }
    if label_status == "contested":
        acc = acceptable or {}
        other = {
            "urgency": (acc.get("urgency") or [urgency])[0],
            "imaging": (acc.get("imaging") or [imaging])[0],
        }
        if other == {"urgency": urgency, "imaging": imaging}:
            other = {"urgency": "routine" if urgency != "routine" else "urgent"}
        data["positions"] = [
            {
                "summary": "One position held by a source.",
                "sources": [{"id": "acp-2007"}],
                "recommends": {"urgency": urgency, "imaging": imaging},
            },
            {
                "summary": "The other position held by a source.",
                "sources": [{"id": "acr-lbp-2021"}],
                "recommends": other,
            },
        ]
    return data


def emergency_vignette(vid: str, **kw: Any) -> dict[str, Any]:
    """An emergency cauda equina vignette."""
    return make_vignette(
        vid,
        "emergency",
        "mri",
        "serious_pathology",
        ("cauda_equina_syndrome",),
        findings={"bladder": ["retention"]},
        **kw,
    )


def write_corpus(folder: Path, vignettes: list[dict[str, Any]]) -> Path:
    """Write vignettes as files and copy the bundled bibliography beside them."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(corpus_dir() / "sources.json", folder / "sources.json")
    for v in vignettes:
        (folder / f"{v['id']}.json").write_text(json.dumps(v, indent=2), encoding="utf-8")
    return folder


def mixed_corpus(folder: Path) -> Path:
    """A small corpus with one vignette of each urgency, one contested."""
    return write_corpus(
        folder,
        [
            emergency_vignette("t-emergency"),
            make_vignette(
                "t-urgent",
                "urgent",
                "mri",
                "serious_pathology",
                ("malignancy",),
                findings={"cancer_history": True},
            ),
            make_vignette(
                "t-routine", "routine", "none", "radiculopathy", findings={"leg_pain": "one_side"}
            ),
            make_vignette("t-selfcare"),
            make_vignette(
                "t-contested",
                "routine",
                "none",
                "radiculopathy",
                label_status="contested",
                acceptable={"imaging": ["mri"], "urgency": ["urgent"]},
                findings={"leg_pain": "one_side", "numbness_sites": ["one_leg_dermatomal"]},
            ),
        ],
    )
