"""Cutting an answer into the clauses the rules read, each with the heading or lead-in above it.

Answers come as one line, as paragraphs, or as articles with headings and bullets. A bullet
inherits the line that introduced it ("Go to A&E if you have:"), and every line inherits the
nearest heading ("When to seek emergency care"), because that context decides whether a
bullet is a recommendation or a warning sign.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BULLET = re.compile(r"^\s*(?:[-*\u2022\u25aa\u25cf\u2013>]+|\(?\d{1,2}[.)]|\(?[a-z][.)])\s+")
_MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
_CLAUSE_BREAK = re.compile(
    # a dash before a denial is a label's value, not a break: "Imaging - none required"
    r"\s*;\s*|\s+[\u2014\u2013-]\s+(?!(?:none|not|no)\b)"
    r"|,\s*(?=(?:and|but|or|so|although|though|whereas)\b)"
    r"|\s+(?=but\b)|\s+(?=(?:and|or)\s+(?:if|in case|should)\b)|,\s*(?=with\b)"
    r"|\s+(?=and\s+(?:[\w']+\s+){1,8}?(?:if|in case|should|unless)\b)"
    r"|\s+(?=and\s+(?:then\s+)?(?:review|book|arrange|refer|ring|phone|contact|attend|seek|"
    r"request|reassess|recheck|admit|discuss)\b)",
    re.IGNORECASE,
)
# "Rest and see your GP if it persists": the condition is the second step's alone, so the
# clause breaks before "and"; "call 999 or go to A&E if ..." shares its condition, so no break
# before "or".
_EMPHASIS = re.compile(r"\*\*|__|`")


@dataclass(frozen=True)
class Clause:
    """One clause of an answer with where it sits.

    Attributes:
        text: the clause, Markdown emphasis removed.
        sentence: the whole sentence it came from (what a report shows as evidence).
        context: the lead-in line of a bullet and the heading above, joined (may be empty).
        is_heading: True for a heading line itself.
        is_question: True when the sentence ends with a question mark.
        index: position in the answer (later clauses have higher numbers).
        sentence_index: position of its sentence (clauses of one sentence share it).
        position: position of the clause within its sentence (0 for the first).
    """

    text: str
    sentence: str
    context: str
    is_heading: bool
    is_question: bool
    index: int
    sentence_index: int = 0
    position: int = 0


def clauses(answer: str) -> list[Clause]:
    """Return the clauses of ``answer`` in reading order."""
    out: list[Clause] = []
    heading = ""
    lead_in = ""
    lines = _join_wrapped([line for line in answer.splitlines() if line.strip()])
    n_sentences = 0
    for raw_line in lines:
        line = _EMPHASIS.sub("", raw_line).strip()
        if not line:
            continue
        is_bullet = bool(_BULLET.match(line))
        line = _BULLET.sub("", line).strip()
        if len(lines) > 1 and _is_heading(raw_line, line, is_bullet):
            heading, lead_in = _MARKDOWN_HEADING.sub("", line).rstrip(":").strip(), ""
            out.append(Clause(heading, heading, "", True, False, len(out), n_sentences))
            n_sentences += 1
            continue
        if not is_bullet:
            lead_in = ""
        context = " / ".join(part for part in (heading, lead_in) if part)
        for sentence in _SENTENCE_END.split(line):
            sentence = sentence.strip()
            if not sentence:
                continue
            question = sentence.rstrip("\"') ").endswith("?")
            parts = [q.strip() for p in _CLAUSE_BREAK.split(sentence) if p and p.strip(" ,.")
                     for q in _split_postposed(p)]
            for position, part in enumerate(parts):
                out.append(Clause(part, sentence, context, False, question, len(out),
                                  n_sentences, position))
            n_sentences += 1
        if line.endswith(":"):
            lead_in = line.rstrip(":")
    return out


_WRAPPED = re.compile(r"^\s*[a-z(]")


def _join_wrapped(lines: list[str]) -> list[str]:
    """Join a sentence wrapped across lines: "problems with the bladder or" + "bowels, they ...".

    A line that goes on in lower case, with no bullet, after a line that is neither a heading
    nor a lead-in, continues that line's sentence; cutting it would cut its condition off.
    """
    out: list[str] = []
    for line in lines:
        if (out and _WRAPPED.match(line) and not _BULLET.match(line)
                and not _MARKDOWN_HEADING.match(out[-1])
                and not out[-1].rstrip().endswith((":", ".", "!", "?"))):
            out[-1] = out[-1].rstrip() + " " + line.strip()
        else:
            out.append(line)
    return out


_POSTPOSED = re.compile(
    r"^(?P<head>.+),\s*(?P<tail>(?!(?:if|unless|when|in case|should)\b)[^,]*\b(?:if|unless)\b"
    r"[^,]*)$",
    re.IGNORECASE,
)
_ANY_CONDITION = re.compile(r"\b(?:if|unless|in case|should you|when|whenever)\b", re.IGNORECASE)


def _split_postposed(part: str) -> list[str]:
    """Split "NSAIDs, keep active, physio if slow": the last item's condition is its own."""
    match = _POSTPOSED.match(part)
    if not match or _ANY_CONDITION.search(match["head"]):
        return [part]
    return [match["head"], match["tail"]]


_CARD_FIELD = re.compile(
    r"^(?:suggested|recommended|recommendation|care level|level of care|disposition|"
    r"next steps?|advice|outcome|triage(?: result| outcome| level)?|action|where to go|"
    r"urgency|what to do|result)\b[^:]{0,25}:\s*\S", re.IGNORECASE)


def _is_heading(raw_line: str, line: str, is_bullet: bool) -> bool:
    if _MARKDOWN_HEADING.match(raw_line):
        return True
    if is_bullet or line.endswith((".", "?", "!", ":", ",", ";")):
        return False
    if _CARD_FIELD.match(line):
        # a symptom-checker card's field: "Suggested next step: Urgent care (today)"
        return False
    # A short line without final punctuation standing alone: a title such as
    # "Red flags" or "Step 2: For Non-Emergency Neurological Symptoms".
    return (len(line.split()) <= 12 and not re.search(r"\d+\s*,\s*\d+\s*$", line)) or bool(
        re.match(r"^(?:step\s+\d+|when to|red flags?|warning signs?)\b", line, re.IGNORECASE)
    )
