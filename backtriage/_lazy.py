"""Lazy re-exports for the package facades, so importing a package costs nothing until used."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(
    namespace: dict[str, Any], exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Build a module's ``__getattr__`` and ``__dir__`` (PEP 562) for lazily imported names.

    Args:
        namespace: the facade module's ``globals()``; a loaded name is cached there.
        exports: public name -> the module that defines it.

    Returns:
        The ``__getattr__`` and ``__dir__`` functions to assign in the facade module.
    """
    facade = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {facade!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        namespace[name] = value  # later lookups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
