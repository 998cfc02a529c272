"""Small helpers the report formats share: ordering the worst vignettes, describing answers."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from backtriage.scoring import outcomes as oc

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile("\r\n|[\r\n\u0085\u2028\u2029]")
_TAG_OPEN = re.compile(r"<(?=[A-Za-z/!?])")
_ENTITY_START = re.compile(r"&(?=[A-Za-z#])")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

WORST_ORDER = (
    oc.ERROR,
    oc.CRITICAL_MISS,
    oc.MAJOR_MISS,
    oc.MISSED_IMAGING,
    oc.WRONG_MODALITY,
    oc.MINOR_UNDER_TRIAGE,
    oc.OVER_IMAGING,
    oc.OVER_TRIAGE,
    oc.MISSING_SAFETY_NET,
)
"""Outcomes from the one a reader must see first to the least pressing."""


def worst_vignettes(vignettes: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Return the vignettes with an outcome, worst first, then by id."""
    bad = [v for v in vignettes if v["outcomes"]]
    return sorted(bad, key=lambda v: (min(WORST_ORDER.index(o) for o in v["outcomes"]), v["id"]))


def shown_outcomes(vignette: Mapping[str, Any]) -> list[str]:
    """The outcomes of a results entry as a reader should see them.

    A vignette whose system failed (an exception, a timeout, an invalid answer) is named
    ``error``: the tiers an error also counts in (it fails closed, so ``over_triage`` or a
    miss) are how it is scored, not what happened.
    """
    answers = vignette.get("answers") or []
    errored = sum(1 for a in answers if a.get("decision") is None)
    if errored:
        if errored == len(answers):
            return [oc.ERROR]
        return [f"{oc.ERROR} ({errored} of {len(answers)})"]
    return list(vignette["outcomes"])


def outcome_text(vignette: Mapping[str, Any]) -> str:
    """:func:`shown_outcomes` as a comma-separated list."""
    return ", ".join(shown_outcomes(vignette))


def first_error(vignettes: Sequence[Mapping[str, Any]]) -> str | None:
    """The first failed answer of a run, with its traceback when the system raised."""
    for vignette in vignettes:
        for answer in vignette.get("answers") or []:
            if answer.get("decision") is None and answer.get("error"):
                head = (f"first error: vignette {vignette['id']}, epoch {answer['epoch']}: "
                        f"{answer['error']}")
                trace = answer.get("traceback")
                return f"{head}\n{trace}" if trace else head
    return None


def decision_text(decision: Mapping[str, Any] | None, error: str | None = None) -> str:
    """Describe a decision as ``urgency / imaging / category [conditions]``, or the error."""
    if decision is None:
        return f"error: {error or 'no answer'}"
    conditions = ", ".join(decision.get("suspected_conditions", ()))
    return f"{decision['urgency']} / {decision['imaging']} / {decision['category']}" + (
        f" [{conditions}]" if conditions else ""
    )


def first_answer_text(vignette: Mapping[str, Any], limit: int = 80) -> str:
    """Describe the first epoch's answer of a results entry, errors shortened to ``limit``."""
    answer = vignette["answers"][0]
    if answer.get("decision") is None:
        return f"error: {(answer.get('error') or '')[:limit]}"
    return decision_text(answer["decision"])


def sources_text(vignette: Mapping[str, Any]) -> str:
    """Cited sources of a results entry as ``id (section); ...``."""
    return "; ".join(
        f"{c['id']} ({c['section']})" if c.get("section") else c["id"]
        for c in vignette.get("sources", ())
    )


def md_escape(text: str) -> str:
    r"""Make text safe inside a Markdown line or table cell.

    Every line break (``\r`` too: a bare one broke a table row) becomes a space, control
    characters go, and a ``<`` that could open a tag (``<script``, ``</``, ``<!``) or an ``&``
    that could start an entity becomes an entity, so text from a system (a rationale, an error)
    can never become raw HTML; ``<=`` in a gate name stays as written.
    """
    text = _LINE_BREAKS.sub(" ", _CONTROL.sub("", text))
    text = text.replace("\\", "\\\\").replace("|", "\\|")
    return _TAG_OPEN.sub("&lt;", _ENTITY_START.sub("&amp;", text))


def md_code(text: str) -> str:
    """Quote text as a Markdown code span (raw HTML is never read inside one)."""
    return "`" + _LINE_BREAKS.sub(" ", _CONTROL.sub("", text)).replace("`", "'") + "`"


def xml_text(text: str) -> str:
    r"""Make text legal XML 1.0 character data: each forbidden character becomes ``\xNN``."""
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def md_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """Render a GitHub-flavoured Markdown table, escaping every cell."""
    head = "| " + " | ".join(md_escape(str(h)) for h in headers) + " |"
    rule = "|" + "|".join("---" for _ in headers) + "|"
    body = ["| " + " | ".join(md_escape(str(c)) for c in row) + " |" for row in rows]
    return "\n".join([head, rule, *body])


def acceptable_text(vignette: Mapping[str, Any]) -> str:
    """The acceptable alternatives of a results entry, or an empty string."""
    acceptable = vignette.get("acceptable") or {}
    return "; ".join(f"{k}: {', '.join(vals)}" for k, vals in acceptable.items() if vals)


def failure_text(vignette: Mapping[str, Any], citations: Mapping[str, str] | None = None) -> str:
    """Explain a wrong or failed answer: outcome, expected and actual decision, why, sources.

    Args:
        vignette: a results entry (``results.json`` ``vignettes[]``).
        citations: source id to its bibliographic citation, to quote beside each source.
    """
    lines = [f"outcome:  {outcome_text(vignette) or 'none'}"]
    expected = decision_text(vignette["expected"])
    accepted = acceptable_text(vignette)
    lines.append(f"expected: {expected}" + (f"  (also acceptable: {accepted})" if accepted else ""))
    answers = vignette["answers"]
    for answer in answers:
        label = "answered" if len(answers) == 1 else f"epoch {answer['epoch']}"
        lines.append(
            f"{label + ':':<9} {decision_text(answer.get('decision'), answer.get('error'))}"
        )
        rationale = (answer.get("decision") or {}).get("rationale")
        if rationale:
            lines.append(f"          system's rationale: {rationale}")
        if answer.get("traceback"):
            lines.append("          " + answer["traceback"].replace("\n", "\n          "))
    if vignette.get("rationale"):
        lines.append(f"why:      {vignette['rationale']}")
    for c in vignette.get("sources", ()):
        cited = f"{c['id']}" + (f", {c['section']}" if c.get("section") else "")
        if citations and c["id"] in citations:
            cited += f" — {citations[c['id']]}"
        lines.append(f"source:   {cited}")
    lines.append(f"label:    {vignette['label_status']}")
    return "\n".join(lines)
