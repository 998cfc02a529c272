"""The one strict YAML reader: policies, configs and bundled YAML are all parsed here.

PyYAML's safe loader still accepts what no backtriage file should hold: a key given twice (a
second ``thresholds: {}`` would remove every gate), aliases (a 600-byte "billion laughs"
document expands to gigabytes), unbounded nesting, integers too long to convert, ``.nan`` and
``.inf``, and dates or sets that are not JSON data. This reader refuses each, fast, with the
line and column, and checks the file is regular UTF-8 text first (:mod:`textfile`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.loading.textfile import read_text
from backtriage.harness.loading.tree_check import MAX_DEPTH, tree_problems

MAX_NUMBER_CHARS = 100
"""Longest number accepted, as in the JSON reader."""
MAX_MESSAGE = 300
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _StrictLoader(yaml.SafeLoader):
    """A safe loader with no aliases, no duplicate or non-text keys, bounded depth and numbers.

    Dates stay text: the timestamp resolver is left out, so ``2024-01-01`` is a string.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed: write the value out",
                event.start_mark)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark)  # type: ignore[no-untyped-call]
            node: Node | None = super().compose_node(parent, index)
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
                key = self.construct_object(key_node, deep=True)
                if not isinstance(key, str):
                    raise ConstructorError(
                        None, None, f"key {key!r} is not text (quote it)", key_node.start_mark)
                if key in seen:
                    raise ConstructorError(
                        None, None, f"duplicate key {key!r}: a second value would silently "
                        "replace the first", key_node.start_mark)
                seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep)  # type: ignore[arg-type]
        return mapping


def _construct_int(loader: _StrictLoader, node: Node) -> int:
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]
    if len(text) > MAX_NUMBER_CHARS:
        raise ConstructorError(None, None, f"a number of {len(text)} digits (at most "
                               f"{MAX_NUMBER_CHARS})", node.start_mark)
    value: int = loader.construct_yaml_int(node)  # type: ignore[arg-type]
    return value


def _construct_float(loader: _StrictLoader, node: Node) -> float:
    if isinstance(node, ScalarNode) and len(node.value) > MAX_NUMBER_CHARS:
        raise ConstructorError(None, None, f"a number of {len(node.value)} characters (at "
                               f"most {MAX_NUMBER_CHARS})", node.start_mark)
    value: float = loader.construct_yaml_float(node)  # type: ignore[arg-type]
    if not math.isfinite(value):
        raise ConstructorError(None, None, f"{node.value!r} is not a finite number "
                               "(.nan and .inf are not allowed)", node.start_mark)
    return value


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def parse_yaml(text: str, source: str) -> Any:
    """Parse ``text`` as one strict YAML document; ``source`` names it in errors.

    Raises:
        InputError: naming ``source`` with the line and column of the first problem, or the
            JSON pointer of each value that is not JSON data.
    """
    try:
        data = yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        raise InputError([Problem(source, "", f"not valid YAML: {_describe(exc)}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(source, "", f"not valid YAML: {_cap(str(exc))}")]) from None
    except (ValueError, RecursionError) as exc:
        raise InputError([Problem(source, "", f"not valid YAML: {_cap(str(exc))}")]) from None
    problems = tree_problems(data, source)
    if problems:
        raise InputError(problems)
    return data


def load_yaml(path: Path, what: str = "file") -> Any:
    """Read and strictly parse the YAML file ``path``.

    Raises:
        InputError: if the file cannot be read, is not regular UTF-8 text, or is not strict
            YAML (see :func:`parse_yaml`).
    """
    return parse_yaml(read_text(path, what), str(path))


def _describe(exc: yaml.MarkedYAMLError) -> str:
    what = "; ".join(part for part in (exc.context, exc.problem) if part) or "malformed"
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return _cap(what) + where


def _cap(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."
