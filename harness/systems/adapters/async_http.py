"""The networked adapters on an event loop: a client per running loop, and ``apost_json``.

Each running loop (one per engine run) gets one ``httpx.AsyncClient``, made on first use
inside that loop with ``make_client``'s timeouts and ``trust_env=False``, over the lean
HTTP/1.1 transport of ``async_transport`` (why: see there) with up to ``max_connections``
connections and the same TLS context. Statuses and errors map as for
``post_json``, by the same code.
"""

from __future__ import annotations

from collections.abc import Mapping
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
    """The asyncio clients of one adapter, one per running loop.

    :meth:`aclose`, which the engine awaits as its loop ends, closes the running loop's.
    """

    def __init__(self, spec: str, timeout: float, max_connections: int):
        require_httpx(spec)
        self._timeout = timeout
        self._max_connections = max_connections
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}

    def get(self) -> httpx.AsyncClient:
        """The running loop's client."""
        import asyncio  # here, not at the top: a run answered from the cache never needs it

        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = self._clients[loop] = self._new_client()
        return client

    async def aclose(self) -> None:
        """Close the running loop's client, if it made one."""
        import asyncio

        client = self._clients.pop(asyncio.get_running_loop(), None)
        if client is not None:
            await client.aclose()

    def _new_client(self) -> httpx.AsyncClient:
        import httpx

        # Imported here: it needs httpx, which the adapters import only when they are used.
        from backtriage.harness.systems.adapters.async_transport import LeanTransport

        # The transport makes every connection, so the client needs no TLS context of its own
        # (trust_env=False: no proxy transports either), and the transport asks for the shared
        # one only when it first connects over https.
        options = client_options(self._timeout, self._max_connections, tls=False)
        transport = LeanTransport(tls_context, self._max_connections)
        return httpx.AsyncClient(**options, transport=transport)


async def apost_json(
    clients: AsyncClients, url: str, payload: Any, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """``http_common.post_json`` on an event loop: the same request, statuses and errors."""
    import httpx

    client = clients.get()
    try:
        response = await client.post(parsed_url(url), json=payload, headers=headers)
    except httpx.HTTPError as exc:
        raise request_failure(exc, client.timeout.read, url) from None
    return checked_response(response, url)
