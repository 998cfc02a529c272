r"""Keeping secrets (API keys, tokens, passwords) out of everything the harness writes or prints.

Secrets come from three places: adapters register the ones they read (:func:`register_secret`);
every environment variable that holds a key by its name (``OPENAI_API_KEY``, ``*_API_KEY``,
``*_TOKEN``, ``*_SECRET``, ``*_PASSWORD``) is one whatever the system kind; and patterns catch
credentials the harness never saw, such as a ``Bearer``/``Basic`` header or the password of a
``scheme://user:PASSWORD@host`` URL echoed by a server.

A key spelled with JSON ``\u`` escapes inside a reply's raw text is found too: when decoding
the escapes reveals a secret, the decoded text is what is kept, redacted.

Every record the engine makes passes through :func:`scrub` (see ``engine/records.py``), so a
result, journal line, cache entry, report or message is redacted wherever it came from.
"""

from __future__ import annotations

import functools
import os
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any

REDACTED = "[REDACTED]"

_lock = threading.Lock()
_secrets: set[str] = set()

# Names of environment variables whose value is a credential.
_SECRET_NAME = re.compile(
    r"(?i)(?:^|_)(?:API_?KEY|TOKEN|SECRET|PASSWORD|PASSWD|ACCESS_KEY|PRIVATE_KEY)$"
)

# A credential after a header name or a "Bearer"/"Basic" keyword, whoever wrote it, and the
# password of a URL's userinfo.
_PATTERNS = (
    re.compile(r"(?i)(\b(?:bearer|basic)\s+)(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{6,}"),
    re.compile(
        r"(?i)((?:authorization|x-api-key|api[-_]?key|access[-_]?token)[\"']?\s*[:=]\s*[\"']?)"
        r"(?!\[REDACTED\])(?!(?:bearer|basic)\s)[^\s\"',;}&]{6,}"
    ),
    re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://[^/\s:@\"']*:)(?!\[REDACTED\])[^/\s@\"']+(?=@)"),
)

_U_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")

# Shorter values would redact innocent words; no real key is this short.
_MIN_SECRET_LENGTH = 8


def register_secret(value: str | None) -> None:
    """Remember ``value`` so that :func:`scrub` removes it from any text."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)
            _known.clear()  # the sorted list is made again on the next scrub


def environment_secrets(environ: Mapping[str, str] | None = None) -> set[str]:
    """Values of the environment variables whose names say they hold a credential."""
    if environ is None:
        return set(_current_environment_secrets())
    return {
        value for name, value in environ.items()
        if len(value) >= _MIN_SECRET_LENGTH and _SECRET_NAME.search(name)
    }


_seen_environment: tuple[dict[Any, Any], frozenset[str]] | None = None


def _current_environment_secrets() -> frozenset[str]:
    """The process environment's secrets, read again only when the environment has changed.

    Reading them means decoding every variable, which cost more than the rest of scrubbing an
    answer; comparing the raw environment with a copy of it (done in C, nothing allocated)
    tells when to read again.
    """
    global _seen_environment
    raw = getattr(os.environ, "_data", None)
    current = raw if isinstance(raw, dict) else dict(os.environ)
    seen = _seen_environment
    if seen is not None and seen[0] == current:
        return seen[1]
    found = frozenset(
        value for name, value in os.environ.items()
        if len(value) >= _MIN_SECRET_LENGTH and _SECRET_NAME.search(name)
    )
    _seen_environment = (dict(current), found)
    return found


# The last list known_secrets() made, under the environment secrets it was made with: a record
# scrubs several strings, and sorting the secrets for each cost more than the scrubbing.
_known: dict[frozenset[str], list[str]] = {}


def known_secrets() -> list[str]:
    """Every secret :func:`scrub` removes, longest first (so a longer one is never split)."""
    # The environment is looked at each time: a key exported after start-up still counts.
    from_environment = _current_environment_secrets()
    with _lock:
        made = _known.get(from_environment)
        if made is None:
            made = sorted(_secrets | from_environment, key=len, reverse=True)
            _known.clear()
            _known[from_environment] = made
    return list(made)


def scrub(text: str) -> str:
    """Return ``text`` with every known secret and credential-looking value redacted."""
    return _scrub_with(text, known_secrets())


def scrubber() -> Callable[[str], str]:
    """:func:`scrub` for several strings in a row, the secrets gathered once for all of them."""
    return functools.partial(_scrub_with, secrets=known_secrets())


def _scrub_with(text: str, secrets: list[str]) -> str:
    if "\\u" in text:
        decoded = _decode_u_escapes(text)
        if decoded != text and _redact(decoded, secrets) != decoded:
            # Only the escaped spelling held the secret: keep the decoded text, redacted.
            text = decoded
    return _redact(text, secrets)


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    if _may_hold_credential(text):
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def _may_hold_credential(text: str) -> bool:
    """False when no pattern can match, judged by the words each one needs.

    The header pattern needs a ':' or '=' and one of its names (each holds "authorization",
    "api" or "access"); the keyword pattern the word bearer or basic; the URL pattern "://"
    and "@". Most strings (ids, labels, a rule's rationale) are ruled out by this test alone,
    which costs far less than running the three patterns over every string written.
    """
    if not text.isascii():  # (?i) folds some non-ASCII letters onto ASCII ones
        return True
    lowered = text.lower()
    if "bearer" in lowered or "basic" in lowered or ("://" in text and "@" in text):
        return True
    return ("=" in text or ":" in text) and (
        "authorization" in lowered or "api" in lowered or "access" in lowered
    )


def _decode_u_escapes(text: str) -> str:
    decoded = _U_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    # Escaped surrogate pairs become one character; a lone one becomes U+FFFD.
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def scrub_optional(text: str | None) -> str | None:
    """Scrub ``text`` unless it is ``None``."""
    return None if text is None else scrub(text)


def scrub_data(value: Any) -> Any:
    """Scrub every string inside a JSON-like value (dict keys and values, lists, strings)."""
    # The secrets are gathered once per value, not once per string: a journal header lists
    # every vignette, and reading the environment for each of its strings cost seconds.
    return _scrub_tree(value, known_secrets())


def _scrub_tree(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        return _scrub_with(value, secrets)
    if isinstance(value, dict):
        return {
            _scrub_with(k, secrets) if isinstance(k, str) else k: _scrub_tree(v, secrets)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_scrub_tree(v, secrets) for v in value]
    return value
