"""Keeping secrets (API keys, tokens) out of everything the harness writes or prints.

Adapters register each secret they read from the environment; every text that leaves the
process (error messages, raw replies, journals, results, logs) passes through :func:`scrub`.
Patterns catch credentials the harness never registered, such as a header echoed by a server.
"""

from __future__ import annotations

import re
import threading
from typing import Any

REDACTED = "[REDACTED]"

_lock = threading.Lock()
_secrets: set[str] = set()

# A credential after a header name or a "Bearer" keyword, whoever wrote it.
_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{6,}"),
    re.compile(
        r"(?i)((?:authorization|x-api-key|api[-_]?key|access[-_]?token)[\"']?\s*[:=]\s*[\"']?)"
        r"(?!\[REDACTED\])[^\s\"',;}&]{6,}"
    ),
)

# Shorter values would redact innocent words; no real key is this short.
_MIN_SECRET_LENGTH = 8


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that :func:`scrub` removes it from any text."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def scrub(text: str) -> str:
    """Return ``text`` with every registered secret and credential-looking value redacted."""
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def scrub_optional(text: str | None) -> str | None:
    """Scrub ``text`` unless it is ``None``."""
    return None if text is None else scrub(text)


def scrub_data(value: Any) -> Any:
    """Scrub every string inside a JSON-like value (dicts, lists, strings)."""
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: scrub_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_data(v) for v in value]
    return value
