"""The compiled schema predicate says valid exactly when the full validator finds no error."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from backtriage.harness.loading.schema_check import (
    _end_anchored,
    fast_check,
    schema_problems,
    validator,
)
from backtriage.harness.loading.schema_fast import SchemaIndex, Unsure, compile_schema
from backtriage.harness.resources import corpus_dir, load_schema

SCHEMAS = ("vignette", "decision", "bibliography", "results", "policy")
VIGNETTES = [
    json.loads(p.read_text(encoding="utf-8"))
    for p in sorted(corpus_dir().rglob("*.json"))
    if p.name != "sources.json"
]
NEAR_VALUES = [
    None, True, False, 0, 1, 1.0, 2.5, -1, 17, 300, 10**60, "", "x", "not_stated", "normal",
    "none", "lay", "emergency", "abc-def", "abc-def\n", "2024-01-01", "2024-01-01\n",
    ["normal"], ["not_stated"], ["retention", "retention"], ["retention", 1], [True, 1], [1, 1.0],
    [], {}, {"id": "nice-2020"}, [{"id": "x"}, {"id": "x"}], "a" * 50,
]  # fmt: skip
"""Values close to the vocabulary, so mutants sit on the edge of validity, not far off it."""
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                 max_size=3),
    max_leaves=6,
)
VALUES = st.sampled_from(NEAR_VALUES) | JSON
KEYS = st.sampled_from(["zz", "age", "crp", "onset", "positions", "section", "id", "acceptable"])


def full_valid(name: str, data: Any) -> bool:
    return next(iter(validator(name).iter_errors(data)), None) is None


def nodes(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            out += nodes(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += nodes(value, (*path, i))
    return out


@st.composite
def mutants(draw: st.DrawFn) -> Any:
    """A bundled vignette with one to three of its values replaced, removed or added."""
    data = copy.deepcopy(draw(st.sampled_from(VIGNETTES)))
    for _ in range(draw(st.integers(1, 3))):
        paths = nodes(data)[1:]
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = copy.deepcopy(draw(VALUES))
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(KEYS)] = copy.deepcopy(draw(VALUES))
        else:
            parent.append(copy.deepcopy(draw(VALUES)))
    return data


@pytest.mark.parametrize("name", SCHEMAS)
def test_every_bundled_schema_compiles(name: str) -> None:
    assert fast_check(name) is not None


def test_every_bundled_vignette_is_valid_by_the_predicate() -> None:
    check = fast_check("vignette")
    assert check is not None
    assert all(check(v) for v in VIGNETTES)


def _vignette(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(VIGNETTES[0])
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for step in parents:
            target = target[step]
        target[last] = value
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutants())
@example(_vignette(id="abc-def\n"))  # the end-anchored pattern: a final newline is no match
@example(_vignette(presentation__findings__age=40.0))  # 40.0 is an integer
@example(_vignette(presentation__findings__age=True))  # true is not
@example(_vignette(presentation__findings__fever=1))  # true is not 1 for enum
@example(_vignette(presentation__findings__bladder=["normal", "retention"]))
@example(_vignette(tags=["a", "a"]))
@example(_vignette(label_status="contested"))  # if/then: positions become required
def test_the_predicate_agrees_with_the_full_validator(data: Any) -> None:
    check = fast_check("vignette")
    assert check is not None
    try:
        fast = check(data)
    except Unsure:
        return
    assert fast == full_valid("vignette", data)


@settings(max_examples=100, deadline=None)
@given(mutants())
def test_schema_problems_are_the_full_validators_problems(data: Any) -> None:
    reported = schema_problems("vignette", data, "f.json", "v")
    assert bool(reported) != full_valid("vignette", data)


def _toy(schema: dict[str, Any]) -> Any:
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "urn:toy", **schema}
    keywords = validator("vignette").VALIDATORS
    return compile_schema("urn:toy", SchemaIndex([schema]), keywords, _end_anchored, False)


@pytest.mark.parametrize(
    "schema",
    [
        {"patternProperties": {"^a": {}}},
        {"unevaluatedProperties": False},
        {"properties": {"a": {"$id": "urn:other", "type": "string"}}},
        {"$ref": "#anchor"},
        {"$ref": "urn:missing#/x"},
        {"type": "no-such-type"},
        {"pattern": "("},
    ],
)
def test_what_is_not_compiled_leaves_the_full_validator_alone(schema: dict[str, Any]) -> None:
    assert _toy(schema) is None


def test_a_reference_cycle_compiles() -> None:
    check = _toy({"$defs": {"t": {"type": "array", "items": {"$ref": "#/$defs/t"}}},
                  "$ref": "#/$defs/t"})
    assert check is not None
    assert check([[], [[]]]) and not check([[1]])


@given(JSON)
def test_enum_and_const_follow_jsonschema_equality(value: Any) -> None:
    schema = {"enum": ["a", True, None, ["x", "y"]], "not": {"const": False}}
    check = _toy(schema)
    assert check is not None
    assert check(value) == Draft202012Validator(schema).is_valid(value)


def _bundled_documents() -> list[tuple[str, Any]]:
    from backtriage.harness.loading.yamlfile import load_yaml
    from backtriage.harness.resources import policies_dir

    docs: list[tuple[str, Any]] = [
        ("bibliography", json.loads((corpus_dir() / "sources.json").read_text(encoding="utf-8")))
    ]
    docs += [("policy", load_yaml(p, "policy")) for p in sorted(policies_dir().glob("*.yaml"))]
    return docs


@pytest.mark.parametrize(("name", "document"), _bundled_documents())
def test_bundled_documents_get_the_same_verdict(name: str, document: Any) -> None:
    check = fast_check(name)
    assert check is not None
    assert check(document) == full_valid(name, document)


@pytest.fixture(scope="module")
def results_doc(bundled_corpus: Any) -> Any:
    import dataclasses

    from backtriage.harness.engine import EngineOptions
    from backtriage.harness.runs import evaluate, results_document
    from backtriage.harness.systems import resolve_system
    from backtriage.scoring.policy import load_policy

    small = dataclasses.replace(bundled_corpus, vignettes=bundled_corpus.vignettes[:40])
    result = evaluate(resolve_system("reference"), small, load_policy(), EngineOptions())
    document = results_document(result)
    return json.loads(json.dumps({**document, "vignettes": list(document["vignettes"])}))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_a_results_document_and_its_mutants_get_the_same_verdict(
    results_doc: Any, data: st.DataObject
) -> None:
    doc = copy.deepcopy(results_doc)
    check = fast_check("results")
    assert check is not None and check(doc) and full_valid("results", doc)
    path = data.draw(st.sampled_from(nodes(doc)[1:]))
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = copy.deepcopy(data.draw(VALUES))
    try:
        fast = check(doc)
    except Unsure:
        return
    assert fast == full_valid("results", doc)


def test_the_predicate_knows_the_keywords_the_full_validator_acts_on() -> None:
    from backtriage.harness.loading.schema_check import DRAFT_2020_12_KEYWORDS, validator

    for name in ("vignette", "decision", "bibliography", "results", "policy"):
        full = validator(name)
        assert set(full.VALIDATORS) == DRAFT_2020_12_KEYWORDS
        assert full.format_checker is None


def test_the_schema_index_finds_what_the_validators_registry_finds() -> None:
    # Every reference in the bundled schemas resolves to the same subschema both ways.
    from backtriage.harness.loading.schema_check import _registry, _schema_index

    index, registry = _schema_index(), _registry()

    def refs(node: Any, base: str) -> list[tuple[str, str]]:
        if isinstance(node, dict):
            found = [(node["$ref"], base)] if isinstance(node.get("$ref"), str) else []
            return found + [r for v in node.values() for r in refs(v, base)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v, base)]
        return []

    pairs = [pair for name in ("vignette", "decision", "bibliography", "results", "policy")
             for pair in refs(load_schema(name), load_schema(name)["$id"])]
    assert len(pairs) > 20
    for ref, base in pairs:
        assert index.lookup(ref, base) == registry.resolver(base_uri=base).lookup(ref).contents
