"""``anthropic:MODEL``: the Anthropic Messages API.

Settings (config ``adapter:`` mapping, then environment, then default):

- ``base_url``: ``ANTHROPIC_BASE_URL``, else ``https://api.anthropic.com``;
- API key: the environment variable ``ANTHROPIC_API_KEY`` (or the one ``api_key_env`` names),
  sent as ``x-api-key``; required only for api.anthropic.com;
- ``temperature`` (0), ``max_tokens`` (1024), ``top_p`` (unset), ``params`` (extra body fields);
- ``structured_output``: ``tool`` (default: the decision is the input of a forced tool call
  whose input schema is the decision) or ``none`` (the JSON object as text);
- ``prompt_template``, ``timeout``, ``max_connections``, ``anthropic_version``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from backtriage.harness.model import Presentation
from backtriage.harness.systems.adapters.free_text import free_text_mode
from backtriage.harness.systems.adapters.http_common import (
    join_url,
    json_body,
    safe_url,
)
from backtriage.harness.systems.adapters.json_post import JsonPostAdapter
from backtriage.harness.systems.adapters.llm_reply import decision_from_text
from backtriage.harness.systems.adapters.prompt import (
    PromptTemplate,
    decision_json_schema,
    load_template,
)
from backtriage.harness.systems.adapters.settings import (
    api_key,
    check_keys,
    choice_setting,
    mapping_setting,
    number_setting,
    text_setting,
    timeout_setting,
    top_p_setting,
)
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import InvalidAnswer, Reply
from backtriage.harness.systems.spec_errors import SpecError

if TYPE_CHECKING:
    import httpx

DEFAULT_BASE_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
TOOL_NAME = "record_triage_decision"
STRUCTURED_MODES = ("tool", "none")
_KEYS = {"base_url", "api_key_env", "temperature", "max_tokens", "top_p", "params",
         "structured_output", "prompt_template", "max_connections", "anthropic_version",
         "answer_format", "extractor"}


class AnthropicMessagesSystem(JsonPostAdapter):
    """Triage by a Claude model through the Messages API."""

    def __init__(self, spec: str, settings: Mapping[str, Any]):
        check_keys(spec, settings, _KEYS)
        self.spec = spec
        self.model = spec.removeprefix("anthropic:")
        if not self.model:
            raise SpecError(spec, "expected anthropic:MODEL, e.g. anthropic:claude-sonnet-4-5")
        self.base_url = text_setting(spec, settings, "base_url", "ANTHROPIC_BASE_URL",
                                     DEFAULT_BASE_URL) or DEFAULT_BASE_URL
        key = api_key(spec, settings, "ANTHROPIC_API_KEY")
        if key is None and urlsplit(self.base_url).hostname == "api.anthropic.com":
            raise SpecError(spec, "set ANTHROPIC_API_KEY in the environment (or "
                                  "ANTHROPIC_BASE_URL for a compatible local server)")
        version = text_setting(spec, settings, "anthropic_version", None, API_VERSION)
        self._headers = {"anthropic-version": version or API_VERSION}
        if key:
            self._headers["x-api-key"] = key
        self.temperature = number_setting(spec, settings, "temperature", 0.0)
        self.max_tokens = number_setting(spec, settings, "max_tokens", 1024, 1, integer=True)
        self.top_p = top_p_setting(spec, settings)
        self.params = mapping_setting(spec, settings, "params")
        self.structured = choice_setting(spec, settings, "structured_output", STRUCTURED_MODES,
                                         "tool")
        self.template: PromptTemplate = load_template(
            spec, text_setting(spec, settings, "prompt_template")
        )
        self.free_text = free_text_mode(spec, settings)
        self.timeout = timeout_setting(spec, settings)
        connections = number_setting(spec, settings, "max_connections", 64, 1, integer=True)
        self._url = join_url(self.base_url, "v1/messages")
        self._connect(spec, self.timeout, connections)

    def request_body(self, presentation: Presentation) -> dict[str, Any]:
        """The JSON body sent for one presentation."""
        system, user = (self.free_text.render(presentation) if self.free_text
                        else self.template.render(presentation))
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "messages": [{"role": "user", "content": user}],
        }
        if system:
            body["system"] = system
        if self.structured == "tool" and not self.free_text:
            body["tools"] = [{
                "name": TOOL_NAME,
                "description": "Record the triage decision for this presentation.",
                "input_schema": decision_json_schema(),
            }]
            body["tool_choice"] = {"type": "tool", "name": TOOL_NAME}
        if self.top_p is not None:
            body["top_p"] = self.top_p
        return {**body, **self.params}

    def _reply(self, response: httpx.Response) -> Reply:
        """The reply read from a 2xx response."""
        data = json_body(response)
        blocks = data.get("content") if isinstance(data, dict) else None
        if not isinstance(blocks, list):
            raise InvalidAnswer("response has no content blocks", raw=response.text[:4000])
        text = "".join(b.get("text", "") for b in blocks
                       if isinstance(b, dict) and b.get("type") == "text")
        stop_reason = data.get("stop_reason")
        metadata = {k: v for k, v in {"model": data.get("model"), "stop_reason": stop_reason,
                                      "usage": data.get("usage")}.items() if v}
        if stop_reason == "max_tokens":
            raise InvalidAnswer("reply cut off at max_tokens", raw=text or response.text[:4000])
        if self.free_text:
            decision, extracted = self.free_text.read(text)
            return Reply(decision, raw=text, metadata={**metadata, **extracted})
        if self.structured == "tool":
            calls = [b for b in blocks if isinstance(b, dict) and b.get("type") == "tool_use"
                     and b.get("name") == TOOL_NAME]
            if len(calls) != 1:
                raise InvalidAnswer(f"expected one {TOOL_NAME} tool call, got {len(calls)}",
                                    raw=text or response.text[:4000])
            raw = json.dumps(calls[0].get("input"), ensure_ascii=False)
            return Reply(decision_from_obj(calls[0].get("input"), raw=raw), raw=raw,
                         metadata=metadata)
        return Reply(decision_from_text(text), raw=text, metadata=metadata)

    def describe(self) -> dict[str, Any]:
        """Everything that shapes an answer, never the key."""
        return {
            "kind": "anthropic",
            "model": self.model,
            "base_url": safe_url(self.base_url),
            **(self.free_text.describe() if self.free_text else {
                "prompt_template": self.template.describe(),
                "structured_output": self.structured,
            }),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "anthropic_version": self._headers["anthropic-version"],
            "params": self.params,
            # Only when set, so caches keyed before top_p existed still match.
            **({"top_p": self.top_p} if self.top_p is not None else {}),
        }


def from_spec(spec: str, settings: Mapping[str, Any]) -> AnthropicMessagesSystem:
    """Build the adapter for ``anthropic:MODEL``."""
    return AnthropicMessagesSystem(spec, settings)
