"""Metamorphic robustness: does a system's answer hinge on wording that should not matter?

Each vignette is rewritten by transformations with a known expected relation
(:mod:`~backtriage.harness.robustness.transforms`); the originals and variants run on the
engine like any run; :mod:`~backtriage.harness.robustness.flips` counts the answers that break
the relation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
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

_EXPORTS = {
    "EMERGENCY": "backtriage.harness.robustness.transforms",
    "SAME": "backtriage.harness.robustness.transforms",
    "TRANSFORMATIONS": "backtriage.harness.robustness.transforms",
    "Flip": "backtriage.harness.robustness.flips",
    "Transformation": "backtriage.harness.robustness.transforms",
    "TransformationReport": "backtriage.harness.robustness.flips",
    "Variant": "backtriage.harness.robustness.transforms",
    "by_name": "backtriage.harness.robustness.transforms",
    "flips_by_transformation": "backtriage.harness.robustness.flips",
    "render_report": "backtriage.harness.robustness.flips",
    "variants_of": "backtriage.harness.robustness.transforms",
}

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
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
