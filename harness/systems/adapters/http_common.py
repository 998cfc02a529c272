"""What the networked adapters share: a lazily imported client, status mapping, safe URLs.

Status mapping (the engine retries only ``TransientError``):

- timeouts, dropped connections, 408, 425, 429, 5xx and Anthropic's 529 are transient, with the
  server's Retry-After when it sent one;
- a refused connection, a DNS or TLS failure, 401, 403 and 404 mean the system is unavailable
  (``SystemUnavailable``): never retried, and a run that meets only these stops with exit 4;
- every other 4xx is final (``SystemFailure``): a bad request will not mend itself.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import socket
import sys
import threading
import time
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from backtriage.harness.redaction import REDACTED, register_secret, scrub
from backtriage.harness.systems.protocol import (
    InvalidAnswer,
    SystemFailure,
    SystemUnavailable,
    TransientError,
)
from backtriage.harness.systems.spec_errors import SpecError

if TYPE_CHECKING:
    import ssl

    import httpx

_TRANSIENT_STATUSES = frozenset({408, 425, 429, 529})
_UNAVAILABLE_STATUSES = frozenset({401, 403, 404})
_RAW_LIMIT = 4000
_SECRET_QUERY_WORDS = ("key", "token", "secret", "sig", "password", "auth")


def make_client(spec: str, timeout: float, max_connections: int) -> httpx.Client:
    """Create an httpx client sized for the engine's concurrency.

    Raises:
        SpecError: if httpx is not installed.
    """
    require_httpx(spec)
    import httpx

    return httpx.Client(**client_options(timeout, max_connections))


def require_httpx(spec: str) -> None:
    """Raise :class:`SpecError` naming the extra to install if httpx is missing.

    Found without importing it: a run that never calls (every answer cached) never pays for
    httpx, whose import and first client were a sixth of a warm rerun.
    """
    if "httpx" not in sys.modules and importlib.util.find_spec("httpx") is None:
        raise SpecError(spec, "this adapter needs httpx: pip install 'backtriage[net]'")


class LazyClient:
    """An adapter's synchronous httpx client, made on its first call (thread-safe)."""

    def __init__(self, spec: str, timeout: float, max_connections: int):
        require_httpx(spec)
        self._args = (spec, timeout, max_connections)
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def get(self) -> httpx.Client:
        """The client, made now if this is the first call."""
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    self._client = make_client(*self._args)
                client = self._client
        return client

    def close(self) -> None:
        """Close the client if one was made."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


@lru_cache(maxsize=1)
def tls_context() -> ssl.SSLContext:
    """The TLS context of every client: httpx's default, made once (it costs ~30 ms of CPU).

    ``trust_env=False`` as for the clients: no certificate file from the environment.
    """
    import httpx

    return httpx.create_ssl_context(trust_env=False)


def client_options(timeout: float, max_connections: int, tls: bool = True) -> dict[str, Any]:
    """What every client of the networked adapters is made with (keyword arguments).

    ``tls=False`` leaves the TLS context out, for a client whose transport brings its own.
    """
    import httpx

    limits = httpx.Limits(max_connections=max_connections,
                          max_keepalive_connections=max_connections)
    # Waiting for a free connection is not the server being slow: no pool timeout (the
    # engine's own per-call limit still bounds the wait).
    timeouts = httpx.Timeout(timeout, pool=None)
    # trust_env=False: proxies and netrc credentials from the environment stay out of it.
    options: dict[str, Any] = {"timeout": timeouts, "limits": limits, "trust_env": False}
    if tls:
        options["verify"] = tls_context()
    return options


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        import email.utils  # here: only a Retry-After given as a date needs it

        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def post_json(
    client: httpx.Client, url: str, payload: Any, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """POST ``payload`` as JSON and return a 2xx response.

    Raises:
        SystemUnavailable: when the connection is refused, the name does not resolve, TLS
            fails, or the status is 401, 403 or 404.
        TransientError: on a timeout, a dropped connection, 408, 425, 429, 5xx or 529.
        SystemFailure: on any other non-2xx status.
    """
    import httpx

    try:
        response = client.post(parsed_url(url), json=payload, headers=headers)
    except httpx.HTTPError as exc:
        raise request_failure(exc, client.timeout.read, url) from None
    return checked_response(response, url)


def request_failure(exc: httpx.HTTPError, read_timeout: float | None, url: str) -> SystemFailure:
    """The failure to raise for a request that got no response (see the module's mapping)."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        after = f" after {read_timeout:g} s" if read_timeout is not None else ""
        return TransientError(f"timed out{after} ({type(exc).__name__})")
    if isinstance(exc, httpx.ConnectError):
        where = safe_url(url)
        return SystemUnavailable(scrub(f"{connect_failure(exc)}: {where}"), endpoint=where)
    if isinstance(exc, httpx.TransportError):
        return TransientError(scrub(f"connection failed: {type(exc).__name__}: {exc}"))
    return SystemFailure(scrub(f"HTTP request failed: {type(exc).__name__}: {exc}"))


def checked_response(response: httpx.Response, url: str) -> httpx.Response:
    """``response`` if it is a 2xx, else raise the failure its status means."""
    if response.is_success:
        return response
    status = response.status_code
    body = scrub(response.text[:_RAW_LIMIT])
    message = f"HTTP {status} {response.reason_phrase}".rstrip()
    if status in _UNAVAILABLE_STATUSES:
        where = safe_url(url)
        raise SystemUnavailable(f"{message} from {where}", raw=body, endpoint=where)
    if status in _TRANSIENT_STATUSES or status >= 500:
        retry_after = parse_retry_after(response.headers.get("retry-after"))
        raise TransientError(message, raw=body, retry_after=retry_after)
    raise SystemFailure(message, raw=body)


@lru_cache(maxsize=64)
def parsed_url(url: str) -> httpx.URL:
    """``url`` parsed once: httpx would parse the same text again on every request."""
    import httpx

    return httpx.URL(url)


def connect_failure(exc: BaseException) -> str:
    """Say why a connection could not be made, from the OS error beneath httpx's."""
    cause: BaseException | None = exc
    # ssl is imported by whatever made a TLS connection; a run that made none never needs it
    # (importing it cost 10 ms of every run answered from the cache).
    ssl = sys.modules.get("ssl")
    for _ in range(10):  # a chain is short; the bound only guards against a cycle
        if cause is None:
            break
        if ssl is not None and isinstance(cause, ssl.SSLError):
            return f"TLS failure ({cause.reason or cause})"
        if isinstance(cause, socket.gaierror):
            return f"DNS lookup failed ({cause.strerror or cause})"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        cause = cause.__cause__ or cause.__context__
    return f"cannot connect ({type(exc).__name__}: {exc})"


def json_body(response: httpx.Response) -> Any:
    """Parse a response body as JSON.

    Raises:
        InvalidAnswer: if it is not JSON (the raw text is kept).
    """
    try:
        return json.loads(response_text(response))
    except ValueError as exc:
        raise InvalidAnswer(f"response body is not JSON: {exc}",
                            raw=scrub(response.text[:_RAW_LIMIT])) from None


def response_text(response: httpx.Response) -> str:
    """``response.text``, without httpx's parse of a ``Content-Type`` that names no charset.

    httpx then decodes by its default encoding, UTF-8, replacing what does not decode; so
    does this. Reading the header with the standard library's e-mail parser was a third of
    the reading of a reply on the calling loop.
    """
    content_type = response.headers.get("content-type")
    if response.default_encoding != "utf-8" or (
            content_type is not None and "charset" in content_type.lower()):
        return response.text
    return response.content.decode("utf-8", "replace")


def safe_url(url: str) -> str:
    """Return ``url`` fit for results: no user:password, no secret-looking query values.

    Whatever is removed is registered for redaction too, in case a server echoes it.
    """
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        register_secret(userinfo.partition(":")[2] or userinfo)
        # httpx sends it as Basic credentials; an echo of the header must not carry it either.
        register_secret(base64.b64encode(unquote(userinfo).encode()).decode())
        netloc = f"{REDACTED}@{host}"
    query = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if any(word in name.lower() for word in _SECRET_QUERY_WORDS):
            register_secret(value)
            value = REDACTED
        query.append((name, value))
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), parts.fragment))


def join_url(base: str, path: str) -> str:
    """Append an API path to a base URL, with exactly one slash between them."""
    return base.rstrip("/") + "/" + path.lstrip("/")
