"""The networked adapters on an event loop: lanes of one-connection clients, and ``apost_json``.

Each running loop gets up to ``max_connections`` ``httpx.AsyncClient`` clients of one connection
each, and a request borrows one for its duration. One shared client with a pool of 64 would be
simpler, but httpcore's asyncio pool walks every connection on each request (a ``poll`` of each
idle one) and, when many requests queue at once, offers one idle connection to several of them,
which then go round again: measured at concurrency 32 against a local server, 5 ms of CPU per
request, against 0.9 ms with a client per request in flight.

Every client is made as ``make_client``'s (timeouts, no pool timeout, ``trust_env=False``) and
they share one TLS context; statuses and errors map as for ``post_json``, by the same code.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import sys
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any

from backtriage.harness.systems.adapters.http_common import (
    checked_response,
    client_options,
    parsed_url,
    request_failure,
    require_httpx,
)

if TYPE_CHECKING:
    import ssl

    import httpx


class AsyncClients:
    """The asyncio clients of one adapter, per running loop, lent one request at a time.

    :meth:`aclose`, which the engine awaits as its loop ends, closes the running loop's.
    """

    def __init__(self, spec: str, timeout: float, max_connections: int):
        require_httpx(spec)
        _fail_fast_without_sniffio()
        self._timeout = timeout
        self._max_connections = max_connections
        self._tls: ssl.SSLContext | None = None
        self._lanes: dict[asyncio.AbstractEventLoop, _Lanes] = {}

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[httpx.AsyncClient]:
        """Borrow a client of the running loop (waiting while all are busy)."""
        loop = asyncio.get_running_loop()
        lanes = self._lanes.get(loop)
        if lanes is None:
            lanes = self._lanes[loop] = _Lanes(self._max_connections)
        async with lanes.free:
            client = lanes.idle.pop() if lanes.idle else lanes.add(self._new_client())
            try:
                yield client
            finally:
                lanes.idle.append(client)

    async def aclose(self) -> None:
        """Close the running loop's clients, if it made any."""
        lanes = self._lanes.pop(asyncio.get_running_loop(), None)
        if lanes is not None:
            await asyncio.gather(*(client.aclose() for client in lanes.clients))

    def _new_client(self) -> httpx.AsyncClient:
        import httpx

        if self._tls is None:
            # Loading the CA bundle costs milliseconds: once for all the clients.
            self._tls = httpx.create_ssl_context(trust_env=False)
        return httpx.AsyncClient(**{**client_options(self._timeout, 1), "verify": self._tls})


class _Lanes:
    """One loop's clients: all of them, the idle ones, and a bound on those lent."""

    def __init__(self, limit: int):
        self.clients: list[httpx.AsyncClient] = []
        self.idle: list[httpx.AsyncClient] = []
        self.free = asyncio.Semaphore(limit)

    def add(self, client: httpx.AsyncClient) -> httpx.AsyncClient:
        self.clients.append(client)
        return client


async def apost_json(
    clients: AsyncClients, url: str, payload: Any, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """``http_common.post_json`` on an event loop: the same request, statuses and errors."""
    import httpx

    async with clients.lease() as client:
        try:
            response = await client.post(parsed_url(url), json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise request_failure(exc, client.timeout.read, url) from None
    return checked_response(response, url)


def _fail_fast_without_sniffio() -> None:
    """Make a missing ``sniffio`` fail to import at once.

    httpcore runs ``import sniffio`` inside a function several times a request; without it
    installed, each failed import searches all of ``sys.path`` again (about 0.1 ms of CPU a
    request). ``None`` in ``sys.modules`` is Python's record that a module is absent: the
    import then fails immediately, the same ``ModuleNotFoundError``. Nothing changes where
    sniffio is installed.
    """
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]
