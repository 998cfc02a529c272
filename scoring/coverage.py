"""Corpus coverage: what the vignettes cover, and which safety claims they can support.

A run with 0 misses in a stratum of n vignettes can claim only that the true miss rate is below
the exact one-sided 95% bound ``1 - 0.05 ** (1 / n)``
(:func:`backtriage.scoring.stats.zero_event_upper_bound`).
A stratum with fewer than :func:`backtriage.scoring.stats.smallest_n_for_upper_bound`
vignettes (29 for a 10% target) cannot support "miss rate below 10%" however well a system
does: the report warns about each such stratum.

A *miss* is an answer below the expected urgency, so only vignettes whose expected urgency is
above ``self_care`` can be missed; a stratum's ``n`` counts those, and a stratum where no vignette
can be missed (the ``self_care`` urgency) makes no claim.

Rendering lives in :mod:`backtriage.scoring.coverage_report`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from backtriage.harness.model import Vignette
from backtriage.harness.vocabulary import (
    CATEGORIES,
    CONDITIONS,
    LABEL_STATUSES,
    REGISTERS,
    REVIEW_STATUSES,
    URGENCIES,
)
from backtriage.scoring.corpus_profile import CorpusProfile, profile
from backtriage.scoring.shortcuts import ShortcutAudit
from backtriage.scoring.shortcuts import audit as shortcut_audit
from backtriage.scoring.stats import smallest_n_for_upper_bound, zero_event_upper_bound

TRAP_TAG = "trap"
"""The tag of vignettes built to tempt a system into over-triage or over-imaging."""
NO_CONDITION = "(none)"
"""The row for vignettes that name no suspected condition."""
DEFAULT_TARGET = 0.10
"""The miss-rate bound a stratum should be able to support."""


@dataclass(frozen=True)
class Stratum:
    """A group of vignettes and the strongest zero-miss claim it supports.

    Attributes:
        kind: ``emergency``, ``urgency``, ``category``, ``condition`` or ``register``.
        name: the value (``cauda_equina_syndrome``, ``lay`` ...).
        total: vignettes in the stratum.
        n: those a system could miss (expected urgency above ``self_care``).
        upper95: the exact upper 95% bound of the miss rate after 0 misses in ``n``
            (``None`` when ``n`` is 0).
        needed: the fewest vignettes that support the target bound.
        target: the miss-rate bound aimed for.
    """

    kind: str
    name: str
    total: int
    n: int
    upper95: float | None
    needed: int
    target: float

    @property
    def supports_target(self) -> bool:
        """True when 0 misses in this stratum would bound the miss rate below the target."""
        return self.n >= self.needed

    @property
    def can_miss(self) -> bool:
        """True when at least one vignette of the stratum can be under-triaged."""
        return self.n > 0 or self.total == 0

    def claim(self) -> str:
        """Say what 0 misses in this stratum would show.

        Example: ``cauda_equina_syndrome: n=37, 0 misses would bound the miss rate below 7.8%
        (95%)``.
        """
        if self.total and not self.n:
            return f"{self.name}: n={self.total}, no vignette can be under-triaged (no claim)"
        if self.upper95 is None:
            return f"{self.name}: n=0, no vignette, so no claim at all"
        return (
            f"{self.name}: n={self.n}, 0 misses would bound the miss rate below "
            f"{100 * self.upper95:.1f}% (95%)"
        )

    def warning(self) -> str | None:
        """Say why the stratum is too small for the target claim, or ``None`` when it is not."""
        if self.supports_target or not self.can_miss:
            return None
        return (
            f"{self.kind} {self.claim()}; cannot get under {100 * self.target:.0f}%: "
            f"needs n >= {self.needed} ({self.needed - self.n} more)"
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "kind": self.kind,
            "name": self.name,
            "total": self.total,
            "n": self.n,
            "upper95_if_no_misses": self.upper95,
            "needed_for_target": self.needed,
            "supports_target": self.supports_target,
            "claim": self.claim(),
            "warning": self.warning(),
        }


@dataclass(frozen=True)
class Coverage:
    """Counts of a corpus and the strata of its safety claims.

    Every mapping lists the vocabulary in its order, zero counts included, so a gap shows.
    """

    total: int
    category_by_urgency: Mapping[str, Mapping[str, int]]
    by_condition: Mapping[str, int]
    consensus_by_condition: Mapping[str, int]
    by_register: Mapping[str, int]
    by_label_status: Mapping[str, int]
    by_review_status: Mapping[str, int]
    by_area: Mapping[str, int]
    traps_by_urgency: Mapping[str, int]
    strata: tuple[Stratum, ...]
    target: float = DEFAULT_TARGET
    roots: tuple[str, ...] = field(default=())
    shortcut_audit: ShortcutAudit | None = None
    profile: CorpusProfile | None = None

    @property
    def traps(self) -> int:
        """The number of vignettes tagged ``trap``."""
        return sum(self.traps_by_urgency.values())

    @property
    def small_strata(self) -> tuple[Stratum, ...]:
        """The strata too small to support the target claim."""
        return tuple(s for s in self.strata if s.warning() is not None)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "total": self.total,
            "target_miss_rate": self.target,
            "needed_n": smallest_n_for_upper_bound(self.target),
            "category_by_urgency": {c: dict(row) for c, row in self.category_by_urgency.items()},
            "by_condition": dict(self.by_condition),
            "consensus_by_condition": dict(self.consensus_by_condition),
            "by_register": dict(self.by_register),
            "by_label_status": dict(self.by_label_status),
            "by_review_status": dict(self.by_review_status),
            "by_area": dict(self.by_area),
            "shortcut_audit": self.shortcut_audit.to_dict() if self.shortcut_audit else None,
            "profile": self.profile.to_dict() if self.profile else None,
            "traps": {"total": self.traps, "by_urgency": dict(self.traps_by_urgency)},
            "strata": [s.to_dict() for s in self.strata],
            "warnings": [s.warning() for s in self.small_strata],
        }


def coverage(
    vignettes: Sequence[Vignette],
    roots: Iterable[str | Path] = (),
    target: float = DEFAULT_TARGET,
) -> Coverage:
    """Compute the coverage of ``vignettes`` (``roots`` name the corpus folders, for areas)."""
    root_paths = tuple(Path(r) for r in roots)
    cross = {c: {u: 0 for u in URGENCIES} for c in CATEGORIES}
    for v in vignettes:
        cross[v.expected.category][v.expected.urgency] += 1
    conditions = _ordered(
        (c for v in vignettes for c in (v.expected.suspected_conditions or (NO_CONDITION,))),
        (*CONDITIONS, NO_CONDITION),
    )
    # Gates read consensus labels only, so the strata claims of the issue count those.
    consensus = _ordered(
        (c for v in vignettes if v.label_status == "consensus"
         for c in (v.expected.suspected_conditions or (NO_CONDITION,))),
        (*CONDITIONS, NO_CONDITION),
    )
    traps = _ordered((v.expected.urgency for v in vignettes if TRAP_TAG in v.tags), URGENCIES)
    return Coverage(
        total=len(vignettes),
        category_by_urgency=cross,
        by_condition=conditions,
        consensus_by_condition=consensus,
        by_register=_ordered((v.register for v in vignettes), REGISTERS),
        by_label_status=_ordered((v.label_status for v in vignettes), LABEL_STATUSES),
        by_review_status=_ordered((v.review_status for v in vignettes), REVIEW_STATUSES),
        by_area=dict(sorted(Counter(_area(v, root_paths) for v in vignettes).items())),
        traps_by_urgency=traps,
        strata=_strata(vignettes, target),
        target=target,
        roots=tuple(str(r) for r in root_paths),
        shortcut_audit=shortcut_audit(vignettes),
        profile=profile(vignettes, URGENCIES),
    )


def stratum(kind: str, name: str, members: Sequence[Vignette], target: float) -> Stratum:
    """Build the stratum of ``members``."""
    n = sum(1 for v in members if v.expected.urgency != "self_care")
    return Stratum(
        kind=kind,
        name=name,
        total=len(members),
        n=n,
        upper95=zero_event_upper_bound(n),
        needed=smallest_n_for_upper_bound(target),
        target=target,
    )


def _strata(vignettes: Sequence[Vignette], target: float) -> tuple[Stratum, ...]:
    emergency = [v for v in vignettes if v.expected.urgency == "emergency"]
    out = [
        stratum("emergency", "all emergency vignettes", emergency, target),
        stratum(
            "emergency",
            "consensus emergency vignettes",
            [v for v in emergency if v.label_status == "consensus"],
            target,
        ),
    ]
    groups: list[tuple[str, Sequence[str], Any]] = [
        ("urgency", URGENCIES, lambda v, u: v.expected.urgency == u),
        ("category", CATEGORIES, lambda v, c: v.expected.category == c),
        ("condition", CONDITIONS, lambda v, c: c in v.expected.suspected_conditions),
        ("register", REGISTERS, lambda v, r: v.register == r),
    ]
    for kind, values, member in groups:
        for value in values:
            out.append(stratum(kind, value, [v for v in vignettes if member(v, value)], target))
    return tuple(out)


def _ordered(values: Iterable[str], order: Sequence[str]) -> dict[str, int]:
    counts = Counter(values)
    out = {key: counts.pop(key, 0) for key in order}
    out.update(sorted(counts.items()))  # values outside the vocabulary, if any
    return out


def _area(v: Vignette, roots: Sequence[Path]) -> str:
    """Return the folder of a vignette relative to the corpus root it was found under."""
    path = Path(v.path).resolve()
    for root in roots:
        base = root.resolve()
        if base.is_dir() and path.is_relative_to(base):
            rel = path.parent.relative_to(base)
            return rel.as_posix() if rel.parts else "."
    return path.parent.name or "."
