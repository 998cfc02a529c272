"""Whether each variant's answer keeps its transformation's relation, and the flip rates."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backtriage.harness.engine import AnswerRecord
from backtriage.harness.robustness.transforms import EMERGENCY, Transformation, Variant
from backtriage.scoring.stats import rate


@dataclass(frozen=True)
class Flip:
    """A variant whose answer broke the relation (an error always does: fail closed)."""

    original_id: str
    variant_id: str
    transformation: str
    before: str
    after: str


@dataclass(frozen=True)
class TransformationReport:
    """The flips of one transformation over every vignette it applied to."""

    transformation: Transformation
    applied: int
    flips: tuple[Flip, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form, with the flip rate's Wilson 95% interval."""
        r = rate(len(self.flips), self.applied)
        return {
            "name": self.transformation.name,
            "relation": self.transformation.relation,
            "description": self.transformation.description,
            "applied": self.applied,
            "flip_rate": r.to_dict(),
            "flips": [f.__dict__ for f in self.flips],
        }


def _answer_text(record: AnswerRecord | None) -> str:
    if record is None or record.decision is None:
        return "error"
    return f"{record.decision.urgency}/{record.decision.imaging}"


def flips_by_transformation(
    variants: Sequence[Variant],
    transformations: Sequence[Transformation],
    answers: Mapping[str, AnswerRecord],
) -> list[TransformationReport]:
    """Judge every variant's answer against its original's, per transformation.

    Args:
        variants: the variants asked about.
        transformations: the transformations of the run, in report order.
        answers: the epoch-0 answer of every original and variant, by vignette id.
    """
    reports = []
    for t in transformations:
        mine = [v for v in variants if v.transformation.name == t.name]
        flips = []
        for variant in mine:
            before = answers.get(variant.original.id)
            after = answers.get(variant.vignette.id)
            if _broken(t, before, after):
                flips.append(
                    Flip(
                        variant.original.id,
                        variant.vignette.id,
                        t.name,
                        _answer_text(before),
                        _answer_text(after),
                    )
                )
        reports.append(TransformationReport(t, len(mine), tuple(flips)))
    return reports


def _broken(t: Transformation, before: AnswerRecord | None, after: AnswerRecord | None) -> bool:
    if after is None or after.decision is None:
        return True
    if t.relation == EMERGENCY:
        return after.decision.urgency != "emergency"
    if before is None or before.decision is None:
        return True  # nothing to keep the answer the same as: the relation is not shown
    return (before.decision.urgency, before.decision.imaging) != (
        after.decision.urgency,
        after.decision.imaging,
    )


def render_report(system: str, reports: Sequence[TransformationReport], top: int = 10) -> str:
    """The plain-text robustness report: one line per transformation, then the flips."""
    lines = [f"backtriage robustness — system {system}", ""]
    width = max(len(r.transformation.name) for r in reports) if reports else 10
    for r in reports:
        d = r.to_dict()["flip_rate"]
        if r.applied == 0:
            lines.append(f"{r.transformation.name:<{width}}  applies to no vignette")
            continue
        lines.append(
            f"{r.transformation.name:<{width}}  flips {len(r.flips)}/{r.applied} = "
            f"{100 * d['value']:.1f}% (95% CI {100 * d['ci95_low']:.1f}%–"
            f"{100 * d['ci95_high']:.1f}%)  expected: {_relation_text(r.transformation)}"
        )
    flipped = [f for r in reports for f in r.flips]
    if flipped:
        lines += ["", f"flipped vignettes ({len(flipped)}; first {min(top, len(flipped))}):"]
        for f in flipped[:top]:
            lines.append(f"  {f.variant_id}: {f.before} -> {f.after}")
    return "\n".join(lines)


def _relation_text(t: Transformation) -> str:
    return "emergency" if t.relation == EMERGENCY else "same urgency and imaging"
