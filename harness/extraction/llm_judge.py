"""An optional LLM judge extractor (``llm:openai:MODEL``) on the OpenAI-compatible adapter.

The judge reads the answer (sent where the case would go, with the bundled ``judge-v1``
prompt) and fills in the decision vocabulary; its reply is validated as strictly as any
system's, and it quotes the sentence that decided the urgency. It is validated on the same
labelled set as the rules (``backtriage extractor-check --extractor llm:openai:MODEL``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from backtriage.harness.extraction.extraction import (
    Extraction,
    ExtractionFailed,
    ExtractorUnavailable,
)
from backtriage.harness.model import Presentation
from backtriage.harness.systems.protocol import InvalidAnswer, SystemFailure, TransientError

_JUDGE_TEMPLATE = "judge-v1"
_TRIES = 3
_BACKOFF_SECONDS = 0.5
_NOT_PASSED = ("answer_format", "extractor", "prompt_template")


class LLMJudgeExtractor:
    """Reads prose with an OpenAI-compatible model; an unmappable answer is an error."""

    def __init__(self, spec: str, settings: Mapping[str, Any]):
        from backtriage.harness.systems.adapters.openai_chat import OpenAIChatSystem
        from backtriage.harness.systems.adapters.prompt import load_bundled

        model_spec = spec.removeprefix("llm:")
        own = {k: v for k, v in settings.items() if k not in _NOT_PASSED}
        self._system = OpenAIChatSystem(model_spec, {"structured_output": "json_object", **own})
        self._system.template = load_bundled(model_spec, _JUDGE_TEMPLATE)
        self.name = f"{spec} ({_JUDGE_TEMPLATE})"

    def extract(self, answer: str) -> Extraction:
        """Ask the judge to read ``answer``.

        Raises:
            ExtractionFailed: empty answer, an unmappable answer, or an invalid judge reply.
        """
        if not isinstance(answer, str) or not answer.strip():
            raise ExtractionFailed("empty answer", raw=answer if isinstance(answer, str) else None)
        try:
            reply = self._ask(answer)
        except InvalidAnswer as exc:
            if exc.raw and _unmappable(exc.raw):
                raise ExtractionFailed("judge: the answer recommends no urgency",
                                       raw=answer) from None
            raise ExtractionFailed(f"judge reply invalid: {exc}", raw=answer) from None
        except SystemFailure as exc:
            raise ExtractorUnavailable(f"judge unreachable: {exc}",
                                       endpoint=self._system.base_url) from None
        decision = reply.decision
        return Extraction(
            decision=type(decision)(
                decision.urgency, decision.imaging, decision.category,
                decision.suspected_conditions, None, decision.safety_net or (),
                decision.questions or ()),
            evidence={"urgency": decision.rationale},
            extractor=self.name,
        )

    def _ask(self, answer: str) -> Any:
        # A judge that times out or is busy is asked again; failing that, there is no verdict.
        for attempt in range(_TRIES):
            try:
                return self._system.triage(Presentation(answer, MappingProxyType({})))
            except TransientError:
                if attempt == _TRIES - 1:
                    raise
                time.sleep(_BACKOFF_SECONDS * 2 ** attempt)
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the judge's connection pool."""
        self._system.close()


def _unmappable(raw: str) -> bool:
    try:
        obj = json.loads(raw)
    except ValueError:
        return False
    return isinstance(obj, dict) and obj.get("unmappable") is True
