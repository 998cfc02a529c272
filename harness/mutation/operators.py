"""Mutation operators over the reference triage: each yields mutants, each mutant one small bug.

Operators, as the issue names them: drop a rule; raise or lower a rule's urgency; change a
rule's imaging; shift a numeric threshold; drop one clause from a rule's condition; swap two
adjacent rules; treat ``not_stated`` as a negative. Predicate and threshold mutants edit the
syntax tree of the package's source; rule-table mutants edit the loaded table.
"""

from __future__ import annotations

import ast
import copy
import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from backtriage.harness.mutation.loader import SourceEdit, module_names, parse
from backtriage.harness.vocabulary import URGENCIES

RulesEdit = Callable[[tuple[Any, ...]], tuple[Any, ...]]
FindingsEdit = Callable[[Mapping[str, Any]], dict[str, Any]]

URGENCY_ORDER = tuple(reversed(URGENCIES))  # least to most urgent
IMAGING_SWAPS = {"none": "mri", "radiograph": "none", "mri": "none", "ct": "mri",
                 "vascular": "ct"}  # fmt: skip
"""The imaging a mutated rule orders instead: a scan dropped, or a wrong or needless one."""


@dataclass(frozen=True)
class Mutant:
    """One mutant of the reference.

    Attributes:
        id: stable, readable name (operator and where).
        operator: the operator that made it.
        description: what changed, for the report.
        source_edit: change to the package's source trees, if any.
        rules_edit: change to the loaded rule table, if any.
        findings_edit: change to the findings before triage, if any.
    """

    id: str
    operator: str
    description: str
    source_edit: SourceEdit | None = None
    rules_edit: RulesEdit | None = None
    findings_edit: FindingsEdit | None = None


def all_mutants(rules: tuple[Any, ...]) -> list[Mutant]:
    """Every mutant of the reference whose rule table is ``rules``."""
    return [
        *_rule_mutants(rules),
        *_source_mutants(),
        Mutant(
            "not-stated-as-negative",
            "not_stated_negative",
            "every not_stated / not_examined finding read as the normal value",
            findings_edit=not_stated_as_negative,
        ),
    ]


# --- rule table -----------------------------------------------------------------------------


def _rule_mutants(rules: tuple[Any, ...]) -> Iterator[Mutant]:
    for i, rule in enumerate(rules):
        yield Mutant(
            f"drop:{rule.id}",
            "drop_rule",
            f"rule {rule.id} removed",
            rules_edit=partial(_dropped, i=i),
        )
        rank = URGENCY_ORDER.index(rule.decision.urgency)
        for step, word in ((1, "raise"), (-1, "lower")):
            if 0 <= rank + step < len(URGENCY_ORDER):
                new = URGENCY_ORDER[rank + step]
                yield Mutant(
                    f"{word}-urgency:{rule.id}",
                    f"{word}_urgency",
                    f"rule {rule.id} answers {new} instead of {rule.decision.urgency}",
                    rules_edit=partial(_with_decision, i=i, urgency=new),
                )
        imaging = IMAGING_SWAPS[rule.decision.imaging]
        yield Mutant(
            f"imaging:{rule.id}",
            "change_imaging",
            f"rule {rule.id} orders {imaging} instead of {rule.decision.imaging}",
            rules_edit=partial(_with_decision, i=i, imaging=imaging),
        )
        if i + 1 < len(rules):
            yield Mutant(
                f"swap:{rule.id}/{rules[i + 1].id}",
                "swap_rules",
                f"rules {rule.id} and {rules[i + 1].id} checked in the other order",
                rules_edit=partial(_swapped, i=i),
            )


def _dropped(rules: tuple[Any, ...], i: int) -> tuple[Any, ...]:
    return rules[:i] + rules[i + 1 :]


def _swapped(rules: tuple[Any, ...], i: int) -> tuple[Any, ...]:
    return (*rules[:i], rules[i + 1], rules[i], *rules[i + 2 :])


def _with_decision(rules: tuple[Any, ...], i: int, **change: str) -> tuple[Any, ...]:
    rule = rules[i]
    new = dataclasses.replace(rule, decision=dataclasses.replace(rule.decision, **change))
    return (*rules[:i], new, *rules[i + 1 :])


# --- source: clauses and thresholds -----------------------------------------------------------


@dataclass(frozen=True)
class _Point:
    module: str
    index: int  # the index-th mutation point of its kind in the module, in walk order
    kind: str  # "clause" or "threshold"
    detail: str
    operand: int = 0
    value: float = 0.0
    name: str = ""  # readable and stable across unrelated edits of the module (no line numbers)


def _source_mutants() -> Iterator[Mutant]:
    for name in module_names():
        seen: dict[str, int] = {}
        for point in _points(name, _mark_thresholds(parse(name))):
            seen[point.name] = seen.get(point.name, 0) + 1
            suffix = f"#{seen[point.name]}" if seen[point.name] > 1 else ""
            yield _point_mutant(point, suffix)


def _points(module: str, tree: ast.Module) -> Iterator[_Point]:
    clause = threshold = 0
    for node, where in _walk_with_function(tree):
        if isinstance(node, ast.BoolOp):
            op = type(node.op).__name__.lower()
            for operand in range(len(node.values)):
                text = _short(ast.unparse(node.values[operand]))
                yield _Point(
                    module,
                    clause,
                    "clause",
                    f"{where}: drop `{text}` from `{op}`",
                    operand=operand,
                    name=f"{module}.{where}:{op}-{text}",
                )
            clause += 1
        elif _is_threshold(node):
            value = node.value  # type: ignore[attr-defined]
            for shifted in _shifts(value):
                yield _Point(
                    module,
                    threshold,
                    "threshold",
                    f"{where}: threshold {value} -> {shifted}",
                    value=shifted,
                    name=f"{module}.{where}:{value}->{shifted}",
                )
            threshold += 1


def _walk_with_function(tree: ast.Module) -> Iterator[tuple[ast.AST, str]]:
    # Yields every node with the name of the top-level function (or constant) it sits in.
    for top in tree.body:
        if isinstance(top, ast.FunctionDef):
            where = f"{top.name}()"
        elif isinstance(top, ast.ClassDef):
            where = top.name
        elif isinstance(top, ast.Assign | ast.AnnAssign):
            targets = top.targets if isinstance(top, ast.Assign) else [top.target]
            where = ", ".join(ast.unparse(t) for t in targets)
        else:
            where = f"line {getattr(top, 'lineno', '?')}"
        for node in ast.walk(top):
            yield node, where


def _is_threshold(node: ast.AST) -> bool:
    # A number compared against, or a module constant; True/False and 0/1 are not thresholds.
    return (
        isinstance(node, ast.Constant)
        and type(node.value) in (int, float)
        and node.value not in (0, 1)
        and getattr(node, "_threshold", False)
    )


def _mark_thresholds(tree: ast.Module) -> ast.Module:
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                if isinstance(side, ast.Constant):
                    side._threshold = True  # type: ignore[attr-defined]
    for top in tree.body:
        value = getattr(top, "value", None)
        if isinstance(top, ast.Assign | ast.AnnAssign) and isinstance(value, ast.Constant):
            value._threshold = True  # type: ignore[attr-defined]
    return tree


def _shifts(value: float) -> tuple[float, ...]:
    # Half and one and a half times the threshold: far enough to matter, close enough to be a
    # plausible slip (14 days read as 7 or 21, 200 mL as 100 or 300, age 65 as 32 or 97).
    kind = type(value)
    low, high = kind(value * 0.5), kind(value * 1.5)
    return tuple(v for v in dict.fromkeys((low, high)) if v != value)


def _point_mutant(point: _Point, suffix: str) -> Mutant:
    def edit(module: str, tree: ast.Module) -> ast.Module:
        if module != point.module:
            return tree
        return _apply(copy.deepcopy(tree), point)

    return Mutant(
        f"{point.kind}:{point.name}{suffix}",
        "drop_clause" if point.kind == "clause" else "shift_threshold",
        f"{point.module}.py {point.detail}",
        source_edit=edit,
    )


def _apply(tree: ast.Module, point: _Point) -> ast.Module:
    tree = _mark_thresholds(tree)
    seen = 0
    for node, _ in _walk_with_function(tree):
        if point.kind == "clause" and isinstance(node, ast.BoolOp):
            if seen == point.index:
                del node.values[point.operand]
                if len(node.values) == 1:  # `a and b` minus `b` is `a`: keep a valid BoolOp
                    node.values.append(ast.Constant(isinstance(node.op, ast.And)))
                return tree
            seen += 1
        elif point.kind == "threshold" and _is_threshold(node):
            if seen == point.index:
                node.value = point.value  # type: ignore[attr-defined]
                return tree
            seen += 1
    raise AssertionError(f"mutation point not found: {point}")


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


# --- findings: unknowns read as negatives -----------------------------------------------------

_NEGATIVE_FOR_UNKNOWN: dict[str, Any] = {
    "fever": False, "cancer_history": False, "bladder": ["normal"], "bowel": ["normal"],
    "saddle_sensation": "normal", "weakness": "none", "trajectory": "stable", "trauma": "none",
}  # fmt: skip
_UNKNOWN = ("not_stated", "not_examined")


def not_stated_as_negative(findings: Mapping[str, Any]) -> dict[str, Any]:
    """Read every unknown finding as its normal value (the bug the vocabulary guards against)."""
    out: dict[str, Any] = {}
    for key, value in findings.items():
        unknown = (
            value in _UNKNOWN
            if not isinstance(value, list | tuple)
            else any(v in _UNKNOWN for v in value)
        )
        if unknown:
            out[key] = _NEGATIVE_FOR_UNKNOWN.get(key, False)
        else:
            out[key] = value
    return out
