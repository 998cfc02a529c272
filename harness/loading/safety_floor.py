"""The safety floor of the labels, and what a contested label must show (contract section 2).

Checked by ``backtriage validate`` on every vignette (errors, so exit 2):

- On an emergency vignette, ``acceptable.urgency`` holds at most ``urgent`` (never ``routine``
  or ``self_care``), and ``urgent`` only when a contested position whose sources recommend it is
  accepted: a guideline that is silent recommends nothing.
- On an emergency vignette whose expected imaging is a scan, ``none`` is never acceptable.
- A contested vignette names at least two positions whose sources recommend different actions
  (``positions[].recommends``, in the decision vocabulary). Every position it accepts has its
  recommended values among the expected and acceptable ones. A position it deliberately does not
  accept (``accepted: false``, with ``not_accepted_because``) is recorded but scores nothing, so
  a contested vignette may accept nothing lower than expected when accepting the other position
  would break the floor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

_BELOW_FLOOR = ("routine", "self_care")

Report = Callable[[str, str], None]


def floor_problems(data: Mapping[str, Any], err: Report) -> None:
    """Report, through ``err(pointer, message)``, every breach of the safety floor."""
    expected = data["expected"]
    acceptable = data.get("acceptable", {})
    if expected["urgency"] != "emergency":
        return
    urgencies = acceptable.get("urgency", [])
    for value in _BELOW_FLOOR:
        if value in urgencies:
            err(
                "/acceptable/urgency",
                f"an emergency vignette never accepts {value!r}: acceptable urgency holds at "
                "most 'urgent' (safety floor)",
            )
    if "urgent" in urgencies and not _recommended_by_accepted_position(data, "urgency", "urgent"):
        err(
            "/acceptable/urgency",
            "an emergency vignette accepts 'urgent' only when a contested position whose "
            "sources recommend it is accepted (safety floor; silence is not a recommendation)",
        )
    if expected["imaging"] != "none" and "none" in acceptable.get("imaging", []):
        err(
            "/acceptable/imaging",
            f"an emergency vignette expecting {expected['imaging']!r} never accepts imaging "
            "'none' (safety floor)",
        )


def contested_problems(data: Mapping[str, Any], err: Report) -> None:
    """Report, through ``err(pointer, message)``, what a contested label fails to show."""
    positions = data.get("positions", [])
    if data["label_status"] != "contested":
        if positions:
            err("/positions", "only a contested vignette lists positions")
        return
    actions = {_action(p) for p in positions}
    if len(actions) < 2:
        err(
            "/positions",
            "a contested vignette needs two positions whose sources recommend different "
            "actions (positions[].recommends differ)",
        )
    accepted = _accepted_values(data)
    for i, position in enumerate(positions):
        if not position.get("accepted", True):
            continue
        for field, value in position["recommends"].items():
            if value not in accepted[field]:
                err(
                    f"/positions/{i}/recommends/{field}",
                    f"position {i} is accepted, but its {field} {value!r} is neither expected "
                    "nor acceptable (list it, or mark the position accepted: false with a reason)",
                )
    withheld = any(not p.get("accepted", True) for p in positions)
    if not any(data.get("acceptable", {}).values()) and not withheld:
        err(
            "/acceptable",
            "a contested vignette lists the other position's values as acceptable, or marks "
            "that position accepted: false with a reason",
        )


def _action(position: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(position.get("recommends", {}).items()))


def _accepted_values(data: Mapping[str, Any]) -> dict[str, set[str]]:
    expected, acceptable = data["expected"], data.get("acceptable", {})
    return {f: {expected[f], *acceptable.get(f, [])} for f in ("urgency", "imaging")}


def _recommended_by_accepted_position(data: Mapping[str, Any], field: str, value: str) -> bool:
    if data["label_status"] != "contested":
        return False
    return any(
        p.get("accepted", True) and p.get("recommends", {}).get(field) == value
        for p in data.get("positions", [])
    )
