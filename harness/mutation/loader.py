"""A private, optionally mutated copy of the reference triage package, loaded from source.

Each mutant needs its own copy of the reference's modules (``findings``, ``rules``,
``system``, ...) so a changed predicate or rule table never leaks into the real package or into
another mutant. Imports between the package's modules are rewritten to read from the copy.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import types
from collections.abc import Callable
from pathlib import Path

PACKAGE = "backtriage.harness.systems.reference"

SourceEdit = Callable[[str, ast.Module], ast.Module]
"""Change a module's syntax tree, given the module's short name (``findings``, ``rules``)."""


def package_dir() -> Path:
    """The folder of the reference package's source files."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"cannot find the source of {PACKAGE}")
    return Path(next(iter(spec.submodule_search_locations)))


def module_names() -> list[str]:
    """The short names of the package's modules, ``__init__`` excluded."""
    return sorted(p.stem for p in package_dir().glob("*.py") if p.stem != "__init__")


def parse(name: str) -> ast.Module:
    """Parse the source of one module of the package."""
    path = package_dir() / f"{name}.py"
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


class PackageCopy:
    """The package's modules, loaded afresh on demand, with ``edit`` applied to their trees."""

    def __init__(self, edit: SourceEdit | None = None):
        self._edit = edit
        self._modules: dict[str, types.ModuleType] = {}

    def module(self, name: str) -> types.ModuleType:
        """Load (once) and return the copy of module ``name``."""
        if name not in self._modules:
            tree = parse(name)
            if self._edit is not None:
                tree = self._edit(name, tree)
            tree = _LocalImports().visit(tree)
            ast.fix_missing_locations(tree)
            qualified = f"{PACKAGE}.{name}<mutant {id(self):x}>"
            module = types.ModuleType(qualified)
            module.__dict__["__mutant_package__"] = self
            self._modules[name] = module
            code = compile(tree, str(package_dir() / f"{name}.py"), "exec")
            # dataclasses look their module up in sys.modules while the class is made
            sys.modules[qualified] = module
            try:
                exec(code, module.__dict__)
            finally:
                del sys.modules[qualified]
        return self._modules[name]


class _LocalImports(ast.NodeTransformer):
    """Turn ``from <package>[.mod] import x [as y]`` into reads from the package copy."""

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST | list[ast.stmt]:
        if node.module is None or not (
            node.module == PACKAGE or node.module.startswith(PACKAGE + ".")
        ):
            return node
        sub = node.module.removeprefix(PACKAGE).lstrip(".")
        statements: list[ast.stmt] = []
        for alias in node.names:
            target = alias.asname or alias.name
            # from package.findings import Predicate / from package import findings as p
            value = _copy_attr(_copy_module(sub), alias.name) if sub else _copy_module(alias.name)
            statements.append(ast.Assign([ast.Name(target, ast.Store())], value))
        return statements


def _copy_module(name: str) -> ast.expr:
    # __mutant_package__.module("name")
    return ast.Call(
        ast.Attribute(ast.Name("__mutant_package__", ast.Load()), "module", ast.Load()),
        [ast.Constant(name)],
        [],
    )


def _copy_attr(module: ast.expr, attr: str) -> ast.expr:
    return ast.Attribute(module, attr, ast.Load())
