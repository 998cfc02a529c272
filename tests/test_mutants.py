"""Mutation analysis of the reference triage: the operators, the private copies, the report."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from backtriage.harness.cli.main import main
from backtriage.harness.loading import InputError, load_corpus
from backtriage.harness.model import Presentation
from backtriage.harness.mutation import (
    MutantResult,
    MutantTriage,
    MutationReport,
    all_mutants,
    load_equivalents,
    reference_verdicts,
    render,
    run_mutant,
)
from backtriage.harness.mutation.report import EQUIVALENCE_KINDS, Equivalence
from backtriage.harness.systems.reference import RULES, ReferenceTriage
from backtriage.harness.systems.reference.rules import FALLTHROUGH_RULES
from backtriage.harness.vocabulary import RED_FLAG_URGENCIES

CORPUS = load_corpus()
MUTANTS = {m.id: m for m in all_mutants(RULES)}
OPERATORS = {"drop_rule", "raise_urgency", "lower_urgency", "change_imaging", "swap_rules",
             "drop_clause", "shift_threshold", "not_stated_negative"}  # fmt: skip


def test_every_operator_makes_mutants_with_unique_readable_ids() -> None:
    mutants = all_mutants(RULES)
    assert {m.operator for m in mutants} == OPERATORS
    assert len({m.id for m in mutants}) == len(mutants)
    assert not any(
        ch.isdigit() and ":" + ch in m.id
        for m in mutants
        for ch in "0123456789"
        if m.operator == "drop_clause"
    )  # named by function and clause, not index


def test_a_mutant_runs_in_a_private_copy_and_leaves_the_reference_alone() -> None:
    first = RULES[0]
    mutant = MutantTriage(MUTANTS[f"drop:{first.id}"])
    assert mutant is not None
    # the real table and the real answers are untouched
    from backtriage.harness.systems.reference import RULES as again

    assert again[0] is first
    vignette = next(v for v in CORPUS.vignettes if v.expected.urgency == "emergency")
    assert ReferenceTriage().triage(vignette.presentation) == ReferenceTriage().triage(
        vignette.presentation
    )


def test_dropping_the_cauda_equina_rule_is_killed_by_cauda_equina_vignettes() -> None:
    baseline = reference_verdicts(CORPUS.vignettes)
    result = run_mutant(MUTANTS["drop:CES1"], CORPUS.vignettes, baseline)
    assert result.killed and result.stillborn is None
    assert any(k.startswith("ces-") for k in result.killers)


def test_a_source_mutant_really_changes_the_code_it_names() -> None:
    # Every source mutant must load; and shifting a threshold must change some decision of
    # some vignette or be a true survivor. Check one clause mutant by hand: dropping the
    # bladder condition of the CES predicate must stop a retention-only case being an emergency.
    stillborn = [
        m.id for m in MUTANTS.values() if m.source_edit is not None and _builds(m) is False
    ]
    assert stillborn == []
    ces = next(
        v for v in CORPUS.vignettes if v.id.startswith("ces-") and v.expected.urgency == "emergency"
    )
    real = ReferenceTriage().triage(ces.presentation)
    changed = [
        m
        for m in MUTANTS.values()
        if m.operator == "drop_clause" and MutantTriage(m).triage(ces.presentation) != real
    ]
    assert changed, "no clause mutant changed the answer on a cauda equina emergency"


def _builds(mutant) -> bool:  # type: ignore[no-untyped-def]
    try:
        MutantTriage(mutant).triage(Presentation("x", CORPUS.vignettes[0].presentation.findings))
    except Exception:
        return False
    return True


def test_the_documented_equivalents_name_existing_mutants_with_reasons() -> None:
    equivalents = load_equivalents()
    assert set(equivalents) <= set(MUTANTS), set(equivalents) - set(MUTANTS)
    assert all(e.reason and e.kind in EQUIVALENCE_KINDS for e in equivalents.values())


def test_every_same_decision_claim_holds_in_the_rule_table() -> None:
    """Two swapped rows decide alike wherever both match: same urgency, imaging and category,
    and either the same conditions or two red-flag rows whose conditions are both named; a
    dropped row's cases reach the last row, which decides as it did."""
    rows = {r.id: r for r in RULES}
    claims = [m for m, e in load_equivalents().items() if e.kind == "same_decision"]
    assert claims
    for mutant_id in claims:
        if mutant_id.startswith("drop:"):  # the dropped row's cases reach the last row
            a, b = rows[mutant_id.removeprefix("drop:")], RULES[-1]
        else:
            assert mutant_id.startswith("swap:"), mutant_id
            a, b = (rows[i] for i in mutant_id.removeprefix("swap:").split("/"))
        assert RULES.index(b) == RULES.index(a) + 1, mutant_id
        da, db = a.decision, b.decision
        assert (da.urgency, da.imaging, da.category) == (db.urgency, db.imaging, db.category)
        same = set(da.suspected_conditions) == set(db.suspected_conditions)
        both_named = da.urgency in RED_FLAG_URGENCIES and not {a.id, b.id} & FALLTHROUGH_RULES
        assert same or both_named, mutant_id


def test_an_equivalent_that_a_vignette_kills_counts_again_and_is_flagged() -> None:
    killed = MutantResult(MUTANTS["drop:CES1"], ("v1",))
    alive = MutantResult(MUTANTS["drop:V1"], ())
    report = MutationReport((killed, alive), {
        "drop:CES1": Equivalence("same_code", "wrong"), "drop:V1": Equivalence("same_code", "x"),
    })
    assert report.scored == (killed,) and report.kill_rate == 1.0
    assert report.wrong_equivalents == (killed,)
    assert "drop:CES1: killed by v1" in render(report)


def test_an_equivalents_file_without_a_known_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "eq.yaml"
    path.write_text('"drop:V1":\n  kind: probably\n  reason: looks fine\n', encoding="utf-8")
    with pytest.raises(InputError, match="kind must be one of"):
        load_equivalents(path)


def test_the_command_reports_the_kill_rate_and_gates_on_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "mutants.json"
    assert main(["mutants", "--operator", "drop_rule", "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "KILL RATE" in text
    report = json.loads(out.read_text())
    assert report["scored"] + report["equivalent"] == len(RULES)
    assert report["by_operator"]["drop_rule"]["mutants"]
    counts = Counter(r["killed"] for r in report["results"])
    assert counts[True] == report["killed"]
    assert main(["mutants", "--operator", "drop_rule", "--min-kill-rate", "1.01"]) == 2
    assert main(["mutants", "--operator", "nope"]) == 2
    assert "--operator" in capsys.readouterr().err


def test_every_extra_conditions_claim_only_adds_names_on_the_corpus() -> None:
    """A mutant documented as naming extra conditions answers every corpus vignette with the
    reference's urgency, imaging and category, and names every condition the reference names."""
    reference = ReferenceTriage()
    claims = [m for m, e in load_equivalents().items() if e.kind == "extra_conditions"]
    assert claims
    for mutant_id in claims:
        mutant = MutantTriage(MUTANTS[mutant_id])
        for v in CORPUS.vignettes:
            ours, theirs = reference.triage(v.presentation), mutant.triage(v.presentation)
            assert (theirs.urgency, theirs.imaging, theirs.category) == (
                ours.urgency, ours.imaging, ours.category), (mutant_id, v.id)
            assert set(ours.suspected_conditions) <= set(theirs.suspected_conditions), (
                mutant_id, v.id)


def test_the_bundled_corpus_kills_at_least_95_percent_of_the_mutants() -> None:
    """The README's claim, kept by every corpus change: of the mutants not documented as
    equivalent, the bundled corpus tells at least 95% from the reference, and no documented
    equivalent is killed (a killed one has a wrong reason)."""
    baseline = reference_verdicts(CORPUS.vignettes)
    results = tuple(run_mutant(m, CORPUS.vignettes, baseline) for m in MUTANTS.values())
    report = MutationReport(results, load_equivalents())
    assert report.kill_rate is not None and report.kill_rate >= 0.95, report.kill_rate
    assert not report.wrong_equivalents, [r.mutant.id for r in report.wrong_equivalents]
