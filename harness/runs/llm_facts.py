"""What an LLM run was asked and what it cost: one rendered prompt, and token totals.

Both go into ``results.json`` so a reader can see the exact wording a model saw (with the
template's hash, which changes with any edit) and the tokens the run used, without a provider's
dashboard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from backtriage.harness.engine import AnswerRecord
from backtriage.harness.model import Vignette
from backtriage.harness.systems.adapters.prompt import PromptTemplate
from backtriage.harness.systems.protocol import TriageSystem

INPUT_FIELDS = ("prompt_tokens", "input_tokens")
"""Usage fields counting tokens sent (OpenAI-compatible, Anthropic)."""
OUTPUT_FIELDS = ("completion_tokens", "output_tokens")
"""Usage fields counting tokens generated."""


def prompt_facts(system: TriageSystem, vignettes: Iterable[Vignette]) -> dict[str, Any] | None:
    """The prompt template's identity and the prompt rendered for the first vignette.

    ``None`` for a system that sends no templated prompt (reference, baselines, python:, cmd:).
    Only the presentation is rendered, never a label: it is what the model saw.
    """
    template = getattr(system, "template", None)
    if not isinstance(template, PromptTemplate):
        return None
    first = next(iter(vignettes), None)
    facts: dict[str, Any] = {"template": template.describe()}
    if first is not None:
        system_text, user_text = template.render(first.presentation)
        facts["example"] = {"vignette_id": first.id, "system": system_text, "user": user_text}
    return facts


def _numbers(usage: Mapping[str, Any]) -> dict[str, int]:
    return {
        k: v for k, v in usage.items() if isinstance(v, int) and not isinstance(v, bool) and v >= 0
    }


def token_totals(records: Iterable[AnswerRecord]) -> dict[str, Any] | None:
    """Sum the token usage the adapters reported, over every answer of the run.

    Returns ``None`` when no answer reported usage. ``input_tokens`` and ``output_tokens`` are
    read from either provider's field names; ``fields`` sums every numeric field as reported.
    Answers served from the cache are counted apart (``cached``): they cost nothing this time.
    """
    fields: dict[str, int] = {}
    reporting = cached_reporting = 0
    totals = {"input_tokens": 0, "output_tokens": 0}
    cached = {"input_tokens": 0, "output_tokens": 0}
    for record in records:
        usage = record.metadata.get("usage") if isinstance(record.metadata, Mapping) else None
        if not isinstance(usage, Mapping):
            continue
        numbers = _numbers(usage)
        sent = next((numbers[f] for f in INPUT_FIELDS if f in numbers), 0)
        made = next((numbers[f] for f in OUTPUT_FIELDS if f in numbers), 0)
        if record.cached:
            cached_reporting += 1
            cached["input_tokens"] += sent
            cached["output_tokens"] += made
            continue
        reporting += 1
        totals["input_tokens"] += sent
        totals["output_tokens"] += made
        for key, value in numbers.items():
            fields[key] = fields.get(key, 0) + value
    if not reporting and not cached_reporting:
        return None
    return {
        "answers_reporting": reporting,
        **totals,
        "total_tokens": totals["input_tokens"] + totals["output_tokens"],
        "fields": fields,
        "cached": {"answers_reporting": cached_reporting, **cached},
    }
