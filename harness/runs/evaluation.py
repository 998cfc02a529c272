"""One evaluation end to end: run a system on a corpus, score, gate, build the results."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from backtriage.harness.engine import AnswerRecord, EngineOptions
from backtriage.harness.engine.records import text_written
from backtriage.harness.engine.runner import VignetteStream
from backtriage.harness.engine.session import RunStorage, run_session
from backtriage.harness.loading import Corpus
from backtriage.harness.loading.pending_corpus import PendingCorpus
from backtriage.harness.model import Vignette
from backtriage.harness.runs.entry_spool import EntrySpool
from backtriage.harness.runs.llm_facts import prompt_facts, token_totals
from backtriage.harness.runs.mapped import Mapped
from backtriage.harness.runs.run_identity import Keyed, miss_detector, run_identity
from backtriage.harness.safe_json import SafeJson, dumps_safe
from backtriage.harness.systems.protocol import TriageSystem
from backtriage.harness.version import harness_version
from backtriage.scoring.vignette_score import VignetteScore, score_vignette

if TYPE_CHECKING:
    from backtriage.scoring.gates import GateResult
    from backtriage.scoring.policy import Policy


@dataclass(frozen=True)
class RunResult:
    """Everything one evaluation produced, ready for reports and the results file."""

    system_spec: str
    system_info: dict[str, Any]
    corpus: Corpus
    options: EngineOptions
    policy: Policy
    records: tuple[AnswerRecord, ...]
    scores: tuple[VignetteScore, ...]
    metrics: dict[str, dict[str, Any]]
    gates: tuple[GateResult, ...]
    started_at: str
    finished_at: str
    extra: dict[str, Any] = field(default_factory=dict)
    spool: EntrySpool | None = field(default=None, compare=False, repr=False)
    """Entries made while the run went on (see :mod:`entry_spool`); ``None``: made when read."""

    @property
    def passed(self) -> bool:
        """True when every gate passed."""
        from backtriage.scoring.gates import all_passed

        return all_passed(list(self.gates))


def now_iso() -> str:
    """Return the current UTC time in ISO 8601 with a Z suffix."""
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def score_records(
    corpus: Corpus, records: Sequence[AnswerRecord], spool: EntrySpool | None = None
) -> list[VignetteScore]:
    """Group records by vignette and score each vignette (a score the spool made is reused).

    Raises:
        ValueError: if a vignette of the corpus has no record (nothing leaves a denominator).
    """
    by_id: dict[str, list[AnswerRecord]] = defaultdict(list)
    for r in records:
        by_id[r.vignette_id].append(r)
    missing = [v.id for v in corpus.vignettes if v.id not in by_id]
    if missing:
        raise ValueError(
            f"no answer recorded for {len(missing)} vignette(s): {', '.join(missing[:5])}"
        )
    scores = []
    for v in corpus.vignettes:
        mine = sorted(by_id[v.id], key=lambda r: r.epoch)
        made = spool.made(v.id, mine) if spool is not None else None
        scores.append(made.score if made is not None
                      else score_vignette(v, [r.decision for r in mine]))
    return scores


def evaluate(
    system: TriageSystem,
    corpus: Corpus | PendingCorpus,
    policy: Policy | Callable[[], Policy],
    options: EngineOptions | None = None,
    storage: RunStorage | None = None,
) -> RunResult:
    """Run ``system`` over ``corpus`` and score the answers against ``policy``.

    Args:
        system: the system to ask.
        corpus: the vignettes; a pending corpus is built as the engine takes its vignettes
            (a networked system's first calls then start before the last is built).
        policy: the gates, or what loads them: called while the first calls wait (the
            command line loads a bundled policy there, already known to be sound), else
            after the answers.
        options: concurrency, epochs, timeouts and retries.
        storage: journal, resume, cache and progress; ``None`` keeps nothing on disk.

    Raises:
        NoVerdict: the system could not be reached; the journal keeps what was answered.
        InputError: a pending corpus's file no longer makes the vignette its check accepted,
            or the policy that ``policy`` loads is unsound.
    """
    options = options or EngineOptions()
    storage = storage or RunStorage()
    run_policy = _RunPolicy(policy)
    vignettes: Sequence[Vignette] | VignetteStream
    if isinstance(corpus, PendingCorpus):
        keys: Sequence[Keyed] = corpus.keys
        by_id: Mapping[str, Vignette] = corpus.by_id  # filled as the vignettes are built
        vignettes = VignetteStream(corpus.ids, corpus.vignettes())
    else:
        keys, by_id, vignettes = corpus.vignettes, corpus.by_id(), corpus.vignettes
    # A system that waits (a remote model) leaves the calling thread idle: its entries are
    # made in that wait. The rule systems answer at once, and would only pay for the copy.
    spool = None if getattr(system, "answers_inline", False) is True else EntrySpool(
        by_id, options.epochs, entry_text, storage.output_dir)
    session = run_session(
        system,
        vignettes,
        options,
        storage,
        run_identity(system, keys, corpus.content_hash, options),
        now_iso(),
        miss_detector(by_id),
        observe=spool.add if spool is not None else None,
        while_waiting=run_policy.prepare,
    )
    if isinstance(corpus, PendingCorpus):
        corpus = corpus.corpus()  # every vignette the engine took is built already
    result = result_from_records(
        system.spec,
        system.describe(),
        corpus,
        options,
        run_policy.load(),
        session.records,
        session.started_at,
        spool=spool,
    )
    run: dict[str, Any] = dict(session.stats)
    if session.cache_write_failure is not None:
        run["cache_write_failure"] = session.cache_write_failure
    extra: dict[str, Any] = {**result.extra, "run": run}
    prompt = prompt_facts(system, corpus.vignettes)
    if prompt is not None:
        extra["prompt"] = prompt
    return replace(result, extra=extra)


class _RunPolicy:
    """A run's policy, loaded once: while the first calls wait, or when first asked for."""

    def __init__(self, source: Policy | Callable[[], Policy]):
        self._source = source
        self._policy: Policy | None = None

    def prepare(self) -> None:
        """Load the policy and import what gating needs (a run that waits does it then)."""
        self.load()

    def load(self) -> Policy:
        """The policy, loaded on first use."""
        if self._policy is None:
            from backtriage.scoring import gates, metrics  # noqa: F401 - imported in the wait

            source = self._source
            self._policy = source() if callable(source) else source
        return self._policy


def result_from_records(
    spec: str,
    info: dict[str, Any],
    corpus: Corpus,
    options: EngineOptions,
    policy: Policy,
    records: Sequence[AnswerRecord],
    started_at: str,
    finished_at: str | None = None,
    spool: EntrySpool | None = None,
) -> RunResult:
    """Score stored records (a fresh run, a resumed one, or merged shards).

    ``spool`` holds entries made while the run went on; those whose records are these are
    reused (their score here, their text when the results are written).
    """
    from backtriage.scoring.gates import apply_gates
    from backtriage.scoring.metrics import metrics_by_status

    scores = score_records(corpus, records, spool)
    metrics = metrics_by_status(scores)
    gates = apply_gates(policy, metrics)
    return RunResult(
        system_spec=spec,
        system_info=info,
        corpus=corpus,
        options=options,
        policy=policy,
        records=tuple(sorted(records, key=lambda r: (r.vignette_id, r.epoch))),
        scores=tuple(scores),
        metrics=metrics,
        gates=tuple(gates),
        started_at=started_at,
        finished_at=finished_at or now_iso(),
        spool=spool,
    )


def vignette_entry(s: VignetteScore, records: Sequence[AnswerRecord]) -> dict[str, Any]:
    """A vignette's entry in the results document: labels, outcomes and its answers."""
    return {**_entry_head(s), "answers": [r.to_dict() for r in records]}


def entry_text(s: VignetteScore, records: Sequence[AnswerRecord]) -> SafeJson:
    """``dumps_safe(vignette_entry(s, records), compact=True)``, each answer written once.

    When the journal has just written the vignette's answer and it had nothing to replace
    (a run of one epoch, its entry made as the answer arrives), the entry puts in that text
    (:func:`text_written`): serialising the answer again was a fifth of making the entry.
    Otherwise the entry is serialised whole: two texts joined cost more than one written.
    """
    texts = [text for r in records if (text := text_written(r)) is not None]
    if len(texts) == len(records):
        head = dumps_safe(_entry_head(s), compact=True)
        if not head.replacements:  # the head is never empty: it has at least the id
            return SafeJson(f'{head.value[:-1]},"answers":[{",".join(texts)}]}}', ())
    return dumps_safe(vignette_entry(s, records), compact=True)


def _entry_head(s: VignetteScore) -> dict[str, Any]:
    """A vignette's entry but its answers (which come last)."""
    v = s.vignette
    return {
        "id": v.id,
        "version": v.version,
        "content_hash": v.content_hash,
        "label_status": v.label_status,
        "register": v.register,
        "tags": list(v.tags),
        "findings": v.presentation.findings_dict(),
        "expected": {k: val for k, val in v.expected.to_dict().items() if k != "rationale"},
        "acceptable": v.acceptable.to_dict(),
        "rationale": v.rationale,
        "sources": [
            {"id": c.id, **({"section": c.section} if c.section else {})} for c in v.sources
        ],
        "outcomes": list(s.combined.outcomes),
        "correct": s.combined.correct,
        "flip_rate": s.flip_rate,
        "pass_all_epochs": s.passed_all,
    }


class VignetteEntries(Mapped[VignetteScore, dict[str, Any]]):
    """The per-vignette entries of a results document, each built when it is read.

    A run of 100,000 vignettes would otherwise hold every entry (findings, labels, rationale,
    answers) twice over while the file is written; here only the scores and records are held,
    and the writer streams the entries one at a time. Entries a spool made while the run went
    on are not built again when written (:meth:`serialized`).
    """

    def __init__(self, scores: Sequence[VignetteScore], records: Sequence[AnswerRecord],
                 spool: EntrySpool | None = None):
        by_id: dict[str, list[AnswerRecord]] = defaultdict(list)
        for r in records:
            by_id[r.vignette_id].append(r)
        self._records = by_id
        self._spool = spool
        super().__init__(scores, self._entry)

    def _entry(self, s: VignetteScore) -> dict[str, Any]:
        return vignette_entry(s, self._records.get(s.vignette.id, ()))

    def serialized(self) -> Iterator[SafeJson]:
        """Each entry as strict JSON text, in order: the spool's where it has it, else built."""
        for s in self.source:
            records = self._records.get(s.vignette.id, ())
            made = self._spool.made(s.vignette.id, records) if self._spool else None
            if made is not None and self._spool is not None:
                try:
                    yield self._spool.text(made)
                    continue
                except OSError:
                    pass  # the spool lost it: the entry is built as without one
            yield entry_text(s, records)


def results_document(result: RunResult) -> dict[str, Any]:
    """Build the ``results.json`` document (schemas/results.schema.json).

    Its ``vignettes`` are a :class:`VignetteEntries`, built as they are read.
    """
    vignettes = VignetteEntries(result.scores, result.records, result.spool)
    usage = token_totals(result.records)
    return {
        "schema_version": "1.0.0",
        "harness_version": harness_version(),
        **({"label": result.extra["label"]} if result.extra.get("label") else {}),
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "system": {**result.system_info, "spec": result.system_spec},
        "corpus": {
            "content_hash": result.corpus.content_hash,
            "corpus_version": result.corpus.version,
            "n_vignettes": len(result.corpus),
            "roots": list(result.corpus.roots),
            **result.extra.get("corpus", {}),
        },
        "options": {
            **result.options.to_dict(),
            **result.extra.get("options", {}),
        },
        "policy": {
            "name": result.policy.name,
            "source": result.policy.source,
            "scope": result.policy.scope,
            # The whole policy travels with the results so merge and compare can re-gate.
            "document": result.policy.to_dict(),
        },
        "metrics": result.metrics["all"],
        "metrics_by_status": result.metrics,
        "gates": [g.to_dict() for g in result.gates],
        "gates_passed": result.passed,
        **({"run": {**result.extra["run"], "corpus_validation": result.corpus.validation}}
           if "run" in result.extra else {}),
        **({"prompt": result.extra["prompt"]} if "prompt" in result.extra else {}),
        **({"usage": usage} if usage is not None else {}),
        "vignettes": vignettes,
    }
