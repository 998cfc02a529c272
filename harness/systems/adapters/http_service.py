"""``http://…`` / ``https://…``: a triage service that takes a presentation by POST.

The request body is the presentation, ``{"narrative": ..., "findings": {...}}``, the same JSON a
Python function or a subprocess receives. The response body must be the decision object itself.
A 2xx with anything else is an invalid answer; 408, 429 and 5xx are retried; other 4xx are not.

Settings: ``timeout``, ``max_connections``, ``headers`` (fixed, non-secret headers) and
``bearer_token_env`` (an environment variable whose value is sent as a Bearer token).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from backtriage.harness.model import Presentation
from backtriage.harness.redaction import register_secret
from backtriage.harness.systems.adapters.http_common import (
    json_body,
    safe_url,
)
from backtriage.harness.systems.adapters.json_post import JsonPostAdapter
from backtriage.harness.systems.adapters.settings import (
    check_keys,
    mapping_setting,
    number_setting,
    text_setting,
    timeout_setting,
)
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import Reply
from backtriage.harness.systems.spec_errors import SpecError

if TYPE_CHECKING:
    import httpx

_KEYS = {"headers", "bearer_token_env", "max_connections"}
_SECRET_HEADERS = ("authorization", "x-api-key", "api-key", "cookie")


class HttpServiceSystem(JsonPostAdapter):
    """Triage by POSTing each presentation to a URL."""

    def __init__(self, spec: str, settings: Mapping[str, Any]):
        self.url = self._url = spec
        # A URL may carry credentials (user:password@, ?key=...): keep them out of the spec
        # that results, journals and messages show.
        spec = safe_url(spec)
        check_keys(spec, settings, _KEYS)
        self.spec = spec
        headers = mapping_setting(spec, settings, "headers")
        if any(h.lower() in _SECRET_HEADERS for h in headers):
            raise SpecError(spec, "credentials do not belong in adapter.headers (a config "
                                  "file); use bearer_token_env to read a token from the "
                                  "environment")
        self._headers = {str(k): str(v) for k, v in headers.items()}
        self._public_headers = dict(self._headers)
        token_env = text_setting(spec, settings, "bearer_token_env")
        if token_env:
            token = os.environ.get(token_env)
            if not token:
                raise SpecError(spec, f"adapter.bearer_token_env names {token_env}, "
                                      "which is not set")
            register_secret(token)
            self._headers["Authorization"] = f"Bearer {token}"
        self.timeout = timeout_setting(spec, settings)
        connections = number_setting(spec, settings, "max_connections", 64, 1, integer=True)
        self._connect(spec, self.timeout, connections)

    def request_body(self, presentation: Presentation) -> Any:
        """The presentation itself: narrative and findings."""
        return presentation.to_dict()

    def _reply(self, response: httpx.Response) -> Reply:
        """The decision read from a 2xx response."""
        raw = response.text
        return Reply(decision_from_obj(json_body(response), raw=raw), raw=raw,
                     metadata={"status": response.status_code})

    def describe(self) -> dict[str, Any]:
        """The URL (credentials removed) and the fixed headers."""
        return {"kind": "http", "url": self.spec, "headers": self._public_headers}


def from_spec(spec: str, settings: Mapping[str, Any]) -> HttpServiceSystem:
    """Build the adapter for an ``http://`` or ``https://`` URL."""
    return HttpServiceSystem(spec, settings)
