"""A schema compiled to one yes/no predicate: the fast path of :mod:`schema_check`.

Almost every file a run validates is valid, and for those ``jsonschema``'s ``iter_errors``
spends its time building error machinery it never uses (≈0.7 ms per vignette). This module
compiles a schema once into nested closures that answer one question: would the full validator
report no error? :mod:`schema_check` asks it first and runs the full validator, unchanged, only
when the answer is no, so the problems reported are those of the full validator, always.

The predicate is *exact*, never approximately right: every keyword mirrors the keyword function
of ``jsonschema`` (the same type tests, so ``1.0`` is an integer and ``true`` is not; ``enum``
and ``const`` with ``jsonschema``'s equality, where ``true`` is not ``1``; the same end-anchored
``pattern`` as :mod:`schema_check`). Where mirroring would need the general machinery (an
``enum`` of objects met by a number, ``uniqueItems`` over items that are not all text), the
predicate raises :class:`Unsure` and the caller takes the full path. A schema using a keyword
not compiled here (``patternProperties``, ``unevaluatedProperties``, ``$dynamicRef``, an ``$id``
below the root ...) does not compile at all: :func:`compile_schema` returns ``None`` and every
file goes the full path. A keyword ``jsonschema`` ignores (``description``, ``$defs``, or any
name it does not know) is ignored here too.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

Check = Callable[[Any], bool]
"""An exact predicate: ``True`` exactly when the full validator reports no error."""


class Unsure(Exception):
    """Raised by a predicate when only the full validator can tell."""


class _Uncompilable(Exception):
    """The schema uses something this module does not compile."""


_COMPILED = frozenset({
    "$ref", "additionalProperties", "allOf", "anyOf", "const", "enum", "exclusiveMaximum",
    "exclusiveMinimum", "format", "if", "items", "maxItems", "maxLength", "maxProperties",
    "maximum", "minItems", "minLength", "minProperties", "minimum", "not", "oneOf", "pattern",
    "prefixItems", "properties", "propertyNames", "required", "type", "uniqueItems",
})  # fmt: skip
"""Keywords compiled here; any other keyword the validator acts on makes a schema uncompilable."""


class SchemaIndex:
    """The schemas a ``$ref`` may name, by ``$id``, and plain JSON-pointer lookup in them.

    The compiler accepts only references the full validator resolves the same way (an ``$id``
    of a listed schema, a fragment that is a plain pointer, no ``$id`` below a root), so this
    small index stands in for ``referencing``, whose import was a sixth of a run's start-up.
    """

    def __init__(self, schemas: Iterable[Mapping[str, Any]]) -> None:
        self._by_id = {schema["$id"]: schema for schema in schemas}

    def __contains__(self, uri: object) -> bool:
        return uri in self._by_id

    def lookup(self, ref: str, base: str) -> Any:
        """What ``ref`` (``URI#/pointer``, the URI defaulting to ``base``) names.

        Raises:
            KeyError, IndexError, ValueError: the reference names nothing.
        """
        uri, _, fragment = ref.partition("#")
        node: Any = self._by_id[uri or base]
        for part in fragment.split("/")[1:] if fragment else ():
            token = part.replace("~1", "/").replace("~0", "~")
            node = node[int(token)] if isinstance(node, list) else node[token]
        return node


def compile_schema(
    root_id: str,
    registry: SchemaIndex,
    keywords: Collection[str],
    pattern: Callable[[str], re.Pattern[str]],
    format_checked: bool,
) -> Check | None:
    """Compile the schema ``root_id`` of ``registry``, or return ``None`` if it cannot be.

    Args:
        root_id: the ``$id`` of the schema to compile.
        registry: every schema a ``$ref`` may name, as the full validator resolves them.
        keywords: the keywords the full validator acts on (its ``VALIDATORS``).
        pattern: how the full validator compiles a ``pattern`` (end anchoring included).
        format_checked: whether the full validator asserts ``format`` (then: uncompilable).
    """
    compiler = _Compiler(registry, frozenset(keywords), pattern, format_checked)
    try:
        return compiler.ref(root_id, root_id)
    except (_Uncompilable, re.error, TypeError, ValueError, KeyError, IndexError):
        return None


def _is_number(x: Any) -> bool:
    return not isinstance(x, bool) and isinstance(x, numbers.Number)


def _is_integer(x: Any) -> bool:
    if isinstance(x, bool):
        return False
    return isinstance(x, int) or (isinstance(x, float) and x.is_integer())


_TYPES: dict[str, Check] = {
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "integer": _is_integer,
    "null": lambda x: x is None,
    "number": _is_number,
    "object": lambda x: isinstance(x, dict),
    "string": lambda x: isinstance(x, str),
}
"""``jsonschema``'s draft 2020-12 type checker, test for test."""


def _all(checks: list[Check]) -> Check:
    if not checks:
        return lambda x: True
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda x: first(x) and second(x)
    frozen = tuple(checks)

    def every(x: Any) -> bool:
        return all(check(x) for check in frozen)

    return every


class _Compiler:
    def __init__(
        self,
        registry: SchemaIndex,
        keywords: frozenset[str],
        pattern: Callable[[str], re.Pattern[str]],
        format_checked: bool,
    ) -> None:
        self.registry = registry
        self.keywords = keywords
        self.pattern = pattern
        self.format_checked = format_checked
        self.refs: dict[tuple[str, str], Check] = {}

    def ref(self, ref: str, base: str) -> Check:
        """Compile what ``ref`` names, found as the full validator finds it.

        A reference cycle compiles to a late lookup of the compiled target.
        """
        uri, _, fragment = ref.partition("#")
        if (fragment and not fragment.startswith("/")) or "%" in fragment:
            raise _Uncompilable(f"reference {ref!r} is not a plain JSON pointer")
        if uri and uri not in self.registry:
            raise _Uncompilable(f"reference {ref!r} names no schema by its $id")
        key = (uri or base, fragment)
        if key not in self.refs:
            target: list[Check] = []
            self.refs[key] = lambda x: target[0](x)
            contents = self.registry.lookup(ref, base)
            target.append(self.schema(contents, key[0], root=not fragment))
        return self.refs[key]

    def schema(self, schema: Any, base: str, root: bool = False) -> Check:
        if schema is True:
            return lambda x: True
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            raise _Uncompilable("a schema is an object or a boolean")
        if "$id" in schema and not root:
            raise _Uncompilable("an $id below a schema's root changes reference resolution")
        acting = {k for k in schema if k in self.keywords}
        if acting - _COMPILED or ("format" in acting and self.format_checked):
            raise _Uncompilable(f"keywords {sorted(acting - _COMPILED)} are not compiled")
        checks: list[Check] = []
        for keyword in sorted(acting, key=lambda k: _ORDER.get(k, len(_ORDER))):
            compile_keyword = getattr(self, "k_" + _snake(keyword.lstrip("$")))
            check = compile_keyword(schema[keyword], schema, base)
            if check is not None:
                checks.append(check)
        return _all(checks)

    # Each k_<keyword> returns a predicate for that keyword alone, or None when it never fails.

    def k_type(self, types: Any, schema: Any, base: str) -> Check:
        names = [types] if isinstance(types, str) else list(types)
        tests = [_TYPES[n] for n in names]
        if len(tests) == 1:
            return tests[0]
        return lambda x: any(t(x) for t in tests)

    def k_enum(self, values: Any, schema: Any, base: str) -> Check:
        return _equal_any(list(values))

    def k_const(self, value: Any, schema: Any, base: str) -> Check:
        return _equal_any([value])

    def k_minimum(self, m: Any, schema: Any, base: str) -> Check:
        return lambda x: not _is_number(x) or not x < m

    def k_maximum(self, m: Any, schema: Any, base: str) -> Check:
        return lambda x: not _is_number(x) or not x > m

    def k_exclusive_minimum(self, m: Any, schema: Any, base: str) -> Check:
        return lambda x: not _is_number(x) or not x <= m

    def k_exclusive_maximum(self, m: Any, schema: Any, base: str) -> Check:
        return lambda x: not _is_number(x) or not x >= m

    def k_min_length(self, m: Any, schema: Any, base: str) -> Check:
        return lambda x: not isinstance(x, str) or not len(x) < m

    def k_max_length(self, m: Any, schema: Any, base: str) -> Check:
        return lambda x: not isinstance(x, str) or not len(x) > m

    def k_pattern(self, source: Any, schema: Any, base: str) -> Check:
        search = self.pattern(source).search
        return lambda x: not isinstance(x, str) or search(x) is not None

    def k_format(self, value: Any, schema: Any, base: str) -> None:
        return None  # an annotation: the full validator has no format checker

    def k_min_items(self, m: Any, schema: Any, base: str) -> Check:
        return lambda x: not isinstance(x, list) or not len(x) < m

    def k_max_items(self, m: Any, schema: Any, base: str) -> Check:
        return lambda x: not isinstance(x, list) or not len(x) > m

    def k_unique_items(self, unique: Any, schema: Any, base: str) -> Check | None:
        if not unique:
            return None

        def check(x: Any) -> bool:
            if not isinstance(x, list):
                return True
            if all(isinstance(i, str) for i in x):
                return len(set(x)) == len(x)
            raise Unsure("uniqueItems over items that are not all text")

        return check

    def k_min_properties(self, m: Any, schema: Any, base: str) -> Check:
        return lambda x: not isinstance(x, dict) or not len(x) < m

    def k_max_properties(self, m: Any, schema: Any, base: str) -> Check:
        return lambda x: not isinstance(x, dict) or not len(x) > m

    def k_required(self, names: Any, schema: Any, base: str) -> Check:
        required = tuple(names)
        return lambda x: not isinstance(x, dict) or all(n in x for n in required)

    def k_properties(self, props: Any, schema: Any, base: str) -> Check:
        # additionalProperties is folded in here when present (one pass over the instance).
        compiled = {name: self.schema(sub, base) for name, sub in props.items()}
        extra = schema.get("additionalProperties", True)
        rest = None if extra is True else self.schema(extra, base)

        def check(x: Any) -> bool:
            if not isinstance(x, dict):
                return True
            for key, value in x.items():
                sub = compiled.get(key)
                if sub is None:
                    if rest is not None and not rest(value):
                        return False
                elif not sub(value):
                    return False
            return True

        return check

    def k_additional_properties(self, extra: Any, schema: Any, base: str) -> Check | None:
        if "properties" in schema or extra is True:
            return None  # checked with the properties
        rest = self.schema(extra, base)
        return lambda x: not isinstance(x, dict) or all(rest(v) for v in x.values())

    def k_property_names(self, names: Any, schema: Any, base: str) -> Check:
        check = self.schema(names, base)
        return lambda x: not isinstance(x, dict) or all(check(k) for k in x)

    def k_prefix_items(self, prefix: Any, schema: Any, base: str) -> Check:
        checks = [self.schema(s, base) for s in prefix]
        def check(x: Any) -> bool:  # zip: the shorter of the two decides, as in jsonschema
            return not isinstance(x, list) or all(c(i) for c, i in zip(checks, x, strict=False))

        return check

    def k_items(self, items: Any, schema: Any, base: str) -> Check:
        skip = len(schema.get("prefixItems", []))
        check = self.schema(items, base)
        if skip:
            return lambda x: not isinstance(x, list) or all(check(i) for i in x[skip:])
        return lambda x: not isinstance(x, list) or all(check(i) for i in x)

    def k_all_of(self, subs: Any, schema: Any, base: str) -> Check:
        return _all([self.schema(s, base) for s in subs])

    def k_any_of(self, subs: Any, schema: Any, base: str) -> Check:
        checks = [self.schema(s, base) for s in subs]
        return lambda x: any(c(x) for c in checks)

    def k_one_of(self, subs: Any, schema: Any, base: str) -> Check:
        checks = [self.schema(s, base) for s in subs]
        return lambda x: sum(1 for c in checks if c(x)) == 1

    def k_not(self, sub: Any, schema: Any, base: str) -> Check:
        check = self.schema(sub, base)
        return lambda x: not check(x)

    def k_if(self, sub: Any, schema: Any, base: str) -> Check | None:
        test = self.schema(sub, base)
        then = self.schema(schema["then"], base) if "then" in schema else None
        other = self.schema(schema["else"], base) if "else" in schema else None
        if then is None and other is None:
            return None

        def check(x: Any) -> bool:
            branch = then if test(x) else other
            return branch is None or branch(x)

        return check

    def k_ref(self, ref: Any, schema: Any, base: str) -> Check:
        if not isinstance(ref, str):
            raise _Uncompilable("$ref is not text")
        return self.ref(ref, base)


def _snake(keyword: str) -> str:
    return re.sub("([A-Z])", lambda m: "_" + m.group(1).lower(), keyword)


_ORDER = {k: i for i, k in enumerate(("type", "enum", "const", "required"))}
"""Cheap keywords first, so an invalid instance usually fails before the deep ones run."""


def _equal_any(values: list[Any]) -> Check:
    """``jsonschema``'s ``any(equal(v, x) for v in values)``, exactly, for text and booleans.

    Its equality compares text with ``==``, booleans by identity (``true`` is not ``1``),
    sequences and mappings item by item. Text, booleans and ``null`` met by anything, and lists
    of text met by a list, are decided here; the rest raises :class:`Unsure`.
    """
    texts = frozenset(v for v in values if isinstance(v, str))
    flags = tuple(v for v in values if v is True or v is False or v is None)
    text_lists = [v for v in values if isinstance(v, list) and all(isinstance(i, str) for i in v)]
    general = len(texts) + len(flags) + len(text_lists) < len(values)

    def check(x: Any) -> bool:
        if isinstance(x, str):
            return x in texts
        if x is True or x is False or x is None:
            return any(x is f for f in flags)  # equal to nothing else, whatever the values
        if isinstance(x, list) and x in text_lists and all(isinstance(i, str) for i in x):
            return True
        if general:
            raise Unsure("enum or const of values other than text and booleans")
        return False

    return check
