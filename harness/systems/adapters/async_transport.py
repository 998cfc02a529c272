"""A lean HTTP/1.1 transport for ``httpx.AsyncClient`` on asyncio streams, with keep-alive.

Why not httpx's own: on asyncio it runs httpcore over anyio, which measured 0.9 ms of CPU a
request against a local server (httpx's synchronous client: 0.6 ms), and its shared pool far
more at concurrency 32 (5 ms: every request walks and polls every connection, and requests
queued together are offered the same idle connection, then go round again). The engine's
calls all share one interpreter lock, so that CPU is the run's speed. (With this transport a
call on the loop costs about 0.3 ms of CPU in all, against 1.2-1.4 ms on the threaded path at
concurrency 32: ``benchmarks/adapter_overhead.py``.) This transport sends one
request per connection at a time, keeps idle connections for reuse, and maps its failures onto
httpx's exceptions exactly as the adapters' status mapping expects (``http_common``):
connection failures are :class:`httpx.ConnectError` raised from the operating system's error,
timeouts are httpx's timeouts, a connection lost mid-reply a :class:`httpx.RemoteProtocolError`.

It supports what the adapters need: ``POST`` with a body, ``Content-Length``, chunked and
read-to-close replies, TLS by the client's context; no proxies (the clients are made with
``trust_env=False``), no HTTP/2, no upgrades.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    RequestMaker = Callable[[], httpx.Request]
    """Makes the request being sent, for the errors that carry it."""

_MAX_HEAD = 64 * 1024
MAX_BODY = 32 * 1024 * 1024
"""Largest reply body read (32 MiB): no answer is near it, and a server that sends more, or
says it will, cannot fill the harness's memory (the record keeps 64 KiB of it at most)."""
_NO_BODY = frozenset({204, 304})
# What a connection closed part-way means, in the words of httpx's own transport (httpcore and
# h11), so records read the same whichever path made them.
_BODY_CUT = "peer closed connection without sending complete message body"
_CHUNKS_CUT = f"{_BODY_CUT} (incomplete chunked read)"
# Errors whose text is the operating system's own: gaierror and SSLError word theirs themselves.
_PLAIN_OS_ERRORS = (OSError, ConnectionRefusedError, ConnectionResetError,
                    ConnectionAbortedError, BrokenPipeError, TimeoutError)


def _head_cut(got: bytes) -> str:
    """What a connection closed before the end of a reply's head means."""
    if got:
        return "peer closed connection without sending a complete response head"
    return "Server disconnected without sending a response."


def connection_key(url: httpx.URL) -> tuple[str, str, int]:
    """What a connection is kept for: scheme, host and port (the default port if none)."""
    return url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80)


def wire_bytes(request: httpx.Request) -> bytes:
    """The bytes of ``request`` on an HTTP/1.1 connection: its head, then its whole body."""
    head = [request.method.encode("ascii"), b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        head += [name, b": ", value, b"\r\n"]
    head.append(b"\r\n")
    return b"".join(head) + request.content  # the client built the body whole (json=...)


class _Connection:
    """One open connection (a reader and a writer)."""

    def __init__(self, key: tuple[str, str, int], reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter):
        self.key = key
        self.reader = reader
        self.writer = writer

    def usable(self) -> bool:
        """False once either side has closed it."""
        return not (self.reader.at_eof() or self.writer.is_closing())

    def close(self) -> None:
        self.writer.close()


class LeanTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over asyncio streams, up to ``max_connections`` at once, kept alive."""

    def __init__(self, tls: ssl.SSLContext | Callable[[], ssl.SSLContext],
                 max_connections: int):
        # A callable is asked for the context on the first https connection only: a run
        # against http:// never makes one (about 40 ms of start-up).
        self._tls = tls
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(max_connections)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` and read the whole reply."""
        return await self.send(connection_key(request.url), wire_bytes(request),
                               request.extensions.get("timeout", {}), lambda: request)

    async def send(self, key: tuple[str, str, int], data: bytes,
                   timeouts: dict[str, float | None], request: RequestMaker) -> httpx.Response:
        """Send the bytes of one request (head and body) to ``key``; read the whole reply.

        ``request`` makes the httpx request that ``data`` is, wanted only when httpx's errors
        (which carry it) are raised: an adapter sends its bytes without building one.
        """
        async with self._slots:
            connection = await self._connection(key, timeouts.get("connect"), request)
            try:
                response = await self._exchange(connection, data, timeouts, request)
            except BaseException:
                connection.close()  # cut short (a timeout, a cancel): its state is unknown
                raise
        return response

    async def aclose(self) -> None:
        """Close every idle connection."""
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        for connection in idle:
            with contextlib.suppress(OSError):  # already broken: closed is closed
                await connection.writer.wait_closed()

    async def _connection(self, key: tuple[str, str, int], limit: float | None,
                          request: RequestMaker) -> _Connection:
        for index in range(len(self._idle) - 1, -1, -1):  # the most recently used first
            connection = self._idle[index]
            if not connection.usable():
                del self._idle[index]
                connection.close()
            elif connection.key == key:
                del self._idle[index]
                return connection
        tls = None
        if key[0] == "https":
            tls = self._tls if isinstance(self._tls, ssl.SSLContext) else self._tls()
        try:
            async with asyncio.timeout(limit):
                reader, writer = await asyncio.open_connection(
                    key[1], key[2], ssl=tls, server_hostname=key[1] if tls else None,
                    limit=_MAX_HEAD)
        except TimeoutError as exc:
            raise httpx.ConnectTimeout("timed out connecting", request=request()) from exc
        except OSError as exc:  # refused, DNS (gaierror), TLS (SSLError): all OSErrors
            raise httpx.ConnectError(_os_message(exc), request=request()) from exc
        return _Connection(key, reader, writer)

    async def _exchange(self, connection: _Connection, data: bytes,
                        timeouts: dict[str, float | None], request: RequestMaker
                        ) -> httpx.Response:
        connection.writer.write(data)
        # With nothing left in the write buffer (the socket took the request whole, as it
        # does a few kilobytes), the drain cannot wait, so it needs no timer (a twentieth of
        # a call on the loop); its errors are the same.
        waiting = connection.writer.transport.get_write_buffer_size()
        await _bounded(connection.writer.drain(), timeouts.get("write") if waiting else None,
                       httpx.WriteTimeout, httpx.WriteError, request)
        read = timeouts.get("read")
        while True:
            raw_head = await _bounded(connection.reader.readuntil(b"\r\n\r\n"), read,
                                      httpx.ReadTimeout, httpx.RemoteProtocolError, request,
                                      _head_cut)
            version, status, reason, headers, fields = _parse_head(raw_head, request)
            if not 100 <= status < 200:
                break  # an interim reply (100 Continue) is followed by the real one
        # HTTP/1.1 keeps a connection open unless told otherwise; HTTP/1.0 only when asked.
        wish = fields.get(b"connection", b"").lower()
        keep = wish != b"close" if version == b"HTTP/1.1" else wish == b"keep-alive"
        if status in _NO_BODY:
            content = b""
        elif b"chunked" in fields.get(b"transfer-encoding", b"").lower():
            content = await _bounded(_read_chunked(connection.reader), read, httpx.ReadTimeout,
                                     httpx.RemoteProtocolError, request,
                                     lambda got: _CHUNKS_CUT)
        elif b"content-length" in fields:
            try:
                length = int(fields[b"content-length"])
            except ValueError:
                raise httpx.RemoteProtocolError("bad Content-Length",
                                                request=request()) from None
            if length > MAX_BODY:
                raise httpx.RemoteProtocolError(_too_large(length), request=request())
            content = await _bounded(
                connection.reader.readexactly(length), read, httpx.ReadTimeout,
                httpx.RemoteProtocolError, request,
                lambda got: f"{_BODY_CUT} (received {len(got)} bytes, expected {length})")
        else:  # the body runs to the end of the connection
            content = await _bounded(_read_to_close(connection.reader), read, httpx.ReadTimeout,
                                     httpx.ReadError, request)
            keep = False
        if keep:
            self._idle.append(connection)
        else:
            connection.close()
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(content),
                              extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason})


async def _bounded(step: Awaitable[Any], limit: float | None,
                   timeout: type[httpx.TransportError], broken: type[httpx.TransportError],
                   request: RequestMaker,
                   cut: Callable[[bytes], str] = lambda got: _BODY_CUT) -> Any:
    """Await one step of the exchange within ``limit`` seconds, as httpx's errors.

    ``cut`` says what a connection closed part-way means, given the bytes that did arrive.
    """
    try:
        if limit is None:  # no timer to set: the step's own errors still map below
            return await step
        async with asyncio.timeout(limit):
            return await step
    except TimeoutError as exc:
        raise timeout(f"no progress within {limit:g} s", request=request()) from exc
    except asyncio.IncompleteReadError as exc:
        raise httpx.RemoteProtocolError(cut(exc.partial), request=request()) from exc
    except (asyncio.LimitOverrunError, ValueError) as exc:  # a huge head, a bad chunk size
        raise httpx.RemoteProtocolError(f"malformed reply ({exc})", request=request()) from exc
    except OSError as exc:  # a reset, a TLS error
        raise broken(_os_message(exc), request=request()) from exc


def _os_message(exc: OSError) -> str:
    """``exc`` as the socket layer words it (``[Errno 101] Network is unreachable``).

    asyncio replaces the system's words with ``Connect call failed (address)``; the
    synchronous client's errors keep them, and so must ours, as error texts in records.
    """
    if type(exc) in _PLAIN_OS_ERRORS and exc.errno:
        return f"[Errno {exc.errno}] {os.strerror(exc.errno)}"
    return str(exc) or type(exc).__name__


def _parse_head(
    raw: bytes, request: RequestMaker
) -> tuple[bytes, int, bytes, list[tuple[bytes, bytes]], dict[bytes, bytes]]:
    """Version, status, reason, header list and lower-cased header fields of a reply head."""
    lines = raw[:-4].split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    code, _, reason = rest.partition(b" ")
    if not version.startswith(b"HTTP/1.") or not code.isdigit():
        raise httpx.RemoteProtocolError(f"not an HTTP/1.1 reply: {lines[0][:80]!r}",
                                        request=request())
    headers = []
    fields: dict[bytes, bytes] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon:
            raise httpx.RemoteProtocolError("malformed reply header", request=request())
        name, value = name.strip(), value.strip()
        headers.append((name, value))
        fields[name.lower()] = value
    return version, int(code), reason, headers, fields


def _too_large(size: int) -> str:
    return f"reply body of {size} bytes or more is larger than the {MAX_BODY} accepted"


async def _read_to_close(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    total = 0
    while chunk := await reader.read(_MAX_HEAD):
        total += len(chunk)
        if total > MAX_BODY:
            raise ValueError(_too_large(total))  # a malformed reply (see _bounded)
        parts.append(chunk)
    return b"".join(parts)


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while await reader.readuntil(b"\r\n") != b"\r\n":
                pass  # trailers: not used
            return b"".join(parts)
        total += size
        if total > MAX_BODY:
            raise ValueError(_too_large(total))
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)  # the CRLF after each chunk
