"""Contrast pairs are two vignettes identical but for one finding that moves the urgency.

A pair is tagged ``contrast-<pair>`` on both members (Gardner et al. 2020's contrast sets). The
check holds each pair to that definition: exactly two members, the same register, findings that
differ in one to three fields (one clinical change can touch two fields, such as a saddle site
and ``saddle_sensation``), and expected urgencies that differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backtriage.harness.loading.corpus_check import run_check
from backtriage.harness.loading.problems import Problem
from backtriage.harness.model import frozen_findings

PREFIX = "contrast-"
MAX_CHANGED_FIELDS = 3


def contrast_problems(loaded: Sequence[tuple[Path, Mapping[str, Any]]]) -> list[Problem]:
    """An error for every contrast pair that is not a true pair."""
    return run_check(ContrastCheck(), loaded)


@dataclass(frozen=True, slots=True)
class _Member:
    """What the check needs of a pair's member: not the whole parsed file."""

    file: str
    id: Any
    register: Any
    findings: Mapping[str, Any]
    urgency: Any


class ContrastCheck:
    """:func:`contrast_problems` one vignette at a time; keeps only the tagged members."""

    def __init__(self) -> None:
        self._members: dict[str, list[_Member]] = {}

    def add(self, file: str | Path, data: Mapping[str, Any]) -> None:
        """Note a vignette under each contrast tag it carries."""
        member = None
        for tag in data.get("tags", ()):
            if tag.startswith(PREFIX):
                # Frozen as the vignette's own are, so the member shares them and holds
                # nothing of the parsed file.
                member = member or _Member(str(file), data.get("id"), data.get("register"),
                                           frozen_findings(data["presentation"]["findings"]),
                                           data["expected"]["urgency"])
                self._members.setdefault(tag, []).append(member)

    def problems(self) -> list[Problem]:
        """An error for every pair that is not a true pair, in tag order."""
        problems = []
        for tag, group in sorted(self._members.items()):
            last = group[-1]
            if len(group) != 2:
                ids = ", ".join(sorted(str(m.id) for m in group))
                problems.append(_problem(
                    last,
                    f"pair {tag} has {len(group)} members ({ids}); a contrast pair has exactly two",
                ))
                continue
            a, b = group
            why = _not_a_pair(a, b)
            if why:
                problems.append(_problem(last, f"pair {tag} with {a.id}: {why}"))
        return problems


def _not_a_pair(a: _Member, b: _Member) -> str | None:
    if a.register != b.register:
        return "the two members are in different registers"
    fa, fb = a.findings, b.findings
    changed = sorted(k for k in set(fa) | set(fb) if fa.get(k) != fb.get(k))
    if not changed:
        return "the findings are identical"
    if len(changed) > MAX_CHANGED_FIELDS:
        return f"the findings differ in {len(changed)} fields ({', '.join(changed)}), not one"
    if a.urgency == b.urgency:
        return "the expected urgency is the same; the changed finding must move it"
    return None


def _problem(member: _Member, message: str) -> Problem:
    return Problem(member.file, "/tags", message, "error", member.id)
