"""The transformations of a robustness run and the relation each must keep.

A transformation rewrites one vignette's narrative and findings into a variant. Its relation
says what a sound triage system does with the variant:

- ``same``: the same urgency and imaging as for the original (the change carries no clinical
  weight: wording, order, idiom, typos, an irrelevant detail, the patient's sex where no
  sex-specific rule applies, an age that crosses no guideline threshold);
- ``emergency``: urgency ``emergency`` (a cauda equina feature was added).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from backtriage.harness.model import Presentation, Vignette
from backtriage.harness.robustness import text_edits as edits

SAME = "same"
EMERGENCY = "emergency"

Edit = Callable[[Vignette], tuple[str, dict[str, Any]] | None]
"""Return the variant's (narrative, findings), or ``None`` where the change does not apply."""


@dataclass(frozen=True)
class Transformation:
    """A named change with its expected relation.

    Attributes:
        name: a slug, used in variant ids (``<vignette id>~<name>``) and reports.
        relation: :data:`SAME` or :data:`EMERGENCY`.
        description: what is changed, for the report.
        edit: the change itself.
    """

    name: str
    relation: str
    description: str
    edit: Edit


@dataclass(frozen=True)
class Variant:
    """A transformed vignette and where it came from."""

    original: Vignette
    transformation: Transformation
    vignette: Vignette


def variants_of(vignette: Vignette, transformations: tuple[Transformation, ...]) -> list[Variant]:
    """Every variant of ``vignette`` the transformations apply to."""
    out = []
    for t in transformations:
        changed = t.edit(vignette)
        if changed is None:
            continue
        narrative, findings = changed
        presentation = Presentation(narrative, findings, vignette.presentation.register)
        if presentation.to_dict() == vignette.presentation.to_dict():
            continue  # nothing changed: no test
        out.append(
            Variant(
                vignette,
                t,
                replace(vignette, id=f"{vignette.id}~{t.name}", presentation=presentation),
            )
        )
    return out


def _findings(v: Vignette) -> dict[str, Any]:
    findings: dict[str, Any] = v.presentation.findings_dict()  # a thawed, mutable copy
    return findings


def _text_only(change: Callable[[Vignette], str | None]) -> Edit:
    def edit(v: Vignette) -> tuple[str, dict[str, Any]] | None:
        text = change(v)
        return None if text is None else (text, _findings(v))

    return edit


# Fields whose presence makes the patient's sex part of the case, not of its wording.
_SEX_SPECIFIC_FINDINGS = ("pregnancy", "pregnant", "postpartum", "pregnancy_or_postpartum")


def _swap_sex(v: Vignette) -> tuple[str, dict[str, Any]] | None:
    findings = _findings(v)
    sex = findings.get("sex")
    if sex not in ("male", "female") or any(findings.get(k) for k in _SEX_SPECIFIC_FINDINGS):
        return None
    other = "female" if sex == "male" else "male"
    text = edits.swap_sex(v.presentation.narrative, other)
    if text is None:
        return None
    return text, {**findings, "sex": other}


def _shift_age(v: Vignette) -> tuple[str, dict[str, Any]] | None:
    # Guideline age thresholds (18, 45, 50, 55, 65, 70, 75, 80 ...) are multiples of five, so a
    # move within the same five-year band, never onto a multiple of five, crosses none of them.
    findings = _findings(v)
    age = findings.get("age")
    if not isinstance(age, int) or age % 5 == 0 or age < 19:
        return None
    band = age - age % 5
    new = band + (4 if age % 5 < 3 else 1)
    text = edits.replace_age(v.presentation.narrative, age, new)
    if text is None:
        return None
    return text, {**findings, "age": new}


_CES_UPDATE = {
    "lay": "Update since this morning: I can't feel the toilet paper when I wipe, and I'm "
    "struggling to start peeing.",
    "clinician": "New since this morning: perianal numbness and difficulty initiating micturition.",
}


def _add_cauda_equina_feature(v: Vignette) -> tuple[str, dict[str, Any]] | None:
    if v.expected.urgency == "emergency":
        return None  # already an emergency: the relation would test nothing
    findings = _findings(v)
    sites = [s for s in findings.get("numbness_sites", []) if s != "none"]
    findings["numbness_sites"] = sorted({*sites, "saddle_perineal"})
    findings["bladder"] = _with_bladder_symptom(findings.get("bladder"))
    if "saddle_sensation" in findings:  # vocabulary 2.0: kept equal to the saddle site
        findings["saddle_sensation"] = "altered"
    # The feature is new since this morning, so sphincter and saddle symptoms are acute now,
    # whatever older, stable ones the case had (those are what made it non-urgent).
    findings["sphincter_or_saddle_symptom_days"] = 0
    findings["sphincter_or_saddle_trajectory"] = "worsening"
    text = f"{v.presentation.narrative.rstrip()} {_CES_UPDATE[v.presentation.register]}"
    return text, findings


def _with_bladder_symptom(bladder: Any) -> Any:
    # The vocabulary holds bladder as one value or as a list of values, depending on its version.
    if isinstance(bladder, list):
        kept = [b for b in bladder if b not in ("normal", "not_stated")]
        return sorted({*kept, "difficulty_starting"})
    return "difficulty_starting"


TRANSFORMATIONS: tuple[Transformation, ...] = (
    Transformation(
        "sex-swap", SAME, "the patient's sex swapped where nothing sex-specific applies", _swap_sex
    ),
    Transformation(
        "age-within-band",
        SAME,
        "age moved within its five-year band, crossing no guideline threshold",
        _shift_age,
    ),
    Transformation(
        "irrelevant-detail",
        SAME,
        "a job, a pet or hay fever mentioned",
        _text_only(
            lambda v: edits.add_irrelevant_detail(
                v.presentation.narrative, v.presentation.register, v.id
            )
        ),
    ),
    Transformation(
        "sentence-order",
        SAME,
        "two self-contained sentences swapped",
        _text_only(lambda v: edits.swap_sentences(v.presentation.narrative)),
    ),
    Transformation(
        "duration-wording",
        SAME,
        "a duration said another way (3 days -> three days, 2 weeks -> 14 days)",
        _text_only(lambda v: edits.reword_duration(v.presentation.narrative)),
    ),
    Transformation(
        "uk-us-idiom",
        SAME,
        "UK idiom turned US or US turned UK (A&E <-> ER, wee <-> pee, paracetamol <-> Tylenol)",
        _text_only(lambda v: edits.swap_idiom(v.presentation.narrative)),
    ),
    Transformation(
        "typos",
        SAME,
        "two letters swapped in up to three longer words",
        _text_only(lambda v: edits.add_typos(v.presentation.narrative, v.id)),
    ),
    Transformation(
        "add-cauda-equina-feature",
        EMERGENCY,
        "new saddle numbness and difficulty passing urine added (must become an emergency)",
        _add_cauda_equina_feature,
    ),
)
"""Every transformation, the invariant ones first."""


def by_name(names: list[str] | None) -> tuple[Transformation, ...]:
    """The named transformations (all when ``names`` is empty or ``None``).

    Raises:
        KeyError: naming an unknown transformation.
    """
    if not names:
        return TRANSFORMATIONS
    known = {t.name: t for t in TRANSFORMATIONS}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise KeyError(", ".join(unknown))
    return tuple(known[n] for n in names)
