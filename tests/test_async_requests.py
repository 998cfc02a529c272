"""The event-loop adapters build each request as httpx's client would, and send it themselves.

The client's side is captured with httpx's own ``MockTransport``: it is httpx's request under
test here, not a mock of ours.

``apost_json`` hands requests straight to the lean transport (the client's per-request work was
a quarter of the calling loop's CPU); what goes on the wire must not change for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.systems.adapters.async_http import LoopClient
from backtriage.harness.systems.adapters.http_common import client_options

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
