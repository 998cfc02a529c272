"""Combining shard results into the result of one unsharded run.

A merge re-scores the shards' recorded answers against the vignette labels the shards recorded,
so the merged ``results.json`` has the metrics, per-vignette records and gates an unsharded run
would have had. :func:`comparable` defines exactly what "equal" means: every field except the
ones that describe when, where or how fast a run happened.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from backtriage.harness.engine import AnswerRecord, EngineOptions
from backtriage.harness.engine.record_reading import RecordShapeError, checked_record
from backtriage.harness.loading import Corpus
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.model import Acceptable, Citation, Decision, Presentation, Vignette
from backtriage.harness.runs.evaluation import RunResult, result_from_records
from backtriage.harness.runs.results_io import read_results
from backtriage.harness.runs.selection import Selection, mark_selection
from backtriage.harness.runs.sharding import Shard, parse_shard, shard_ids
from backtriage.scoring.policy import Policy, policy_from_dict

VOLATILE_TOP = ("started_at", "finished_at", "run")
"""Top-level keys left out of a comparison: when the run happened, and how many answers were
resumed from a journal, served from a cache or newly asked."""
VOLATILE_CORPUS = ("roots", "shard", "n_vignettes_total", "merged_from")
"""``corpus`` keys left out: where the files lay and how the run was split."""
VOLATILE_OPTIONS = ("concurrency",)
"""``options`` keys left out: how many calls were in flight changes no answer."""
VOLATILE_ANSWER = ("seconds", "cached")
"""Answer keys left out: timing, and whether a cache served the answer."""


@dataclass(frozen=True)
class ShardResult:
    """One shard's results document and where it came from."""

    path: str
    shard: Shard
    document: Mapping[str, Any]


def read_shard_results(paths: Sequence[str | Path]) -> list[ShardResult]:
    """Read and schema-check shard results files (or the folders holding them).

    Raises:
        InputError: naming every file that is unreadable, invalid or not a shard result.
    """
    shards: list[ShardResult] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            doc = read_results(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        text = doc["corpus"].get("shard")
        if not text:
            problems.append(
                Problem(
                    str(path),
                    "/corpus/shard",
                    "not a shard result (written by 'backtriage run --shard I/N'); "
                    "nothing to merge",
                )
            )
            continue
        try:
            shard = parse_shard(text, f"{path}:/corpus/shard")
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        shards.append(ShardResult(str(path), shard, doc))
    if problems:
        raise InputError(problems)
    return shards


def merge_problems(shards: Sequence[ShardResult]) -> list[Problem]:
    """Return every reason these shards cannot be merged (empty when they can).

    All shards must come from one harness version, one corpus (same content hash), one system
    (spec and every setting it describes, such as temperature), one policy and the same epochs;
    every shard 1..N must be present exactly once; no vignette may appear twice; and each
    shard must hold exactly the slice ``--shard I/N`` assigns.
    """
    if not shards:
        return [Problem("merge", "", "no shard results given")]
    first = shards[0]
    problems: list[Problem] = []

    def same(pointer: str, get: Any, what: str) -> None:
        want = get(first.document)
        for s in shards[1:]:
            got = get(s.document)
            if got != want:
                problems.append(
                    Problem(
                        s.path,
                        pointer,
                        f"{what} differs from {first.path}: {_short(got)} vs {_short(want)}",
                    )
                )

    same("/corpus/content_hash", lambda d: d["corpus"]["content_hash"], "corpus")
    same("/corpus/corpus_version", lambda d: d["corpus"].get("corpus_version"), "corpus version")
    same("/corpus/n_vignettes_total", lambda d: d["corpus"].get("n_vignettes_total"), "corpus size")
    same("/harness_version", lambda d: d["harness_version"], "harness version")
    same("/system/spec", lambda d: d["system"]["spec"], "system")
    # The whole identity a journal must share to be resumed (run_identity): every setting the
    # system reports (model, temperature, prompt hash, ...), not only the spec string.
    for key in sorted({k for s in shards for k in s.document["system"]} - {"spec"}):
        same(f"/system/{key}", lambda d, key=key: d["system"].get(key), f"system {key}")
    same("/policy", _policy_key, "policy")
    same("/options/epochs", lambda d: d["options"].get("epochs"), "epochs")
    same("/corpus/selection", _selection_key, "selection")

    totals = {s.shard.total for s in shards}
    if len(totals) > 1:
        problems.append(
            Problem("merge", "", f"shards split the corpus differently: N = {sorted(totals)}")
        )
        return problems
    total = first.shard.total
    seen: dict[int, str] = {}
    for s in shards:
        if s.shard.index in seen:
            problems.append(
                Problem(
                    s.path,
                    "/corpus/shard",
                    f"shard {s.shard} given twice (also {seen[s.shard.index]})",
                )
            )
        seen.setdefault(s.shard.index, s.path)
    missing = [f"{i}/{total}" for i in range(1, total + 1) if i not in seen]
    if missing:
        problems.append(
            Problem(
                "merge", "", f"missing shard(s) {', '.join(missing)}: a merge needs all {total}"
            )
        )

    owner: dict[str, ShardResult] = {}
    for s in shards:
        for v in s.document["vignettes"]:
            if v["id"] in owner and owner[v["id"]] is not s:
                problems.append(
                    Problem(
                        s.path,
                        "/vignettes",
                        f"vignette {v['id']!r} is in shard {s.shard} and also in shard "
                        f"{owner[v['id']].shard} ({owner[v['id']].path})",
                    )
                )
            owner.setdefault(v["id"], s)
    if problems:
        return problems

    all_ids = sorted(owner)
    expected_total = first.document["corpus"].get("n_vignettes_total")
    if expected_total is not None and expected_total != len(all_ids):
        problems.append(
            Problem(
                "merge",
                "",
                f"the shards hold {len(all_ids)} vignette(s) but the corpus has {expected_total}",
            )
        )
    for s in shards:
        held = sorted(v["id"] for v in s.document["vignettes"])
        if held != shard_ids(all_ids, s.shard):
            problems.append(
                Problem(
                    s.path,
                    "/vignettes",
                    f"shard {s.shard} does not hold the slice --shard {s.shard} assigns "
                    "(were the shards cut from different corpora?)",
                )
            )
    return problems


def merge_shards(shards: Sequence[ShardResult], policy: Policy | None = None) -> RunResult:
    """Merge shard results into one run result, re-scored and re-gated.

    Args:
        shards: every shard of one run.
        policy: the policy to gate the merged run with; ``None`` uses the policy the shards
            recorded.

    Raises:
        InputError: listing every reason the shards cannot be merged.
    """
    problems = merge_problems(shards)
    if problems:
        raise InputError(problems)
    ordered = sorted(shards, key=lambda s: s.shard.index)
    first = ordered[0].document
    vignettes = sorted(
        (_vignette(v) for s in ordered for v in s.document["vignettes"]), key=lambda v: v.id
    )
    records = _shard_records(ordered)
    corpus = Corpus(
        vignettes=tuple(vignettes),
        bibliography=MappingProxyType({}),
        content_hash=first["corpus"]["content_hash"],
        roots=tuple(first["corpus"].get("roots", ())),
        version=first["corpus"].get("corpus_version"),
    )
    gate_policy = policy or recorded_policy(first, ordered[0].path)
    info = {k: v for k, v in first["system"].items() if k != "spec"}
    result = result_from_records(
        first["system"]["spec"],
        info,
        corpus,
        _engine_options(first["options"]),
        gate_policy,
        records,
        started_at=min(s.document["started_at"] for s in ordered),
        finished_at=max(s.document["finished_at"] for s in ordered),
    )
    extra: dict[str, Any] = {
        "corpus": {"merged_from": [f"{s.shard} {s.path}" for s in ordered]},
        # Replaying the recorded options keeps every engine setting the shards wrote.
        "options": dict(first["options"]),
    }
    stats = _summed_run_stats(ordered)
    if stats is not None:
        extra["run"] = stats
    for key in ("label", "prompt"):
        if key in first:
            extra[key] = first[key]
    merged = dataclasses.replace(result, extra=extra)
    selection = first["corpus"].get("selection")
    if isinstance(selection, Mapping):
        merged = mark_selection(merged, Selection.from_dict(selection))
    return merged


def _selection_key(document: Mapping[str, Any]) -> Any:
    selection = document["corpus"].get("selection")
    if not isinstance(selection, Mapping):
        return selection
    return {k: v for k, v in selection.items() if k != "description"}


def _shard_records(shards: Sequence[ShardResult]) -> list[AnswerRecord]:
    """Every answer of every shard, each checked field by field (a results file may be damaged).

    Raises:
        InputError: naming the file and JSON pointer of every record that is not well formed.
    """
    records: list[AnswerRecord] = []
    problems: list[Problem] = []
    for s in shards:
        for i, v in enumerate(s.document["vignettes"]):
            for j, answer in enumerate(v["answers"]):
                try:
                    records.append(checked_record(answer))
                except RecordShapeError as exc:
                    problems.append(Problem(s.path, f"/vignettes/{i}/answers/{j}", str(exc)))
    if problems:
        raise InputError(problems)
    return records


def _summed_run_stats(shards: Sequence[ShardResult]) -> dict[str, int] | None:
    """Add up the shards' ``run`` counters (answers resumed, cached, asked, ...)."""
    recorded = [s.document["run"] for s in shards if isinstance(s.document.get("run"), dict)]
    if not recorded:
        return None
    total: dict[str, int] = {}
    for stats in recorded:
        for key, value in stats.items():
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value
    return total


def recorded_policy(document: Mapping[str, Any], path: str) -> Policy:
    """Rebuild the policy a results document recorded.

    Raises:
        InputError: if the document predates embedded policies (pass ``--policy`` instead).
    """
    embedded = document["policy"].get("document")
    if embedded is None:
        raise InputError(
            [
                Problem(
                    path,
                    "/policy/document",
                    "these results do not record their policy's rules; pass --policy",
                )
            ]
        )
    source = document["policy"].get("source", f"{path}:/policy/document")
    return policy_from_dict(copy.deepcopy(embedded), source)


def comparable(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``document`` without the fields that legitimately differ between equal runs.

    Two runs are *equal* when these views are equal: same harness version, system, corpus hash
    and size, policy and gates, options other than concurrency, metrics for all, consensus and
    contested vignettes, and per-vignette labels, outcomes and answers (decision, error, raw
    reply, attempts, metadata). Left out: ``started_at``, ``finished_at`` and the ``run``
    counters (answers resumed, cached or newly asked); the corpus
    ``roots``, ``shard``, ``n_vignettes_total`` and ``merged_from``; ``options.concurrency``;
    the policy ``source`` path; each answer's ``seconds`` and ``cached`` and each attempt's
    ``seconds``.
    """
    doc = copy.deepcopy(dict(document))
    for key in VOLATILE_TOP:
        doc.pop(key, None)
    for key in VOLATILE_CORPUS:
        doc["corpus"].pop(key, None)
    for key in VOLATILE_OPTIONS:
        doc["options"].pop(key, None)
    doc["policy"].pop("source", None)
    for v in doc["vignettes"]:
        for answer in v["answers"]:
            for key in VOLATILE_ANSWER:
                answer.pop(key, None)
            for attempt in answer.get("attempts", []):
                attempt.pop("seconds", None)
    return doc


def _policy_key(document: Mapping[str, Any]) -> Any:
    policy = document["policy"]
    return policy.get("document") or {"name": policy["name"], "scope": policy["scope"]}


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _engine_options(options: Mapping[str, Any]) -> EngineOptions:
    known = {f.name for f in dataclasses.fields(EngineOptions)}
    return EngineOptions(**{k: v for k, v in options.items() if k in known})


def _vignette(v: Mapping[str, Any]) -> Vignette:
    """Rebuild the labels of a vignette from its results entry.

    The tags (contrast pairs) and findings (open must-not-miss questions) come back too, so a
    merged run scores exactly as the whole run; the narrative is not needed.
    """
    acceptable = v.get("acceptable", {})
    return Vignette(
        id=v["id"],
        version=v["version"],
        title="",
        tags=tuple(v.get("tags", ())),
        register=v.get("register", "clinician"),
        presentation=Presentation(
            narrative="", findings=MappingProxyType(dict(v.get("findings", {})))
        ),
        expected=Decision.from_dict(v["expected"]),
        acceptable=Acceptable(
            urgency=tuple(acceptable.get("urgency", ())),
            imaging=tuple(acceptable.get("imaging", ())),
            category=tuple(acceptable.get("category", ())),
        ),
        label_status=v["label_status"],
        rationale=v.get("rationale", ""),
        sources=tuple(Citation(c["id"], c.get("section")) for c in v.get("sources", [])),
        review_status="",
        content_hash=v["content_hash"],
    )
