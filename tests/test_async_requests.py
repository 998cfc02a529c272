"""The event-loop adapters build each request as httpx's client would, and send it themselves.

The client's side is captured with httpx's own ``MockTransport``: it is httpx's request under
test here, not a mock of ours.

``apost_json`` hands requests straight to the lean transport (the client's per-request work was
a quarter of the calling loop's CPU); what goes on the wire must not change for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from hypothesis import example, given, settings
from hypothesis import strategies as st

from backtriage.harness.systems.adapters.async_http import LoopClient
from backtriage.harness.systems.adapters.async_transport import connection_key, wire_bytes
from backtriage.harness.systems.adapters.http_common import client_options, response_text

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
_NAMES = st.sampled_from(["Authorization", "user-agent", "Content-Type", "X-Trace",
                          "anthropic-version", "ACCEPT"])
_VALUES = st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=20)


_URLS = st.sampled_from([
    "http://127.0.0.1:9/v1/chat/completions",
    "http://triager:s3cret@127.0.0.1:9/v1/chat/completions",
    "https://api.example.org/v1/messages?beta=true",
])


@settings(max_examples=80, deadline=None)
@given(url=_URLS, payload=st.dictionaries(st.text(), _JSON, max_size=4),
       headers=st.dictionaries(_NAMES, _VALUES, max_size=4))
def test_a_request_is_the_one_the_client_would_have_sent(
    url: str, payload: dict[str, Any], headers: dict[str, str]
) -> None:
    """For any JSON object body (every adapter sends one), URL and headers of the adapter:
    the same method, URL, headers (credentials in the URL included) and body bytes."""
    sent: list[httpx.Request] = []

    def capture(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={})

    async def both() -> httpx.Request:
        ours = LoopClient(12.5, 4).request(url, payload, headers)
        client = httpx.AsyncClient(**client_options(12.5, 4, tls=False),
                                   transport=httpx.MockTransport(capture))
        try:
            await client.post(url, json=payload, headers=headers)
        finally:
            await client.aclose()
        return ours

    ours = asyncio.run(both())
    (theirs,) = sent
    assert ours.method == theirs.method and ours.url == theirs.url
    assert sorted(ours.headers.multi_items()) == sorted(theirs.headers.multi_items())
    assert ours.content == theirs.content
    assert ours.extensions["timeout"] == theirs.extensions["timeout"]


@settings(max_examples=120, deadline=None)
@given(url=_URLS, payloads=st.lists(st.dictionaries(st.text(), _JSON, max_size=4), min_size=1,
                                    max_size=3),
       headers=st.dictionaries(_NAMES | st.sampled_from(["Content-Length", "transfer-encoding"]),
                               _VALUES, max_size=4))
@example(url="http://127.0.0.1:9/v1/chat/completions", payloads=[{"a": "bc"}],
         headers={"Content-Length": "1"})  # a caller's own length that a kept head would hide
def test_the_bytes_sent_are_the_requests_own_whatever_the_body_length(
    url: str, payloads: list[dict[str, Any]], headers: dict[str, str]
) -> None:
    """The kept head, with each body's length put in, is the head of the request built whole,
    call after call on one client (and a caller's own framing headers are never kept)."""
    client = LoopClient(12.5, 4)
    for payload in payloads:
        key, data, make = client.wire(url, payload, headers)
        request = client.request(url, payload, headers)
        assert data == wire_bytes(request)
        assert key == connection_key(request.url)
        assert wire_bytes(make()) == data


@settings(max_examples=150, deadline=None)
@given(content=st.binary(max_size=60) | st.text(max_size=30).map(lambda t: t.encode("utf-8")),
       content_type=st.sampled_from([None, "application/json", "text/plain; charset=latin-1",
                                     "application/json; Charset=UTF-8",
                                     "application/json; charset=no-such-codec",
                                     "application/json;charset=utf-16"]))
def test_a_reply_reads_as_the_text_httpx_gives_it(content: bytes, content_type: str | None
                                                  ) -> None:
    """Whatever the bytes (undecodable ones included) and whatever charset the reply names,
    or none: the text the adapters parse is httpx's ``Response.text`` (or the error it
    raises: UTF-16 without a byte-order mark)."""
    headers = {"Content-Type": content_type} if content_type else {}

    def read(how: Callable[[httpx.Response], str]) -> object:
        try:
            return how(httpx.Response(200, headers=headers, content=content))
        except UnicodeError as exc:
            return type(exc)

    assert read(response_text) == read(lambda r: r.text)
