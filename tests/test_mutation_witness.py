"""Witnesses: findings one edit from a vignette that tell a surviving mutant from the reference."""

from __future__ import annotations

from backtriage.harness.loading import load_corpus
from backtriage.harness.model import Presentation
from backtriage.harness.mutation import MutantTriage, WitnessSearch, all_mutants
from backtriage.harness.mutation.witness import FindingsSpace, decision_key
from backtriage.harness.systems.reference import RULES, ReferenceTriage

MUTANTS = {m.id: m for m in all_mutants(RULES)}
CORPUS = load_corpus().vignettes
SMALL = CORPUS[:12]


def test_a_witness_is_one_edit_away_and_the_two_systems_disagree_on_it() -> None:
    mutant_id = "clause:findings.saddle_altered():or-numb(f, 'saddle_perineal')"
    search = WitnessSearch(CORPUS, [mutant_id])
    witness = search.find(mutant_id, MutantTriage(MUTANTS[mutant_id]).triage)
    assert witness is not None and witness.edit is not None
    base = next(v for v in CORPUS if v.id == witness.vignette_id).presentation.findings
    edited = {**base, witness.edit.field: witness.edit.after}
    assert base.get(witness.edit.field) != witness.edit.after
    reference = ReferenceTriage().triage(Presentation("", edited))
    mutant = MutantTriage(MUTANTS[mutant_id]).triage(Presentation("", edited))
    assert decision_key(reference) == decision_key(witness.reference)
    assert decision_key(mutant) == decision_key(witness.mutant) != decision_key(reference)


def test_two_rows_with_the_same_decision_have_no_witness() -> None:
    search = WitnessSearch(SMALL)
    assert search.find("swap:V1/V2", MutantTriage(MUTANTS["swap:V1/V2"]).triage) is None


def test_numbers_are_probed_on_both_sides_of_a_shifted_threshold() -> None:
    space = FindingsSpace(SMALL, ["threshold:findings.OLDER_AGE:70->35"])
    ages = space.values("age")
    assert {34, 36, 69, 71} <= set(ages)
    assert all(16 <= a <= 110 for a in ages)


def test_every_edit_changes_exactly_one_finding_to_a_schema_value() -> None:
    space = FindingsSpace(SMALL)
    findings = dict(SMALL[0].presentation.findings)
    edits = list(space.edits(findings))
    assert edits
    for edit, edited in edits:
        changed = {k for k in {*findings, *edited} if findings.get(k) != edited.get(k)}
        assert changed == {edit.field}
