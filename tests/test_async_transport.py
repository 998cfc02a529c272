"""The lean HTTP/1.1 transport against a raw asyncio server on 127.0.0.1 that the test scripts.

Each test serves bytes exactly as written (framings, closes, broken replies) and checks what
``httpx.AsyncClient`` over the transport returns or raises, and how often it connected.
"""

from __future__ import annotations

import asyncio
import errno
import gzip
import json
import os
import ssl
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from backtriage.harness.systems.adapters import async_transport
from backtriage.harness.systems.adapters.async_transport import LeanTransport
from backtriage.harness.systems.adapters.http_common import connect_failure
from tests.support.scripted_server import refused_url
from tests.support.tls import self_signed, server_context

Replier = Callable[[int, bytes], bytes | None]
"""(request number, request head) -> raw bytes to send (``None``: close without a reply)."""


class RawServer:
    """An asyncio server that reads each request and writes what the replier says.

    It closes the connection after a reply saying ``Connection: close``, or after every reply
    with ``close_after_reply``.
    """

    def __init__(self, replier: Replier, close_after_reply: bool = False,
                 tls: ssl.SSLContext | None = None):
        self.replier = replier
        self.tls = tls
        self.close_after_reply = close_after_reply
        self.connections = 0
        self.requests = 0
        self.url = ""
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0, ssl=self.tls)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"{'https' if self.tls else 'http'}://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                               if line.lower().startswith(b"content-length:")), 0)
                await reader.readexactly(length)
                self.requests += 1
                reply = self.replier(self.requests, head)
                if reply is None:
                    break
                writer.write(reply)
                await writer.drain()
                if self.close_after_reply or b"Connection: close" in reply:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        writer.close()


def reply(body: bytes, status: str = "200 OK", *headers: str) -> bytes:
    head = [f"HTTP/1.1 {status}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def with_length(body: bytes, status: str = "200 OK", *headers: str) -> bytes:
    return reply(body, status, f"Content-Length: {len(body)}", *headers)


def run(test: Callable[[httpx.AsyncClient], Awaitable[None]],
        tls: ssl.SSLContext | None = None) -> None:
    async def main() -> None:
        transport = LeanTransport(tls or ssl.create_default_context(), 4)
        async with httpx.AsyncClient(transport=transport, timeout=2.0, trust_env=False) as c:
            await test(c)

    asyncio.run(main())


def test_content_length_replies_share_one_kept_alive_connection() -> None:
    async def test(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: with_length(json.dumps({"n": n}).encode())) as server:
            for n in (1, 2, 3):
                response = await client.post(server.url + "/x", json={"a": 1})
                assert response.status_code == 200 and response.json() == {"n": n}
            assert server.connections == 1

    run(test)


def test_chunked_replies_with_extensions_and_trailers_are_joined() -> None:
    body = b"4;ext=1\r\n{\"a\"\r\n3\r\n: 1\r\n1\r\n}\r\n0\r\nX-Trailer: t\r\n\r\n"

    async def test(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: reply(body, "200 OK",
                                                "Transfer-Encoding: chunked")) as server:
            for _ in range(2):
                assert (await client.post(server.url, json={})).json() == {"a": 1}
            assert server.connections == 1

    run(test)


def test_gzip_replies_are_decoded_and_the_reason_phrase_kept() -> None:
    packed = gzip.compress(b'{"ok": true}')

    async def test(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: with_length(packed, "503 Busy Now",
                                                      "Content-Encoding: gzip")) as server:
            response = await client.post(server.url, json={})
            assert response.json() == {"ok": True}
            assert response.status_code == 503 and response.reason_phrase == "Busy Now"

    run(test)


def test_connection_close_and_read_to_close_replies_open_a_new_connection() -> None:
    replies = [with_length(b"{}", "200 OK", "Connection: close"),
               reply(b'{"to": "close"}', "200 OK", "Connection: close"),
               with_length(b'{"n": 3}'), reply(b"", "204 No Content")]

    async def test(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: replies[n - 1] if n <= len(replies) else None,
                             ) as server:
            assert (await client.post(server.url, json={})).json() == {}
            assert (await client.post(server.url, json={})).json() == {"to": "close"}
            assert (await client.post(server.url, json={})).json() == {"n": 3}
            assert (await client.post(server.url, json={})).content == b""
            assert server.connections == 3  # the 204 reused the third

    run(test)


def test_an_http_1_0_reply_closes_unless_it_asks_to_keep_alive() -> None:
    replies = [b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}",
               b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}",
               with_length(b"{}")]

    async def test(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: replies[min(n, 3) - 1]) as server:
            for _ in range(3):
                assert (await client.post(server.url, json={})).json() == {}
            assert server.connections == 2  # the first was closed, the second kept

    run(test)


def test_a_connection_the_server_closed_while_idle_is_not_reused() -> None:
    async def test(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: with_length(b"{}"), close_after_reply=True) as server:
            for _ in range(3):
                assert (await client.post(server.url, json={})).json() == {}
                await asyncio.sleep(0.05)  # the close arrives while the connection is idle
            assert server.connections == 3

    run(test)


@pytest.mark.parametrize(("raw", "message"), [
    (None, "Server disconnected without sending a response"),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}",
     r"complete message body \(received 2 bytes, expected 10\)"),
    (b"HTTP/1.1 200 OK\r\nContent-Len", "complete response head"),
    (b"SMTP ready\r\n\r\n", "not an HTTP/1.1 reply"),
    (b"HTTP/1.1 200 OK\r\nno colon\r\n\r\n", "malformed reply header"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed reply"),
])
def test_broken_replies_are_remote_protocol_errors(raw: bytes | None, message: str) -> None:
    async def test(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: raw, close_after_reply=True) as server:
            with pytest.raises(httpx.RemoteProtocolError, match=message):
                await client.post(server.url, json={})

    run(test)


def test_a_refused_connection_is_a_connect_error_naming_the_cause() -> None:
    async def test(client: httpx.AsyncClient) -> None:
        with pytest.raises(httpx.ConnectError) as raised:
            await client.post(refused_url(), json={})
        assert connect_failure(raised.value) == "connection refused"
        # Worded as the system words it (as httpx's own transport does), not as asyncio does.
        refused = errno.ECONNREFUSED
        assert str(raised.value) == f"[Errno {refused}] {os.strerror(refused)}"

    run(test)


def test_a_silent_server_is_a_read_timeout_and_the_connection_is_dropped() -> None:
    async def test(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: b"" if n == 1 else with_length(b"{}")) as server:
            with pytest.raises(httpx.ReadTimeout):
                await client.post(server.url, json={}, timeout=0.2)
            assert (await client.post(server.url, json={})).json() == {}
            assert server.connections == 2

    run(test)


def test_the_request_carries_the_clients_headers_and_body() -> None:
    seen: list[bytes] = []

    def replier(n: int, head: bytes) -> bytes:
        seen.append(head)
        return with_length(b"{}")

    async def test(client: httpx.AsyncClient) -> None:
        async with RawServer(replier) as server:
            await client.post(server.url + "/v1/x?q=1", json={"a": 1},
                              headers={"Authorization": "Bearer t"})
            head = seen[0].decode()
            assert head.startswith("POST /v1/x?q=1 HTTP/1.1\r\n")
            assert "authorization: Bearer t" in head.lower().replace("bearer", "Bearer")
            assert "content-type: application/json" in head.lower()
            assert f"host: 127.0.0.1:{server.url.rsplit(':', 1)[1]}" in head.lower()

    run(test)


def test_tls_to_a_trusted_server_works_and_an_untrusted_one_is_a_tls_failure(
    tmp_path: Path
) -> None:
    cert, key = self_signed(tmp_path)
    trusting = ssl.create_default_context(cafile=str(cert))

    async def trusted(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: with_length(b'{"tls": 1}'),
                             tls=server_context(cert, key)) as server:
            for _ in range(2):
                assert (await client.post(server.url, json={})).json() == {"tls": 1}
            assert server.connections == 1

    async def untrusted(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: with_length(b"{}"),
                             tls=server_context(cert, key)) as server:
            with pytest.raises(httpx.ConnectError) as raised:
                await client.post(server.url, json={})
            assert connect_failure(raised.value) == "TLS failure (CERTIFICATE_VERIFY_FAILED)"

    run(trusted, trusting)
    run(untrusted)


def test_idle_connections_to_other_servers_are_kept_for_them() -> None:
    async def test(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: with_length(b'{"s": 1}')) as one, \
                RawServer(lambda n, h: with_length(b'{"s": 2}')) as two:
            for _ in range(2):
                assert (await client.post(one.url, json={})).json() == {"s": 1}
                assert (await client.post(two.url, json={})).json() == {"s": 2}
            assert (one.connections, two.connections) == (1, 1)

    run(test)


@pytest.mark.parametrize("shape", ["content-length", "chunked", "read-to-close"])
def test_a_reply_larger_than_the_bound_is_refused_whatever_its_framing(
    shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(async_transport, "MAX_BODY", 1000)
    body = b"x" * 1500
    raw = {
        "content-length": b"HTTP/1.1 200 OK\r\nContent-Length: 1500\r\n\r\n" + body,
        "chunked": (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"2ee\r\n" + body[:750] + b"\r\n2ee\r\n" + body[750:] + b"\r\n0\r\n\r\n"),
        "read-to-close": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body,
    }[shape]

    async def test(client: httpx.AsyncClient) -> None:
        async with RawServer(lambda n, h: raw, close_after_reply=True) as server:
            with pytest.raises(httpx.TransportError, match="larger than the 1000 accepted"):
                await client.post(server.url, json={})

    run(test)


def test_an_adapters_post_reads_gzip_and_declared_charsets_as_httpx_would() -> None:
    """``apost_json`` sends the kept head and takes the body itself: a gzip body is still
    decoded, a declared charset still read, and the server sees every call's own length."""
    from backtriage.harness.systems.adapters.async_http import AsyncClients, apost_json
    from backtriage.harness.systems.adapters.http_common import json_body

    replies = [with_length(gzip.compress(b'{"n": 1}'), "200 OK", "Content-Encoding: gzip"),
               with_length('{"w": "caf\u00e9"}'.encode("latin-1"), "200 OK",
                           "Content-Type: application/json; charset=latin-1")]
    heads: list[bytes] = []

    def replier(n: int, head: bytes) -> bytes:
        heads.append(head)
        return replies[n - 1]

    async def main() -> None:
        clients = AsyncClients("openai:test", 2.0, 4)
        async with RawServer(replier) as server:
            first = await apost_json(clients, server.url + "/v1/x", {"a": 1}, {"X-K": "v"})
            second = await apost_json(clients, server.url + "/v1/x", {"a": "longer"},
                                      {"X-K": "v"})
            await clients.aclose()
        assert json_body(first) == {"n": 1} and json_body(second) == {"w": "caf\u00e9"}

    asyncio.run(main())
    assert [b"Content-Length: 7" in heads[0], b"Content-Length: 14" in heads[1]] == [True, True]
    assert all(b"X-K: v" in head and b"POST /v1/x HTTP/1.1" in head for head in heads)


def test_a_server_that_stops_reading_is_a_write_timeout() -> None:
    """A request larger than the socket takes waits in the write buffer; the write timeout
    bounds that wait (a drain with nothing left to write needs no timer, this one does)."""
    async def main() -> None:
        held: list[asyncio.StreamWriter] = []

        async def never_read(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            held.append(writer)  # keep the connection open, read nothing

        server = await asyncio.start_server(never_read, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        transport = LeanTransport(ssl.create_default_context(), 1)
        timeout = httpx.Timeout(5.0, write=0.3)
        async with httpx.AsyncClient(transport=transport, timeout=timeout,
                                     trust_env=False) as client:
            post = client.post(f"http://127.0.0.1:{port}/", content=b"x" * (32 << 20))
            with pytest.raises(httpx.WriteTimeout):  # not the test's own bound of 10 s
                await asyncio.wait_for(post, 10)
        server.close()

    asyncio.run(main())


def test_an_adapters_post_that_fails_raises_the_failure_its_request_would() -> None:
    """The request is built only when an error needs it: a refused connection is still the
    system being unreachable, naming the cause and the URL without its credentials, and a
    reply cut short is still a transient failure carrying httpx's words; each httpx error
    carries the request that was sent."""
    from backtriage.harness.systems.adapters.async_http import AsyncClients, apost_json
    from backtriage.harness.systems.protocol import SystemUnavailable, TransientError

    refused = refused_url().replace("http://", "http://user:s3cret@") + "/v1/x"

    async def main() -> None:
        clients = AsyncClients("openai:test", 2.0, 4)
        with pytest.raises(SystemUnavailable) as unreachable:
            await apost_json(clients, refused, {"a": 1}, {"X-K": "v"})
        assert "connection refused" in str(unreachable.value)
        assert "s3cret" not in str(unreachable.value)
        raised = unreachable.value.__context__  # httpx's error, carrying the request made
        assert isinstance(raised, httpx.ConnectError)
        assert raised.request.url == httpx.URL(refused) and raised.request.method == "POST"
        cut_short = b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"
        async with RawServer(lambda n, h: cut_short, close_after_reply=True) as server:
            with pytest.raises(TransientError) as cut:
                await apost_json(clients, server.url + "/v1/x", {"a": 1}, None)
        assert "RemoteProtocolError" in str(cut.value)
        raised = cut.value.__context__
        assert isinstance(raised, httpx.RemoteProtocolError)
        assert raised.request.content == b'{"a":1}'  # the very body that was sent
        await clients.aclose()

    asyncio.run(main())
