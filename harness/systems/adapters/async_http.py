"""The networked adapters on an event loop: a client per running loop, and ``apost_json``.

Each running loop (one per engine run) gets one lean HTTP/1.1 transport of
``async_transport`` (why: see there), made on first use inside that loop, with up to
``max_connections`` connections and the same TLS context, and an ``httpx.AsyncClient`` with
``make_client``'s timeouts and ``trust_env=False`` that holds the settings but sends nothing:
requests go to the transport directly (see :class:`AsyncClients`). Statuses and errors map as
for ``post_json``, by the same code.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backtriage.harness.systems.adapters.http_common import (
    checked_response,
    client_options,
    parsed_url,
    request_failure,
    require_httpx,
    tls_context,
)

if TYPE_CHECKING:
    import asyncio

    import httpx


class AsyncClients:
    """The asyncio connections of one adapter: a lean transport per running loop.

    Requests go to the transport directly, not through ``httpx.AsyncClient.send``: the
    client's per-request work (merging headers and cookies, its auth and redirect steps, a
    cookie jar fed from every reply) was a quarter of the calling loop's CPU. The requests are
    the ones that client would send (a test holds them equal): its default headers, the
    adapter's, Basic credentials from the URL, the JSON body as httpx encodes ``json=``.
    Redirects were never followed. What differs: a cookie a server sets is not sent back on
    later calls, so no state passes from one vignette's call to the next. :meth:`aclose`,
    which the engine awaits as its loop ends, closes the running loop's connections.
    """

    def __init__(self, spec: str, timeout: float, max_connections: int):
        require_httpx(spec)
        self._timeout = timeout
        self._max_connections = max_connections
        self._clients: dict[asyncio.AbstractEventLoop, LoopClient] = {}

    def get(self) -> LoopClient:
        """The running loop's connections."""
        import asyncio  # here, not at the top: a run answered from the cache never needs it

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = LoopClient(self._timeout, self._max_connections)
        return client

    async def aclose(self) -> None:
        """Close the running loop's connections, if it made any."""
        import asyncio

        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.client.aclose()


class LoopClient:
    """One loop's transport, with the headers and timeouts every request carries."""

    def __init__(self, timeout: float, max_connections: int):
        import httpx

        # Imported here: it needs httpx, which the adapters import only when they are used.
        from backtriage.harness.systems.adapters.async_transport import LeanTransport

        # The transport makes every connection, so the client needs no TLS context of its own
        # (trust_env=False: no proxy transports either), and the transport asks for the shared
        # one only when it first connects over https. The client is kept for its settings
        # (httpx's default headers, the timeouts) and to close the transport; it sends nothing.
        options = client_options(timeout, max_connections, tls=False)
        self.transport = LeanTransport(tls_context, max_connections)
        self.client = httpx.AsyncClient(**options, transport=self.transport)
        self.timeout = self.client.timeout
        self._headers = self.client.headers
        self._extensions = {"timeout": self.timeout.as_dict()}
        self.timeouts: dict[str, float | None] = self._extensions["timeout"]
        self._heads: dict[tuple[str, tuple[tuple[str, str], ...]], _Head | None] = {}

    def request(self, url: str, payload: Any, headers: Mapping[str, str] | None) -> httpx.Request:
        """The POST of ``payload`` as JSON to ``url``, as ``AsyncClient.post`` would send it."""
        return self._request(url, _JSON.encode(payload).encode("utf-8"), headers)

    def wire(self, url: str, payload: Any, headers: Mapping[str, str] | None
             ) -> tuple[tuple[str, str, int], bytes, Callable[[], httpx.Request]]:
        """:meth:`request` as the transport sends it: connection key, bytes, request maker.

        Building an httpx request and writing its head out again was a tenth of a call's CPU
        on the loop; only its ``Content-Length`` changes from one call to the next. So the
        head of one request to ``url`` with ``headers`` is kept, split at that value, and each
        call puts its body's length in (a test holds the bytes equal to the request's). The
        maker builds the request itself, which only an error that carries it needs.
        """
        body = _JSON.encode(payload).encode("utf-8")
        make = functools.partial(self._request, url, body, headers)
        head = self._head(url, headers)
        if head is None:
            from backtriage.harness.systems.adapters.async_transport import (
                connection_key,
                wire_bytes,
            )

            request = make()
            return connection_key(request.url), wire_bytes(request), make
        return head.key, b"%s%d%s%s" % (head.before, len(body), head.after, body), make

    def _request(self, url: str, body: bytes, headers: Mapping[str, str] | None
                 ) -> httpx.Request:
        import httpx

        merged = httpx.Headers(self._headers)
        if headers:
            merged.update(headers)  # by name whatever its case, as the client merged them
        if "content-type" not in merged:  # json= sets it unless the caller did
            merged["Content-Type"] = "application/json"
        # The Request adds Content-Length for the body, as it does for json=.
        target = parsed_url(url)
        request = httpx.Request("POST", target, headers=merged, content=body,
                                extensions=self._extensions)
        if target.username or target.password:
            # Credentials in the URL are sent as Basic auth, as the client's auth step does
            # (over any Authorization header given).
            next(httpx.BasicAuth(target.username, target.password).auth_flow(request))
        return request

    def _head(self, url: str, headers: Mapping[str, str] | None) -> _Head | None:
        """The kept head of a request to ``url`` with ``headers``.

        ``None`` if it cannot be split at one ``Content-Length`` of the harness's own.
        """
        key = (url, tuple(headers.items()) if headers else ())
        if key in self._heads:
            return self._heads[key]
        from backtriage.harness.systems.adapters.async_transport import (
            connection_key,
            wire_bytes,
        )

        if len(self._heads) >= _HEADS_KEPT:
            self._heads.clear()  # an adapter sends to one URL with one set of headers
        framing = {"content-length", "transfer-encoding"}
        if headers and any(name.lower() in framing for name in headers):
            self._heads[key] = None  # the caller's framing: its requests are built whole
            return None
        sample = self._request(url, b"-", headers)  # one byte: Content-Length is added last
        wire = wire_bytes(sample)
        marker = b"\r\ncontent-length: 1\r\n"
        at = wire.lower().find(marker)
        lengths = sum(1 for name, _ in sample.headers.raw if name.lower() == b"content-length")
        head = None
        if at >= 0 and lengths == 1:
            split = at + len(marker) - 3  # just before the "1"
            head = _Head(connection_key(sample.url), wire[:split], wire[split + 1:-1])
        self._heads[key] = head
        return head


@dataclass(frozen=True)
class _Head:
    """The bytes of a request's head around its ``Content-Length`` value."""

    key: tuple[str, str, int]
    before: bytes
    after: bytes


_HEADS_KEPT = 16


_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
"""The encoding of httpx's ``json=``, made once."""


async def apost_json(
    clients: AsyncClients, url: str, payload: Any, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """``http_common.post_json`` on an event loop: the same request, statuses and errors."""
    import httpx

    client = clients.get()
    try:
        key, data, request = client.wire(url, payload, headers)
        response = await client.transport.send(key, data, client.timeouts, request)
        # The transport read the whole body into the reply's stream: taking it is decoding it
        # (gzip, if the server sent it so), not waiting. The synchronous read does the same
        # without the asynchronous iterators' frames, a twentieth of a call on the loop.
        response.read()
    except httpx.HTTPError as exc:
        raise request_failure(exc, client.timeout.read, url) from None
    return checked_response(response, url)
