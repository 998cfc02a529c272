"""The table of vignettes: one row per run and vignette, each opening to the whole case.

Rows carry ``data-*`` flags (``wrong``, ``miss``, ``error``) that the page's filter buttons read.
A row opens (``<details>``) to the narrative, expected against answered decision, the deciding
sentences where the answer records them, the system's rationale, the vignette's rationale and
sources, and the raw answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backtriage.scoring import outcomes as oc
from backtriage.scoring.reports.common import WORST_ORDER
from backtriage.scoring.reports.html.markup import el, esc, join, words
from backtriage.scoring.reports.html.runs import RunView
from backtriage.scoring.reports.html.tables import swatch

MISS_OUTCOMES = frozenset(
    {oc.CRITICAL_MISS, oc.MAJOR_MISS, oc.MINOR_UNDER_TRIAGE, oc.MISSED_IMAGING}
)
"""Outcomes that make a row a miss: the answer fell short of the care the case needs."""

KNOWN_ANSWER_KEYS = frozenset(
    {
        "vignette_id",
        "epoch",
        "decision",
        "error",
        "raw",
        "attempts",
        "seconds",
        "metadata",
        "cached",
        "final",
    }
)
"""Answer-record keys shown in their own places; any other key is shown as it is."""

DECISION_FIELDS = (
    "urgency",
    "imaging",
    "category",
    "suspected_conditions",
    "safety_net",
    "questions",
)
"""Decision fields compared in the expected-against-answered table."""

_SCORED = ("urgency", "imaging", "category")


def is_miss(entry: Mapping[str, Any]) -> bool:
    """True when the vignette's outcomes include an under-triage or a missed scan."""
    return any(o in MISS_OUTCOMES for o in entry["outcomes"])


def is_error(entry: Mapping[str, Any]) -> bool:
    """True when any epoch's answer was an error."""
    return oc.ERROR in entry["outcomes"] or any(a.get("decision") is None for a in entry["answers"])


def _severity(entry: Mapping[str, Any]) -> tuple[int, str]:
    known = [WORST_ORDER.index(o) for o in entry["outcomes"] if o in WORST_ORDER]
    unknown = len(WORST_ORDER) if entry["outcomes"] else len(WORST_ORDER) + 1
    return (min(known, default=unknown), entry["id"])


def vignette_table(runs: Sequence[RunView]) -> str:
    """Every run's vignettes, worst first within each run."""
    head = el(
        "div",
        join(
            el("span", t) for t in ("run", "vignette", "status", "expected", "answered", "outcomes")
        ),
        class_="vhead",
    )
    rows = [
        _row(run, entry)
        for run in runs
        for entry in sorted(run.document["vignettes"], key=_severity)
    ]
    return el("div", head + join(rows), class_="vtable", id="vignettes")


def _row(run: RunView, entry: Mapping[str, Any]) -> str:
    summary = el(
        "summary",
        el("span", swatch(run) + esc(run.label), class_="c-run", title=run.label)
        + el("span", el("code", esc(entry["id"])), class_="c-id")
        + el("span", esc(entry["label_status"]), class_="c-status")
        + el("span", esc(_short(entry["expected"])), class_="c-expected")
        + el("span", esc(_answered_short(entry)), class_="c-answered")
        + el("span", _badges(entry["outcomes"]), class_="c-outcomes"),
    )
    return el(
        "details",
        summary + el("div", _body(run, entry), class_="vbody"),
        class_="vrow",
        data_run=run.index,
        data_id=entry["id"],
        data_wrong=int(bool(entry["outcomes"])),
        data_miss=int(is_miss(entry)),
        data_error=int(is_error(entry)),
    )


def _short(decision: Mapping[str, Any]) -> str:
    return f"{words(decision['urgency'])} / {decision['imaging']}"


def _answered_short(entry: Mapping[str, Any]) -> str:
    texts = [
        _short(a["decision"]) if a.get("decision") is not None else "error"
        for a in entry["answers"]
    ]
    if len(set(texts)) == 1:
        return texts[0] + (f" (×{len(texts)})" if len(texts) > 1 else "")
    return "; ".join(texts)


def _badges(outcomes: Sequence[str]) -> str:
    if not outcomes:
        return el("span", "acceptable", class_="badge ok")
    return join(
        el(
            "span",
            esc(words(o)),
            class_=f"badge {'miss' if o in MISS_OUTCOMES else 'warn'}"
            + (" error" if o == oc.ERROR else ""),
        )
        for o in outcomes
    )


def _body(run: RunView, entry: Mapping[str, Any]) -> str:
    parts = [el("h4", "Narrative"), _narrative(run, entry["id"])]
    parts += [el("h4", "Expected against answered"), _decision_table(entry)]
    for answer in entry["answers"]:
        parts.append(_answer(answer, len(entry["answers"])))
    if entry.get("rationale"):
        parts += [el("h4", "Why the expected decision"), el("p", esc(entry["rationale"]))]
    parts += [el("h4", "Sources"), _sources(entry)]
    return join(parts)


def _narrative(run: RunView, vid: str) -> str:
    text = run.texts.narratives.get(vid)
    if text is not None:
        return el("blockquote", esc(text), class_="narrative")
    if vid in run.texts.changed:
        why = (
            f"not shown: the vignette in {run.texts.corpus} differs from the one this run "
            "answered (content hash changed)"
        )
    elif vid in run.texts.absent:
        why = f"not shown: {run.texts.corpus} has no vignette with this id"
    elif run.texts.unreadable:
        why = f"not shown: {run.texts.unreadable}"
    else:
        why = "not shown: no corpus was read for this run"
    return el("p", esc(why), class_="muted")


def _decision_table(entry: Mapping[str, Any]) -> str:
    expected = entry["expected"]
    acceptable = entry.get("acceptable") or {}
    answers = entry["answers"]
    heads = ["", "expected", "also acceptable"] + [
        "answered" if len(answers) == 1 else f"epoch {a['epoch']}" for a in answers
    ]
    rows = []
    for name in DECISION_FIELDS:
        values = [a["decision"].get(name) if a.get("decision") else None for a in answers]
        if (
            name in ("safety_net", "questions")
            and expected.get(name) is None
            and all(v is None for v in values)
        ):
            continue
        cells = [
            el("th", esc(words(name)), scope="row"),
            el("td", esc(_value_text(expected.get(name)))),
            el("td", esc(", ".join(acceptable.get(name, ())) or "—")),
        ]
        for a in answers:
            if a.get("decision") is None:
                cells.append(el("td", "error", class_="bad"))
                continue
            value = a["decision"].get(name)
            cells.append(el("td", esc(_value_text(value)), class_=_agreement(name, value, entry)))
        rows.append(el("tr", join(cells)))
    head = el("tr", join(el("th", esc(h), scope="col") for h in heads))
    return el("table", el("thead", head) + el("tbody", join(rows)), class_="decision")


def _value_text(value: Any) -> str:
    if value is None:
        return "not reported"
    if isinstance(value, list | tuple):
        return ", ".join(words(str(v)) for v in value) or "none"
    return words(str(value))


def _agreement(name: str, value: Any, entry: Mapping[str, Any]) -> str | None:
    expected = entry["expected"]
    if name in _SCORED:
        accepted = {expected[name], *(entry.get("acceptable") or {}).get(name, ())}
        return "good" if value in accepted else "bad"
    if name == "suspected_conditions":
        return "good" if set(expected.get(name, ())) <= set(value or ()) else "bad"
    return None


def _answer(answer: Mapping[str, Any], n_answers: int) -> str:
    title = "Answer" if n_answers == 1 else f"Answer, epoch {answer['epoch']}"
    facts = [f"{answer.get('seconds', 0):.2f} s"]
    attempts = answer.get("attempts") or []
    if len(attempts) > 1:
        facts.append(f"{len(attempts)} attempts")
    if answer.get("cached"):
        facts.append("from the cache")
    parts = [el("h4", esc(title) + " " + el("span", esc(" · ".join(facts)), class_="muted"))]
    if answer.get("error"):
        parts.append(
            el("p", el("strong", "Error: ") + el("span", esc(answer["error"]), class_="error-text"))
        )
    decision = answer.get("decision") or {}
    if decision.get("rationale"):
        parts.append(el("p", el("strong", "System's rationale: ") + esc(decision["rationale"])))
    metadata = dict(answer.get("metadata") or {})
    extraction = metadata.get("extraction")
    if isinstance(extraction, Mapping) and isinstance(extraction.get("evidence"), Mapping):
        parts.append(deciding_sentences(extraction, decision))
        del metadata["extraction"]
    for key in sorted(k for k in answer if k not in KNOWN_ANSWER_KEYS):
        if answer[key] not in (None, False, "", [], {}):  # an unset flag says nothing
            parts.append(_extra(key, answer[key]))
    raw = answer.get("raw")
    parts.append(el("p", el("strong", "Raw answer")))
    parts.append(
        el("pre", esc(raw), class_="raw")
        if raw is not None
        else el("p", "the system returned no raw text", class_="muted")
    )
    if metadata:
        parts.append(
            el("details", el("summary", "metadata") + render_value(metadata), class_="metadata")
        )
    return el("section", join(parts), class_="answer", data_epoch=answer.get("epoch"))


def deciding_sentences(extraction: Mapping[str, Any], decision: Mapping[str, Any]) -> str:
    """The sentence of the answer that decided each extracted field (``metadata.extraction``).

    A field without a sentence took the extractor's default (imaging never mentioned is
    ``none``; no warning sign named is an empty list), which the table says.
    """
    evidence: Mapping[str, Any] = extraction["evidence"]
    names = [f for f in DECISION_FIELDS if f in evidence] + [
        f for f in evidence if f not in DECISION_FIELDS
    ]
    rows = [
        el(
            "tr",
            el("th", esc(words(name)), scope="row")
            + el("td", esc(_value_text(decision.get(name))) if decision else "—")
            + _sentence_cell(evidence[name]),
            data_field=name,
        )
        for name in names
    ]
    head = el(
        "tr", join(el("th", t, scope="col") for t in ("field", "read as", "deciding sentence"))
    )
    extractor = extraction.get("extractor")
    title = "Deciding sentences" + (f" (extractor {extractor})" if extractor else "")
    if not rows:
        return el("p", el("strong", esc(title)) + ": none recorded", class_="muted")
    return el(
        "div",
        el("p", el("strong", esc(title)))
        + el("table", el("thead", head) + el("tbody", join(rows)), class_="deciding"),
        class_="evidence",
        data_field="extraction",
    )


def _sentence_cell(sentence: Any) -> str:
    if not sentence:
        return el("td", "no sentence: the extractor's default", class_="muted")
    if isinstance(sentence, str):
        # The extractor joins the sentences of several topics with " | ": one quote each.
        quotes = [el("q", esc(part.strip())) for part in sentence.split(" | ") if part.strip()]
        return el("td", "<br>".join(quotes), class_="sentence")
    return el("td", render_value(sentence), class_="sentence")


def _extra(key: str, value: Any) -> str:
    evidence = "evidence" in key or "sentence" in key
    title = "Deciding sentences" if evidence else words(key).capitalize()
    return el(
        "div",
        el("p", el("strong", esc(title))) + render_value(value),
        class_="evidence" if evidence else "extra",
        data_field=key,
    )


def render_value(value: Any) -> str:
    """Show any JSON value readably: objects as term lists, lists as lists, text as text."""
    if isinstance(value, Mapping):
        if not value:
            return el("span", "—", class_="muted")
        return el(
            "dl",
            join(
                el("dt", esc(words(str(k)))) + el("dd", render_value(v)) for k, v in value.items()
            ),
        )
    if isinstance(value, list | tuple):
        if not value:
            return el("span", "none", class_="muted")
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return el("span", esc(", ".join(str(v) for v in value)))
        return el("ul", join(el("li", render_value(v)) for v in value))
    if value is None:
        return el("span", "—", class_="muted")
    if isinstance(value, str):
        return el("span", esc(value), class_="text")
    return el("span", esc(value))


def source_anchor(source_id: str) -> str:
    """The id of a source's entry in the page's list of sources."""
    return "source-" + "".join(c if c.isalnum() or c in "-_" else "_" for c in source_id)


def _sources(entry: Mapping[str, Any]) -> str:
    sources = entry.get("sources") or []
    if not sources:
        return el("p", "none recorded", class_="muted")
    items = [
        el(
            "li",
            el("a", el("code", esc(c["id"])), href="#" + source_anchor(c["id"]))
            + (f", {esc(c['section'])}" if c.get("section") else ""),
        )
        for c in sources
    ]
    return el("ul", join(items), class_="sources")


def sources_list(runs: Sequence[RunView]) -> str:
    """Every source the runs' vignettes cite, once, with its citation and links."""
    cited: dict[str, Mapping[str, Any]] = {}
    for run in runs:
        for entry in run.document["vignettes"]:
            for c in entry.get("sources") or []:
                if c["id"] not in cited or not cited[c["id"]]:
                    cited[c["id"]] = run.texts.citations.get(c["id"], {})
    if not cited:
        return el("p", "No vignette cites a source.", class_="muted")
    items = []
    for sid in sorted(cited):
        entry = cited[sid]
        text = el("code", esc(sid))
        text += (
            " — " + esc(entry["citation"])
            if entry.get("citation")
            else " — " + el("span", "not in the bibliography read", class_="muted")
        )
        links = [u for u in entry.get("urls", ()) if str(u).startswith(("https://", "http://"))]
        text += join(
            " " + el("a", esc(u), href=u, rel="noreferrer noopener", class_="source-link")
            for u in links
        )
        items.append(el("li", text, id=source_anchor(sid)))
    return el("ul", join(items), class_="bibliography")
