"""A ``python:`` system for the grade-versus-run equivalence test: prose with known meaning.

``reference_prose`` writes, for any presentation, a prose answer saying exactly the reference
triage's urgency and imaging in words; ``prose_decision`` is the decision that prose means
(urgency and imaging as said, no category, no conditions: what the prose states).
"""

from __future__ import annotations

from typing import Any

from backtriage.harness.model import Presentation
from backtriage.harness.systems.reference import ReferenceTriage

_REFERENCE = ReferenceTriage()
URGENCY_PROSE = {
    "emergency": "Please call 999 or go to the emergency department right now.",
    "urgent": "You should be seen by a doctor within 24 to 48 hours.",
    "routine": "Book an appointment with your GP over the next few weeks.",
    "self_care": "You can look after this at home: keep moving and use simple pain relief.",
}
IMAGING_PROSE = {
    "none": "You do not need a scan at the moment.",
    "mri": "They will arrange an MRI of your spine.",
    "ct": "They will arrange a CT of your spine.",
    "radiograph": "They will arrange an X-ray of your back.",
    "vascular": "They will arrange a CT angiogram of your aorta.",
}


def _reference(presentation: dict[str, Any]) -> tuple[str, str]:
    d = _REFERENCE.triage(Presentation(presentation["narrative"], presentation["findings"]))
    return d.urgency, d.imaging


def reference_prose(presentation: dict[str, Any]) -> str:
    """The prose answer for a presentation."""
    urgency, imaging = _reference(presentation)
    return f"{URGENCY_PROSE[urgency]} {IMAGING_PROSE[imaging]}"


def prose_decision(presentation: dict[str, Any]) -> dict[str, Any]:
    """The decision the prose answer states (the ``python:`` system of the equivalence test)."""
    urgency, imaging = _reference(presentation)
    return {"urgency": urgency, "imaging": imaging, "category": "nonspecific",
            "suspected_conditions": [], "safety_net": [], "questions": []}
