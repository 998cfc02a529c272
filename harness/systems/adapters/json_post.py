"""What every networked adapter does with a call: POST one JSON body, read one reply.

The adapters differ in the body they build and how they read the reply; the calls
themselves (synchronous or on the event loop) and closing their clients are written once here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from backtriage.harness.model import Presentation
from backtriage.harness.systems.adapters.async_http import AsyncClients, apost_json
from backtriage.harness.systems.adapters.http_common import LazyClient, post_json
from backtriage.harness.systems.protocol import Reply

if TYPE_CHECKING:
    import httpx


class JsonPostAdapter:
    """``triage``/``atriage`` and ``close``/``aclose`` for an adapter that POSTs JSON.

    A subclass calls :meth:`_connect` in its constructor, sets ``_url`` and ``_headers``, and
    defines :meth:`request_body` and :meth:`_reply`.
    """

    _url: str
    _headers: dict[str, str]

    def _connect(self, spec: str, timeout: float, max_connections: int) -> None:
        """Make the clients lazily: nothing is opened until the first call."""
        self._client = LazyClient(spec, timeout, max_connections)
        self._async_clients = AsyncClients(spec, timeout, max_connections)

    def request_body(self, presentation: Presentation) -> Any:
        """The JSON body sent for one presentation."""
        raise NotImplementedError

    def _reply(self, response: httpx.Response) -> Reply:
        """The reply read from a 2xx response."""
        raise NotImplementedError

    def triage(self, presentation: Presentation) -> Reply:
        """POST the body for ``presentation`` and validate the reply strictly."""
        return self._reply(post_json(self._client.get(), self._url,
                                     self.request_body(presentation), self._headers))

    async def atriage(self, presentation: Presentation) -> Reply:
        """:meth:`triage` on an event loop (the engine's asyncio path)."""
        response = await apost_json(self._async_clients, self._url,
                                    self.request_body(presentation), self._headers)
        return self._reply(response)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    async def aclose(self) -> None:
        """Close the running loop's connection pool."""
        await self._async_clients.aclose()
