"""Metamorphic robustness: does a system's answer hinge on wording that should not matter?

Each vignette is rewritten by transformations with a known expected relation
(:mod:`~backtriage.harness.robustness.transforms`); the originals and variants run on the
engine like any run; :mod:`~backtriage.harness.robustness.flips` counts the answers that break
the relation.
"""

from backtriage.harness.robustness.flips import (
    Flip,
    TransformationReport,
    flips_by_transformation,
    render_report,
)
from backtriage.harness.robustness.transforms import (
    EMERGENCY,
    SAME,
    TRANSFORMATIONS,
    Transformation,
    Variant,
    by_name,
    variants_of,
)

__all__ = [
    "EMERGENCY",
    "SAME",
    "TRANSFORMATIONS",
    "Flip",
    "Transformation",
    "TransformationReport",
    "Variant",
    "by_name",
    "flips_by_transformation",
    "render_report",
    "variants_of",
]
