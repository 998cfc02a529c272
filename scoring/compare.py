"""Comparing two runs: which vignettes changed outcome, metric deltas, McNemar, compare gates.

Both runs are results documents (``results.json``). Vignettes are paired by id. A vignette only
in the new run counts as changed when it has an outcome, so a newly added cauda equina case that
the new system misses is a new critical miss; a vignette only in the base run is listed as
removed and gates nothing.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from backtriage.scoring import outcomes as oc
from backtriage.scoring.gates import GateResult
from backtriage.scoring.mcnemar import McNemarResult, mcnemar
from backtriage.scoring.policy import Policy

NEW_CRITICAL_MISS = "new critical miss"
NEW_MAJOR_MISS = "new major miss"
FIXED_CRITICAL_MISS = "fixed critical miss"
FIXED_MAJOR_MISS = "fixed major miss"
NEW_OVER_IMAGING = "new over-imaging"
REMOVED_OVER_IMAGING = "removed over-imaging"
OTHER_CHANGE = "other change"
ADDED = "added vignette"
REMOVED = "removed vignette"

CHANGE_ORDER = (
    NEW_CRITICAL_MISS,
    NEW_MAJOR_MISS,
    FIXED_CRITICAL_MISS,
    FIXED_MAJOR_MISS,
    NEW_OVER_IMAGING,
    REMOVED_OVER_IMAGING,
    OTHER_CHANGE,
    ADDED,
    REMOVED,
)
"""Kinds of change, in report order: safety regressions first."""

DELTA_METRICS = (
    "n_vignettes",
    "critical_misses",
    "critical_miss_rate",
    "critical_miss_upper95",
    "major_misses",
    "major_miss_rate",
    "missed_imaging_rate",
    "wrong_modality_rate",
    "over_imaging_rate",
    "over_triage_rate",
    "error_rate",
    "urgency_accuracy",
    "imaging_accuracy",
    "category_accuracy",
    "urgency_kappa",
)
"""Metrics whose change a comparison reports."""

_COUNT_METRICS = frozenset({"n_vignettes", "critical_misses", "major_misses"})
_PLAIN_METRICS = frozenset({"urgency_kappa"})


@dataclass(frozen=True)
class VignetteChange:
    """One vignette whose outcomes differ between the runs.

    Attributes:
        id: the vignette id.
        kinds: every kind of change that applies, in :data:`CHANGE_ORDER`.
        label_status: consensus or contested (from the new run when present).
        in_scope: whether the policy's scope covers it (compare gates count only these).
        base_outcomes: outcomes in the base run (``None``: not in the base run).
        new_outcomes: outcomes in the new run (``None``: not in the new run).
        base_answer: the base run's first answer as ``urgency / imaging``, or an error.
        new_answer: the new run's first answer.
        expected: the expected ``urgency / imaging``.
        relabelled: the vignette's content hash differs between the runs.
    """

    id: str
    kinds: tuple[str, ...]
    label_status: str
    in_scope: bool
    base_outcomes: tuple[str, ...] | None
    new_outcomes: tuple[str, ...] | None
    base_answer: str
    new_answer: str
    expected: str
    relabelled: bool = False

    @property
    def kind(self) -> str:
        """The most important kind of change (the one it is sorted by)."""
        return self.kinds[0]

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {
            "id": self.id,
            "kinds": list(self.kinds),
            "label_status": self.label_status,
            "in_scope": self.in_scope,
            "base_outcomes": None if self.base_outcomes is None else list(self.base_outcomes),
            "new_outcomes": None if self.new_outcomes is None else list(self.new_outcomes),
            "base_answer": self.base_answer,
            "new_answer": self.new_answer,
            "expected": self.expected,
            "relabelled": self.relabelled,
        }


@dataclass(frozen=True)
class MetricDelta:
    """A metric in both runs (policy scope) and its change (``None`` without data)."""

    name: str
    base: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        """New minus base."""
        if self.base is None or self.new is None:
            return None
        return self.new - self.base

    @property
    def is_count(self) -> bool:
        """True for counts (shown as integers)."""
        return self.name in _COUNT_METRICS

    @property
    def is_proportion(self) -> bool:
        """True for proportions (shown as percentages, changes in points)."""
        return self.name not in _COUNT_METRICS | _PLAIN_METRICS

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form."""
        return {"name": self.name, "base": self.base, "new": self.new, "delta": self.delta}


@dataclass(frozen=True)
class Comparison:
    """Everything ``backtriage compare`` reports."""

    base_label: str
    new_label: str
    scope: str
    policy_name: str
    changes: tuple[VignetteChange, ...]
    deltas: tuple[MetricDelta, ...]
    mcnemar: McNemarResult
    gates: tuple[GateResult, ...]
    warnings: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        """True when every compare gate passed."""
        return all(g.passed for g in self.gates)

    def count(self, kind: str, in_scope_only: bool = False) -> int:
        """Number of changed vignettes with change ``kind``."""
        return sum(1 for c in self.changes if kind in c.kinds and (c.in_scope or not in_scope_only))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (``backtriage compare --format json``)."""
        return {
            "base": self.base_label,
            "new": self.new_label,
            "scope": self.scope,
            "policy": self.policy_name,
            "passed": self.passed,
            "counts": {k: self.count(k) for k in CHANGE_ORDER},
            "changes": [c.to_dict() for c in self.changes],
            "metric_deltas": [d.to_dict() for d in self.deltas],
            "mcnemar": self.mcnemar.to_dict(),
            "gates": [g.to_dict() for g in self.gates],
            "warnings": list(self.warnings),
        }


def compare_runs(
    base: Mapping[str, Any],
    new: Mapping[str, Any],
    policy: Policy,
    base_label: str = "base",
    new_label: str = "new",
) -> Comparison:
    """Compare two results documents and apply the policy's ``compare`` gates."""
    base_by_id = {v["id"]: v for v in base["vignettes"]}
    new_by_id = {v["id"]: v for v in new["vignettes"]}
    changes = [
        change
        for vid in sorted(base_by_id.keys() | new_by_id.keys())
        if (change := _change(vid, base_by_id.get(vid), new_by_id.get(vid), policy.scope))
    ]
    changes.sort(key=lambda c: (CHANGE_ORDER.index(c.kind), c.id))
    pairs = [
        (bool(base_by_id[vid]["correct"]), bool(new_by_id[vid]["correct"]))
        for vid in sorted(base_by_id.keys() & new_by_id.keys())
        if _in_scope(new_by_id[vid], policy.scope)
    ]
    base_m = base["metrics_by_status"][policy.scope]
    new_m = new["metrics_by_status"][policy.scope]
    deltas = tuple(MetricDelta(name, base_m.get(name), new_m.get(name)) for name in DELTA_METRICS)
    comparison = Comparison(
        base_label=base_label,
        new_label=new_label,
        scope=policy.scope,
        policy_name=policy.name,
        changes=tuple(changes),
        deltas=deltas,
        mcnemar=mcnemar(pairs),
        gates=(),
        warnings=tuple(_warnings(base, new, base_by_id, new_by_id)),
    )
    return dataclasses.replace(comparison, gates=tuple(compare_gates(policy, comparison)))


def compare_gates(policy: Policy, comparison: Comparison) -> list[GateResult]:
    """Evaluate the policy's ``compare`` section on a comparison."""
    rules = policy.compare
    gates: list[GateResult] = []
    for key, kind, label in (
        ("no_new_critical_misses", NEW_CRITICAL_MISS, "new critical misses"),
        ("no_new_major_misses", NEW_MAJOR_MISS, "new major misses"),
    ):
        if rules.get(key):
            ids = [c.id for c in comparison.changes if kind in c.kinds and c.in_scope]
            ok = not ids
            detail = f"{label} = 0: {len(ids)} {'passes' if ok else 'FAILS'}"
            if ids:
                detail += f" ({', '.join(ids[:5])}{', ...' if len(ids) > 5 else ''})"
            gates.append(GateResult(f"{label} = 0", float(len(ids)), ok, detail))
    limit = rules.get("max_over_imaging_rise_points")
    if limit is not None:
        name = f"over-imaging rise <= {limit:g} points"
        over = next(d for d in comparison.deltas if d.name == "over_imaging_rate")
        if over.delta is None:
            gates.append(
                GateResult(
                    name,
                    None,
                    False,
                    f"{name}: over-imaging not measurable in both runs, cannot pass",
                )
            )
        else:
            points = 100 * over.delta
            ok = points <= limit + 1e-9
            gates.append(
                GateResult(
                    name,
                    points,
                    ok,
                    f"{name}: {points:+.1f} points {'passes' if ok else 'FAILS'}",
                )
            )
    return gates


def _in_scope(v: Mapping[str, Any], scope: str) -> bool:
    return scope == "all" or v["label_status"] == "consensus"


def _answer_text(v: Mapping[str, Any] | None) -> str:
    if v is None:
        return "—"
    answer = v["answers"][0]
    decision = answer.get("decision")
    if decision is None:
        return f"error: {(answer.get('error') or '')[:60]}"
    return f"{decision['urgency']} / {decision['imaging']}"


def _change(
    vid: str,
    base: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    scope: str,
) -> VignetteChange | None:
    before = set(base["outcomes"]) if base else set()
    after = set(new["outcomes"]) if new else set()
    kinds: list[str] = []
    if new is not None and base is not None and before == after:
        return None
    if new is None:
        kinds.append(REMOVED)
    else:
        for outcome, gained, lost in (
            (oc.CRITICAL_MISS, NEW_CRITICAL_MISS, FIXED_CRITICAL_MISS),
            (oc.MAJOR_MISS, NEW_MAJOR_MISS, FIXED_MAJOR_MISS),
            (oc.OVER_IMAGING, NEW_OVER_IMAGING, REMOVED_OVER_IMAGING),
        ):
            if outcome in after and outcome not in before:
                kinds.append(gained)
            elif outcome in before and outcome not in after:
                kinds.append(lost)
        # Minor changes get a row of their own only when nothing more important happened:
        # the outcome columns still show that a critical miss also missed the imaging.
        if not kinds and before != after:
            kinds.append(OTHER_CHANGE)
        if base is None:
            if not after:
                return None
            kinds.append(ADDED)
    labelled = new if new is not None else base
    assert labelled is not None
    expected = labelled["expected"]
    return VignetteChange(
        id=vid,
        kinds=tuple(sorted(kinds, key=CHANGE_ORDER.index)),
        label_status=labelled["label_status"],
        in_scope=_in_scope(labelled, scope),
        base_outcomes=None if base is None else tuple(base["outcomes"]),
        new_outcomes=None if new is None else tuple(new["outcomes"]),
        base_answer=_answer_text(base),
        new_answer=_answer_text(new),
        expected=f"{expected['urgency']} / {expected['imaging']}",
        relabelled=bool(base and new and base["content_hash"] != new["content_hash"]),
    )


def _warnings(
    base: Mapping[str, Any],
    new: Mapping[str, Any],
    base_by_id: Mapping[str, Mapping[str, Any]],
    new_by_id: Mapping[str, Mapping[str, Any]],
) -> list[str]:
    out = []
    base_version = base["corpus"].get("corpus_version")
    new_version = new["corpus"].get("corpus_version")
    if base_version != new_version:
        out.append(
            f"the runs used different corpus versions ({base_version or 'none recorded'} vs "
            f"{new_version or 'none recorded'}): labels changed between them (see the labeling "
            "guide's changelog), so a metric change is not a change of system alone"
        )
    if base["corpus"]["content_hash"] != new["corpus"]["content_hash"]:
        out.append(
            "the runs used different corpora: metric deltas mix the change of system with the "
            "change of corpus (per-vignette changes are paired by id)"
        )
    for label, doc in (("base", base), ("new", new)):
        selection = doc["corpus"].get("selection")
        if isinstance(selection, Mapping):
            out.append(f"the {label} run is a {selection['description']}; vignettes only in "
                       "the other run are listed as added or removed")
        if doc["corpus"].get("shard"):
            out.append(
                f"the {label} run is shard {doc['corpus']['shard']} only; merge the shards first"
            )
    relabelled = sorted(
        vid
        for vid in base_by_id.keys() & new_by_id.keys()
        if base_by_id[vid]["content_hash"] != new_by_id[vid]["content_hash"]
    )
    if relabelled:
        out.append(
            f"{len(relabelled)} vignette(s) changed content between the runs "
            f"(e.g. {relabelled[0]}): their outcome change may come from the new label"
        )
    return out
