"""Choosing a system from a spec string such as ``reference`` or ``python:pkg.mod:fn``.

Each spec kind maps to a factory imported lazily, so optional dependencies (httpx for the
networked adapters) load only when their kind is used. Adapters add a row to ``_KINDS``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from backtriage.harness.systems.protocol import TriageSystem
from backtriage.harness.systems.spec_errors import SpecError

Factory = Callable[[str, Mapping[str, Any]], TriageSystem]

# prefix -> "module:function" of a factory taking (spec, settings).
_KINDS: dict[str, str] = {
    "reference": "backtriage.harness.systems.registry:_reference",
    "baseline:": "backtriage.harness.systems.registry:_baseline",
    "python:": "backtriage.harness.systems.registry:_python",
    "cmd:": "backtriage.harness.systems.adapters.subprocess_jsonl:from_spec",
    "http://": "backtriage.harness.systems.adapters.http_service:from_spec",
    "https://": "backtriage.harness.systems.adapters.http_service:from_spec",
    "openai:": "backtriage.harness.systems.adapters.openai_chat:from_spec",
    "anthropic:": "backtriage.harness.systems.adapters.anthropic_messages:from_spec",
}


def register_kind(prefix: str, factory_path: str) -> None:
    """Register a spec prefix with a lazily imported factory ``module:function``."""
    _KINDS[prefix] = factory_path


def known_kinds() -> list[str]:
    """Return the registered spec prefixes."""
    return sorted(_KINDS)


def resolve_system(spec: str, settings: Mapping[str, Any] | None = None) -> TriageSystem:
    """Build the system a spec names.

    Args:
        spec: the ``--system`` value.
        settings: adapter settings from the config file (timeouts, model parameters).

    Raises:
        SpecError: for an unknown or unbuildable spec.
    """
    for prefix in sorted(_KINDS, key=len, reverse=True):
        if spec == prefix or (prefix.endswith((":", "/")) and spec.startswith(prefix)):
            module_name, _, func_name = _KINDS[prefix].partition(":")
            factory: Factory = getattr(importlib.import_module(module_name), func_name)
            return factory(spec, settings or {})
    raise SpecError(spec, f"unknown kind; expected one of: {', '.join(known_kinds())}")


def _reference(spec: str, settings: Mapping[str, Any]) -> TriageSystem:
    from backtriage.harness.systems.reference import ReferenceTriage

    return ReferenceTriage()


def _baseline(spec: str, settings: Mapping[str, Any]) -> TriageSystem:
    from backtriage.harness.systems.baselines import BASELINES

    name = spec.removeprefix("baseline:")
    if name not in BASELINES:
        raise SpecError(spec, f"unknown baseline; expected one of: {', '.join(sorted(BASELINES))}")
    factory: Callable[[], TriageSystem] = BASELINES[name]
    return factory()


def _python(spec: str, settings: Mapping[str, Any]) -> TriageSystem:
    # Isolated in worker processes unless told otherwise (``isolate: false``, --no-isolate):
    # see docs/performance.md for what it costs.
    if settings.get("isolate", True):
        from backtriage.harness.systems.isolated_python import from_spec as isolated

        return isolated(spec, settings)
    from backtriage.harness.systems.python_callable import from_spec

    return from_spec(spec)
