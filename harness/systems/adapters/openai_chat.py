"""``openai:MODEL``: any OpenAI-compatible chat completions server.

That covers OpenAI itself, vLLM, llama.cpp's server, Ollama, LM Studio and similar.

Settings (config ``adapter:`` mapping, then environment, then default):

- ``base_url``: ``OPENAI_BASE_URL``, else ``https://api.openai.com/v1``;
- API key: the environment variable ``OPENAI_API_KEY`` (or the one ``api_key_env`` names); sent
  as a Bearer token when set; required only for api.openai.com;
- ``temperature`` (0), ``max_tokens`` (1024), ``seed`` (unset), ``top_p`` (unset), ``params``
  (extra body fields);
- ``structured_output``: ``json_schema`` (default; strict schema), ``json_object``, or ``none``
  for servers that support neither;
- ``prompt_template``: a template file replacing the bundled ``triage-v2``;
- ``answer_format``: ``json`` (default) or ``text`` (free text read by the extractor named
  by ``extractor``, see ``free_text``);
- ``timeout`` and ``max_connections``.
"""

from __future__ import annotations

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
from backtriage.harness.systems.protocol import InvalidAnswer, Reply
from backtriage.harness.systems.spec_errors import SpecError

if TYPE_CHECKING:
    import httpx

DEFAULT_BASE_URL = "https://api.openai.com/v1"
STRUCTURED_MODES = ("json_schema", "json_object", "none")
_KEYS = {"base_url", "api_key_env", "temperature", "max_tokens", "seed", "top_p", "params",
         "structured_output", "prompt_template", "answer_format", "extractor", "max_connections"}


class OpenAIChatSystem(JsonPostAdapter):
    """Triage by an OpenAI-compatible chat model."""

    def __init__(self, spec: str, settings: Mapping[str, Any]):
        check_keys(spec, settings, _KEYS)
        self.spec = spec
        self.model = spec.removeprefix("openai:")
        if not self.model:
            raise SpecError(spec, "expected openai:MODEL, e.g. openai:gpt-4o-mini")
        self.base_url = text_setting(spec, settings, "base_url", "OPENAI_BASE_URL",
                                     DEFAULT_BASE_URL) or DEFAULT_BASE_URL
        key = api_key(spec, settings, "OPENAI_API_KEY")
        if key is None and urlsplit(self.base_url).hostname == "api.openai.com":
            raise SpecError(spec, "set OPENAI_API_KEY in the environment (or OPENAI_BASE_URL "
                                  "for a local server)")
        self._headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.temperature = number_setting(spec, settings, "temperature", 0.0)
        self.max_tokens = number_setting(spec, settings, "max_tokens", 1024, 1, integer=True)
        self.seed = number_setting(spec, settings, "seed", None, integer=True,
                                   maximum=2**63 - 1)
        self.top_p = top_p_setting(spec, settings)
        self.params = mapping_setting(spec, settings, "params")
        self.structured = choice_setting(spec, settings, "structured_output", STRUCTURED_MODES,
                                         "json_schema")
        self.template: PromptTemplate = load_template(
            spec, text_setting(spec, settings, "prompt_template")
        )
        self.free_text = free_text_mode(spec, settings)
        self.timeout = timeout_setting(spec, settings)
        connections = number_setting(spec, settings, "max_connections", 64, 1, integer=True)
        self._url = join_url(self.base_url, "chat/completions")
        # Built once: the same for every call (httpx only reads it).
        self._response_format: dict[str, Any] | None = (
            None if self.free_text or self.structured == "none"
            else {"type": "json_object"} if self.structured == "json_object"
            else {"type": "json_schema",
                  "json_schema": {"name": "triage_decision", "strict": True,
                                  "schema": decision_json_schema()}}
        )
        self._connect(spec, self.timeout, connections)

    def request_body(self, presentation: Presentation) -> dict[str, Any]:
        """The JSON body sent for one presentation."""
        system, user = (self.free_text.render(presentation) if self.free_text
                        else self.template.render(presentation))
        messages = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "user", "content": user}
        ]
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
        }
        if self.seed is not None:
            body["seed"] = self.seed
        if self._response_format is not None:  # free text: no format forced on the model
            body["response_format"] = self._response_format
        if self.top_p is not None:
            body["top_p"] = self.top_p
        return {**body, **self.params}

    def _reply(self, response: httpx.Response) -> Reply:
        """The reply read from a 2xx response."""
        data = json_body(response)
        try:
            choice = data["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            choice = message = None
        if not isinstance(choice, dict) or not isinstance(message, dict):
            raise InvalidAnswer("response has no choices[0].message",
                                raw=response.text[:4000])
        content = message.get("content")
        if message.get("refusal"):
            raise InvalidAnswer("the model refused", raw=str(message["refusal"]))
        if choice.get("finish_reason") == "length":
            raise InvalidAnswer("reply cut off at max_tokens",
                                raw=content if isinstance(content, str) else None)
        extracted: dict[str, Any] = {}
        if self.free_text:
            decision, extracted = self.free_text.read(content)
        else:
            decision = decision_from_text(content)
        metadata = {
            "model": data.get("model"),
            "finish_reason": choice.get("finish_reason"),
            "usage": data.get("usage"),
        }
        return Reply(decision, raw=content,
                     metadata={**{k: v for k, v in metadata.items() if v}, **extracted})

    def describe(self) -> dict[str, Any]:
        """Everything that shapes an answer, never the key."""
        return {
            "kind": "openai",
            "model": self.model,
            "base_url": safe_url(self.base_url),
            **(self.free_text.describe() if self.free_text else {
                "prompt_template": self.template.describe(),
                "structured_output": self.structured,
            }),
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "params": self.params,
            # Only when set, so caches keyed before top_p existed still match.
            **({"top_p": self.top_p} if self.top_p is not None else {}),
        }


def from_spec(spec: str, settings: Mapping[str, Any]) -> OpenAIChatSystem:
    """Build the adapter for ``openai:MODEL``."""
    return OpenAIChatSystem(spec, settings)
