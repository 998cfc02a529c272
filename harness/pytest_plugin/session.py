"""The switched-on plugin: asks the system, explains failures, applies the gates."""

from __future__ import annotations

import dataclasses
from collections.abc import Generator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from backtriage.harness.cli.engine_args import adapter_settings
from backtriage.harness.cli.exit_codes import SYSTEM_UNAVAILABLE
from backtriage.harness.engine import AnswerRecord, EngineOptions, NoVerdict
from backtriage.harness.loading import Corpus, InputError, load_corpus
from backtriage.harness.model import Vignette
from backtriage.harness.pytest_plugin.asking import AnswerWindow
from backtriage.harness.pytest_plugin.gate_reports import (
    GATE_REPORT_FLAG,
    count_gates,
    report_gates,
)
from backtriage.harness.pytest_plugin.items import VignetteCollection, VignetteItem
from backtriage.harness.pytest_plugin.settings import NODE_PREFIX, Settings
from backtriage.harness.runs.evaluation import (
    RunResult,
    now_iso,
    result_from_records,
    results_document,
)
from backtriage.harness.runs.results_io import write_results
from backtriage.harness.runs.sharding import parse_shard, select_shard
from backtriage.harness.systems import SpecError, TriageSystem, resolve_system
from backtriage.scoring.gates import not_applied_without_data
from backtriage.scoring.policy import Policy, load_policy
from backtriage.scoring.reports.common import failure_text, outcome_text
from backtriage.scoring.reports.markdown import render_markdown
from backtriage.scoring.scorecard import over_imaging_line, safety_line
from backtriage.scoring.vignette_score import VignetteScore


class BacktriageSession:
    """The switched-on plugin: holds the corpus, policy and system, and gathers answers."""

    def __init__(self, config: pytest.Config, settings: Settings) -> None:
        self.config = config
        self.settings = settings
        self.is_worker = hasattr(config, "workerinput")
        self.options = _engine_options(settings)
        try:
            full = load_corpus(settings.corpus)
            self.n_total = len(full)
            self.shard = (
                parse_shard(settings.shard, "--backtriage-shard") if settings.shard else None
            )
            self.corpus: Corpus = select_shard(full, self.shard) if self.shard else full
            self._check_requested_ids()
            self.policy: Policy = load_policy(settings.policy)
            self.system: TriageSystem = resolve_system(
                settings.system, adapter_settings(self.options, {}, settings.system)
            )
        except InputError as exc:
            raise pytest.UsageError(
                "backtriage:\n" + "\n".join(str(p) for p in exc.problems)
            ) from None
        except SpecError as exc:
            raise pytest.UsageError(f"backtriage: {exc}") from None
        # On an xdist worker the next items are unknown: ask one vignette at a time there.
        window = 1 if self.is_worker else self.options.concurrency // self.options.epochs
        self.asker = AnswerWindow(self.system, self.options, window)
        self.started_at = now_iso()
        self.answers: dict[str, list[dict[str, Any]]] = {}
        self.failed_ids: set[str] = set()
        self.other_failures = 0
        self.result: RunResult | None = None
        self.verdict: str | None = None
        self.citations = {
            sid: _shorten(str(entry.get("citation", "")), 120)
            for sid, entry in self.corpus.bibliography.items()
        }

    # -- asking and explaining -------------------------------------------------------------

    @property
    def n_gates(self) -> int:
        """How many gates the policy has (each reported as a test after the vignettes)."""
        return len(self.policy.thresholds) + len(self.policy.per_condition_min_sensitivity)

    def ask(self, vignette: Vignette) -> tuple[AnswerRecord, ...]:
        """The answers for one vignette, ``epochs`` of them (asked ahead when possible).

        An unreachable system ends the session with status 4 (no verdict), as on the CLI.
        """
        try:
            return self.asker.ask(vignette)
        except NoVerdict as exc:
            pytest.exit(
                f"backtriage: system unavailable: no verdict: {self.system.spec}: {exc}",
                returncode=SYSTEM_UNAVAILABLE,
            )

    def _check_requested_ids(self) -> None:
        known = {v.id for v in self.corpus.vignettes}
        unknown = [vid for vid in self.settings.only_ids if vid not in known]
        if unknown:
            where = f"shard {self.settings.shard} of the corpus" if self.shard else "the corpus"
            raise pytest.UsageError(
                f"backtriage: no vignette {', '.join(map(repr, unknown))} in {where}"
            )

    def explain(
        self, vignette: Vignette, records: Sequence[AnswerRecord], score: VignetteScore
    ) -> str:
        """The failure message: outcome, expected and actual decision, rationale, sources."""
        entry = {
            "id": vignette.id,
            "label_status": vignette.label_status,
            "expected": {k: v for k, v in vignette.expected.to_dict().items() if k != "rationale"},
            "acceptable": vignette.acceptable.to_dict(),
            "outcomes": list(score.combined.outcomes),
            "answers": [r.to_dict() for r in records],
            "rationale": vignette.rationale,
            "sources": [{"id": c.id, "section": c.section} for c in vignette.sources],
        }
        where = f" ({vignette.path})" if vignette.path else ""
        # The first line is what pytest's short summary shows: make it the verdict.
        first = records[0].decision
        answered = "error" if first is None else f"{first.urgency} / {first.imaging}"
        headline = (
            f"{outcome_text(entry)}: expected {vignette.expected.urgency} / "
            f"{vignette.expected.imaging}, answered {answered}"
        )
        return f"{headline}\nvignette {vignette.id}: {vignette.title}{where}\n" + failure_text(
            entry, self.citations
        )

    # -- hooks ------------------------------------------------------------------------------

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        """Say what is being tested."""
        shard = f", shard {self.shard}" if self.shard else ""
        o = self.options
        return [
            f"backtriage: system {self.settings.system}, {len(self.corpus)} vignette(s){shard} "
            f"(corpus {self.corpus.content_hash[:12]}), policy {self.policy.name} "
            f"(scope {self.policy.scope}), {self.settings.epochs} epoch(s)",
            f"backtriage: {self.n_gates} gate(s) reported after the vignettes as "
            f"{NODE_PREFIX}::gates::<metric>; timeout {o.timeout:g} s, {o.retries} retries, "
            f"{o.concurrency} call(s) in flight",
        ]

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        """Add the vignette items before -k, -m and --deselect filter the collection."""
        collection = VignetteCollection.from_parent(
            session, name=NODE_PREFIX, nodeid=NODE_PREFIX, plugin=self, only=self.settings.only_ids
        )
        # Going through the collect-report hooks lets the terminal count the items and
        # report a collection error like any other.
        report = collection.ihook.pytest_make_collect_report(collector=collection)
        collection.ihook.pytest_collectreport(report=report)
        if report.passed:
            items.extend(i for i in report.result if isinstance(i, pytest.Item))

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Plan the asking in the order pytest will run the vignette items."""
        self.asker.plan([i.vignette for i in session.items if isinstance(i, VignetteItem)])

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Attach the vignette id to every report and the answers to the setup report."""
        report = yield
        if isinstance(item, VignetteItem):
            report.backtriage_vignette = item.vignette.id  # type: ignore[attr-defined]
            if call.when == "setup" and item.records:
                report.backtriage_answers = [r.to_dict() for r in item.records]  # type: ignore[attr-defined]
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Gather answers and failures where the session verdict is made (not on workers)."""
        if self.is_worker or getattr(report, GATE_REPORT_FLAG, False):
            return
        vid = getattr(report, "backtriage_vignette", None)
        answers = getattr(report, "backtriage_answers", None)
        if vid and answers:
            self.answers[vid] = list(answers)
        if report.failed:
            if vid:
                self.failed_ids.add(vid)
            else:
                self.other_failures += 1

    @pytest.hookimpl(wrapper=True, trylast=True)
    def pytest_runtestloop(self, session: pytest.Session) -> Generator[None, object, object]:
        """Once every item has run, score the answers and report each gate as a test."""
        # Under xdist the controller collects nothing (its workers report their own count).
        counted = any(isinstance(i, VignetteItem) for i in session.items)
        if counted:
            count_gates(session, self.n_gates)
        outcome = yield
        stopped = session.shouldstop or session.shouldfail
        if not self.is_worker and self.answers and not stopped:
            self.result = self._result()
            report_gates(
                session, self.result.gates, self.policy.name, self.policy.scope, counted=counted
            )
        return outcome

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        """Let the gates decide the exit status, and write the outputs."""
        if self.is_worker or not self.answers:
            return
        if self.result is None:  # the loop was cut short: score what there is
            self.result = self._result()
        self._junit_properties()
        self._write_outputs(self.result)
        # Vignette items that failed without shipping answers failed inside the harness.
        broken = len(self.failed_ids - self.answers.keys())
        if exitstatus not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            self.verdict = f"session ended with status {int(exitstatus)}; gates do not change it"
            return
        if session.shouldstop or session.shouldfail:
            # -x or --maxfail cut the run short: the gates saw part of it, pytest's status stands.
            self.verdict = "session stopped early (-x, --maxfail); gates do not change the status"
            return
        if self.other_failures or broken:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
            self.verdict = (
                f"exit status 1: {self.other_failures + broken} test(s) other than scored "
                "vignettes failed"
            )
            return
        passed = self.result.passed
        session.exitstatus = pytest.ExitCode.OK if passed else pytest.ExitCode.TESTS_FAILED
        failed = len(self.failed_ids)
        self.verdict = (
            f"exit status {0 if passed else 1}: the gates of policy {self.policy.name} "
            f"{'pass' if passed else 'FAIL'}"
            + (f" ({failed} vignette item(s) failed)" if failed else "")
        )

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        """Print the safety line, over-imaging, and the gates."""
        if self.result is None:
            return
        tr = terminalreporter
        m = self.result.metrics["all"]
        tr.section("backtriage")
        tr.write_line(safety_line(m))
        tr.write_line(over_imaging_line(m))
        tr.write_line(f"ERRORS  {m['errors']} of {m['n_vignettes']} vignette(s)")
        verdict = "PASS" if self.result.passed else "FAIL"
        tr.write_line(f"GATES  policy {self.policy.name} (scope: {self.policy.scope}): {verdict}")
        for g in self.result.gates:
            tr.write_line(f"  {'ok  ' if g.passed else 'FAIL'} {g.detail}")
        if self.verdict:
            tr.write_line(self.verdict)

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """Release the system."""
        self.system.close()

    # -- the session result -----------------------------------------------------------------

    def _result(self) -> RunResult:
        answered = self.answers.keys()
        selected = dataclasses.replace(
            self.corpus, vignettes=tuple(v for v in self.corpus.vignettes if v.id in answered)
        )
        records = [AnswerRecord.from_dict(a) for vid in sorted(answered) for a in self.answers[vid]]
        result = result_from_records(
            self.system.spec,
            self.system.describe(),
            selected,
            self.options,
            self.policy,
            records,
            self.started_at,
        )
        corpus_facts: dict[str, Any] = {"n_vignettes_total": self.n_total}
        if self.shard:
            corpus_facts["shard"] = str(self.shard)
        gates = list(result.gates)
        if len(selected) < len(self.corpus):
            corpus_facts["selection"] = (
                f"{len(selected)} of {len(self.corpus)} vignettes selected in pytest"
            )
        if self.shard or len(selected) < len(self.corpus):
            gates = not_applied_without_data(gates, "no vignettes in this selection")
        return dataclasses.replace(result, gates=tuple(gates), extra={"corpus": corpus_facts})

    def _write_outputs(self, result: RunResult) -> None:
        if not (self.settings.output or self.settings.markdown):
            return
        document = results_document(result)
        if self.settings.output:
            write_results(self.settings.output, document)
        if self.settings.markdown:
            path = Path(self.settings.markdown)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_markdown(document), encoding="utf-8")

    def _junit_properties(self) -> None:
        """Add run metadata to pytest's own --junitxml report as suite properties."""
        try:
            from _pytest.junitxml import xml_key
        except ImportError:  # pragma: no cover - pytest internals moved
            return
        xml = self.config.stash.get(xml_key, None)
        if xml is None or self.result is None:
            return
        for name, value in _properties(self.result).items():
            xml.add_global_property(name, value)


def _engine_options(settings: Settings) -> EngineOptions:
    """The engine's options: what was set, the engine's defaults for the rest."""
    defaults = EngineOptions()
    return EngineOptions(
        epochs=settings.epochs,
        timeout=defaults.timeout if settings.timeout is None else settings.timeout,
        retries=defaults.retries if settings.retries is None else settings.retries,
        concurrency=defaults.concurrency if settings.concurrency is None else settings.concurrency,
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _properties(result: RunResult) -> Mapping[str, str]:
    return {
        "backtriage_system": result.system_spec,
        "backtriage_corpus_hash": result.corpus.content_hash,
        "backtriage_n_vignettes": str(len(result.corpus)),
        "backtriage_policy": result.policy.name,
        "backtriage_gates_passed": str(result.passed).lower(),
    }
