"""Contrast pairs are two vignettes identical but for one finding that moves the urgency.

A pair is tagged ``contrast-<pair>`` on both members (Gardner et al. 2020's contrast sets). The
check holds each pair to that definition: exactly two members, the same register, findings that
differ in one to three fields (one clinical change can touch two fields, such as a saddle site
and ``saddle_sensation``), and expected urgencies that differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from backtriage.harness.loading.problems import Problem

PREFIX = "contrast-"
MAX_CHANGED_FIELDS = 3


def contrast_problems(loaded: Sequence[tuple[Path, Mapping[str, Any]]]) -> list[Problem]:
    """An error for every contrast pair that is not a true pair."""
    members: dict[str, list[tuple[Path, Mapping[str, Any]]]] = {}
    for file, data in loaded:
        for tag in data.get("tags", ()):
            if tag.startswith(PREFIX):
                members.setdefault(tag, []).append((file, data))
    problems = []
    for tag, group in sorted(members.items()):
        file, data = group[-1]
        if len(group) != 2:
            ids = ", ".join(sorted(str(d.get("id")) for _, d in group))
            problems.append(
                _problem(
                    file,
                    data,
                    f"pair {tag} has {len(group)} members ({ids}); a contrast pair has exactly two",
                )
            )
            continue
        (_, a), (_, b) = group
        why = _not_a_pair(a, b)
        if why:
            problems.append(_problem(file, data, f"pair {tag} with {a.get('id')}: {why}"))
    return problems


def _not_a_pair(a: Mapping[str, Any], b: Mapping[str, Any]) -> str | None:
    if a.get("register") != b.get("register"):
        return "the two members are in different registers"
    fa, fb = a["presentation"]["findings"], b["presentation"]["findings"]
    changed = sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))
    if not changed:
        return "the findings are identical"
    if len(changed) > MAX_CHANGED_FIELDS:
        return f"the findings differ in {len(changed)} fields ({', '.join(changed)}), not one"
    if a["expected"]["urgency"] == b["expected"]["urgency"]:
        return "the expected urgency is the same; the changed finding must move it"
    return None


def _problem(file: Path, data: Mapping[str, Any], message: str) -> Problem:
    return Problem(str(file), "/tags", message, "error", data.get("id"))
