"""The strict PyYAML loader behind :mod:`backtriage.harness.loading.yamlfile`.

Kept apart so that importing the YAML reader does not import PyYAML: it is loaded with the
first YAML file a command reads. The package's own files (the consistency lexicon: 40 kB) are
read over libyaml's parser when PyYAML has it, with the same checks.
"""

from __future__ import annotations

import math
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode
from yaml.resolver import Resolver

from backtriage.harness.loading.tree_check import MAX_DEPTH

MAX_NUMBER_CHARS = 100
"""Longest number accepted, as in the JSON reader."""
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _StrictChecks:
    """The checks of both loaders below, over PyYAML's composer and safe constructor."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):  # type: ignore[attr-defined]
            event = self.peek_event()  # type: ignore[attr-defined]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed: write the value out",
                event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark)  # type: ignore[attr-defined]
            node: Node | None = super().compose_node(parent, index)  # type: ignore[misc]
            return node
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise ConstructorError(None, None, "merge keys (<<) are not allowed",
                                           key_node.start_mark)
                key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
                if not isinstance(key, str):
                    raise ConstructorError(
                        None, None, f"key {key!r} is not text (quote it)", key_node.start_mark)
                if key in seen:
                    raise ConstructorError(
                        None, None, f"duplicate key {key!r}: a second value would silently "
                        "replace the first", key_node.start_mark)
                seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)  # type: ignore[misc]
        return mapping


class StrictLoader(_StrictChecks, yaml.SafeLoader):
    """A safe loader with no aliases, no duplicate or non-text keys, bounded depth and numbers.

    Dates stay text: the timestamp resolver is left out, so ``2024-01-01`` is a string.
    """


def _construct_int(loader: SafeConstructor, node: Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if len(text) > MAX_NUMBER_CHARS:
        raise ConstructorError(None, None, f"a number of {len(text)} digits (at most "
                               f"{MAX_NUMBER_CHARS})", node.start_mark)
    value: int = loader.construct_yaml_int(node)  # type: ignore[arg-type]
    return value


def _construct_float(loader: SafeConstructor, node: Node) -> float:
    if isinstance(node, ScalarNode) and len(node.value) > MAX_NUMBER_CHARS:
        raise ConstructorError(None, None, f"a number of {len(node.value)} characters (at "
                               f"most {MAX_NUMBER_CHARS})", node.start_mark)
    value: float = loader.construct_yaml_float(node)  # type: ignore[arg-type]
    if not math.isfinite(value):
        raise ConstructorError(None, None, f"{node.value!r} is not a finite number "
                               "(.nan and .inf are not allowed)", node.start_mark)
    return value


def _configure(loader: type[Any]) -> None:
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


_configure(StrictLoader)

FastStrictLoader: type[Any] | None = None
""":class:`StrictLoader` over libyaml's parser (5 to 10 times faster), when PyYAML has it.

Only events come from C: composing and constructing, and so every check above, are the same
Python code. The two parsers disagree at the edges (libyaml takes a tab inside a plain scalar,
PyYAML refuses it), so this one reads only the package's own files, which a test holds to the
same result under both, and never text with a tab (see :func:`load_bundled`)."""

if getattr(yaml, "__with_libyaml__", False):
    from yaml._yaml import CParser

    class _FastStrictLoader(_StrictChecks, Composer, SafeConstructor, Resolver, CParser):
        def __init__(self, stream: str):
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

    _configure(_FastStrictLoader)
    FastStrictLoader = _FastStrictLoader


def load(text: str) -> Any:
    """Parse one strict YAML document with :class:`StrictLoader`.

    Raises:
        yaml.YAMLError: for text that is not strict YAML (and ValueError or RecursionError,
            which PyYAML lets through for some malformed input).
    """
    return yaml.load(text, Loader=StrictLoader)


def load_bundled(text: str) -> Any:
    """Parse one of the package's own YAML files, with libyaml's parser where there is one.

    Any failure is parsed again by :func:`load`, so a broken file reads exactly as it would
    have (same error, same line and column); so is text with a tab, where the parsers differ.
    """
    if FastStrictLoader is not None and "\t" not in text:
        try:
            return yaml.load(text, Loader=FastStrictLoader)
        except Exception:  # the pure loader words the error, below
            pass
    return load(text)
