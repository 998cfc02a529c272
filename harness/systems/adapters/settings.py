"""Reading an adapter's settings: config file first, then the environment, then a default.

API keys are the exception: they come only from the environment, so a config file (often
committed, often copied into CI logs) never holds one.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Mapping
from typing import Any

from backtriage.harness.loading.numbers import Range, number_problem
from backtriage.harness.redaction import register_secret
from backtriage.harness.systems.spec_errors import SpecError

COMMON_KEYS = frozenset({"timeout"})
"""Settings every adapter accepts; ``timeout`` is filled in from the engine's per-call timeout."""

DEFAULT_TIMEOUT = 60.0


def check_keys(spec: str, settings: Mapping[str, Any], known: Collection[str]) -> None:
    """Refuse settings the adapter does not know (a typo would otherwise pass silently).

    Raises:
        SpecError: naming the unknown keys and the known ones; an ``api_key`` gets its own
            message, since keys belong in the environment.
    """
    if "api_key" in settings:
        raise SpecError(spec, "API keys are read only from the environment, never from a config "
                              "file; remove adapter.api_key (use api_key_env to name the variable)")
    allowed = set(known) | COMMON_KEYS
    unknown = sorted(k for k in settings if k not in allowed)
    if unknown:
        raise SpecError(spec, f"unknown adapter setting(s) {', '.join(unknown)}; "
                              f"known: {', '.join(sorted(allowed))}")


def text_setting(
    spec: str, settings: Mapping[str, Any], key: str, env: str | None = None,
    default: str | None = None,
) -> str | None:
    """Return a text setting: config file, then the environment variable ``env``, then default.

    Raises:
        SpecError: if the configured value is not text.
    """
    value = settings.get(key)
    if value is None and env:
        value = os.environ.get(env) or None
    if value is None:
        return default
    if not isinstance(value, str):
        raise SpecError(spec, f"adapter.{key} must be text, got {type(value).__name__}")
    return value


def number_setting(
    spec: str, settings: Mapping[str, Any], key: str, default: float | None,
    minimum: float = 0.0, integer: bool = False, maximum: float = 1e9,
) -> Any:
    """Return a numeric setting, finite and within ``minimum`` to ``maximum``.

    Raises:
        SpecError: if the value is not a finite number in range.
    """
    value = settings.get(key, default)
    if value is None:
        return None
    message = number_problem(value, Range(minimum, maximum, integer=integer))
    if message:
        raise SpecError(spec, f"adapter.{key} {message}")
    return value


def timeout_setting(spec: str, settings: Mapping[str, Any]) -> float:
    """The per-request timeout in seconds."""
    value: float = number_setting(spec, settings, "timeout", DEFAULT_TIMEOUT, minimum=0.001)
    return float(value)


def top_p_setting(spec: str, settings: Mapping[str, Any]) -> float | None:
    """Nucleus sampling ``top_p``: unset, or a number above 0 and at most 1.

    Raises:
        SpecError: for anything else.
    """
    value = settings.get("top_p")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise SpecError(spec, f"adapter.top_p must be a number above 0 and at most 1, "
                              f"got {value!r}")
    return float(value)


def api_key(spec: str, settings: Mapping[str, Any], default_env: str) -> str | None:
    """Read the API key from the environment variable the settings name (or the default one).

    The key is registered for redaction before it is returned, so no error message, journal
    or results file can carry it.

    Raises:
        SpecError: if ``api_key_env`` is not a variable name.
    """
    name = settings.get("api_key_env", default_env)
    if not isinstance(name, str) or not name:
        raise SpecError(spec, "adapter.api_key_env must name an environment variable")
    value = os.environ.get(name) or None
    register_secret(value)
    return value


def mapping_setting(spec: str, settings: Mapping[str, Any], key: str) -> dict[str, Any]:
    """Return a mapping setting (empty when absent).

    Raises:
        SpecError: if the value is not a mapping with text keys.
    """
    value = settings.get(key) or {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise SpecError(spec, f"adapter.{key} must be a mapping")
    return dict(value)


def choice_setting(
    spec: str, settings: Mapping[str, Any], key: str, choices: Collection[str], default: str
) -> str:
    """Return a setting that must be one of ``choices``.

    Raises:
        SpecError: naming the choices.
    """
    value = settings.get(key, default)
    if value not in choices:
        raise SpecError(spec, f"adapter.{key} must be one of {', '.join(sorted(choices))}, "
                              f"got {value!r}")
    return str(value)
