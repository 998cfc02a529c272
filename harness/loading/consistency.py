"""Narrative-findings consistency: every positive finding must be stated in the narrative.

Contract section 2: "Every positive finding must be stated in the narrative". A finding is
*positive* when it is a ``true`` boolean, an enum value other than the neutral ones the lexicon
names (``bladder: normal``, ``trauma: none`` ...) and the unknowns (``not_stated``,
``not_examined``, never positive), an item of a list finding (numbness sites, bladder and bowel
changes, pain sites, prior scan findings), or a number (age, durations,
vital signs, residual volume, weeks of care, weakness levels). ``sex``, ``onset`` and both
trajectories are always checked.

How each kind is confirmed:

- words: a phrase of the lexicon (``consistency_lexicon.yaml``) for that value occurs outside a
  negated clause (negation scope: :mod:`backtriage.harness.loading.narrative_text`);
- numbers: a lexicon template with the value in it (``39-year-old``, ``aged 39``, ``BP 88/56``,
  ``350 mL``); temperatures match to one decimal;
- durations in days: a stated duration that rounds to the value
  (:mod:`backtriage.harness.loading.durations`);
- ``conservative_care_weeks``: such a duration in the same sentence as a care word;
- ``weakness_levels``: that many distinct muscle groups or roots named, a phrase stating several
  levels, or, for one level, any stated weakness.

What cannot be confirmed is a *warning* (never an error): the lexicon may lack the words, or the
narrative may lack the finding. A warning that is understood and cannot be fixed by improving the
lexicon or the vignette is explained by an entry in ``consistency_allowances.yaml`` (vignette,
finding, optional value, and a reason); an allowance that no longer matches a warning is
reported, so explanations do not outlive their cause.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from backtriage.harness.loading.corpus_check import run_check
from backtriage.harness.loading.durations import Duration, durations
from backtriage.harness.loading.lexicon import (
    Lexicon,
    Phrase,
    ValueRule,
    load_lexicon,
    number_phrases,
)
from backtriage.harness.loading.narrative_text import FULL_STOPS, SENTENCE_BREAKS, Narrative
from backtriage.harness.loading.problems import Problem
from backtriage.harness.loading.yamlfile import load_yaml

ALLOWANCES_PATH = Path(__file__).with_name("consistency_allowances.yaml")
_UNKNOWN = frozenset({"not_stated", "not_examined"})


@dataclass(frozen=True)
class Unconfirmed:
    """A positive finding the narrative was not found to state.

    Attributes:
        finding: the finding's name.
        value: the value (for a numbness site, the site).
        pointer: JSON pointer into the vignette.
        negated: an excerpt where the finding is mentioned only inside a negated clause.
        reason: why, when it is not simply "no phrase found" (e.g. no lexicon entry).
    """

    finding: str
    value: Any
    pointer: str
    negated: str | None = None
    reason: str | None = None

    def message(self) -> str:
        """Describe the problem in words."""
        text = f"narrative does not state finding {self.finding} = {self.value!r}"
        if self.reason:
            return f"{text}: {self.reason}"
        if self.negated:
            return f"{text} (mentioned only in a negated clause: \"{self.negated}\")"
        return f"{text} (no phrase of the consistency lexicon found)"


@dataclass(frozen=True)
class Allowance:
    """An explained, accepted consistency warning.

    Attributes:
        vignette: the vignette id.
        finding: the finding name.
        value: the value, or ``None`` for any value of the finding.
        reason: why the narrative legitimately does not state it in lexicon words.
    """

    vignette: str
    finding: str
    value: str | None
    reason: str

    def covers(self, vignette_id: str, item: Unconfirmed) -> bool:
        """Say whether this allowance explains ``item`` of vignette ``vignette_id``."""
        return (
            self.vignette == vignette_id
            and self.finding == item.finding
            and (self.value is None or self.value == str(item.value))
        )


def check_narrative(
    narrative: str, findings: Mapping[str, Any], lexicon: Lexicon | None = None
) -> list[Unconfirmed]:
    """Return the positive findings that ``narrative`` does not state."""
    lex = lexicon or load_lexicon()
    text = Narrative.parse(narrative)
    stated = durations(text)
    out: list[Unconfirmed] = []
    for name, value in findings.items():
        pointer = f"/presentation/findings/{name}"
        if isinstance(value, list | tuple):
            neutral = lex.neutral.get(name, frozenset()) | _UNKNOWN
            for i, each in enumerate(value):
                if str(each) in neutral:
                    continue
                item = _check_words(text, lex, name, str(each), f"{pointer}/{i}")
                if item:
                    out.append(item)
        elif value in _UNKNOWN:
            continue
        elif name in lex.duration_findings:
            if not any(d.states(value) for d in stated):
                out.append(Unconfirmed(name, value, pointer))
        elif name in lex.number_templates:
            if not _number_stated(text, lex.number_templates[name], value):
                out.append(Unconfirmed(name, value, pointer))
        elif name == "conservative_care_weeks":
            if value > 0 and not _care_stated(text, lex, stated, value):
                out.append(Unconfirmed(name, value, pointer))
        elif name == "weakness_levels":
            if value > 0 and not _levels_stated(text, lex, findings, value):
                out.append(Unconfirmed(name, value, pointer))
        elif name in lex.unchecked or value is False:
            continue
        elif isinstance(value, bool):
            item = _check_words(text, lex, name, "present", pointer, shown=True)
            if item:
                out.append(item)
        elif isinstance(value, str):
            if value in lex.neutral.get(name, frozenset()):
                continue
            item = _check_words(text, lex, name, value, pointer)
            if item:
                out.append(item)
        else:
            out.append(Unconfirmed(name, value, pointer, reason="the lexicon cannot check it"))
    return out


def consistency_problems(
    loaded: Sequence[tuple[Path, Mapping[str, Any]]],
    lexicon: Lexicon | None = None,
    allowances: Sequence[Allowance] | None = None,
) -> list[Problem]:
    """Return a warning per unconfirmed finding of each vignette, less the allowed ones.

    Also warns about each allowance for a vignette of ``loaded`` that explains nothing.
    """
    return run_check(ConsistencyCheck(lexicon, allowances), loaded)


class ConsistencyCheck:
    """:func:`consistency_problems` one vignette at a time; keeps the ids and allowances used."""

    def __init__(
        self, lexicon: Lexicon | None = None, allowances: Sequence[Allowance] | None = None
    ) -> None:
        self._lexicon = lexicon
        self._allowed = load_allowances() if allowances is None else tuple(allowances)
        self._by_vignette: dict[str, list[tuple[int, Allowance]]] = {}
        for i, allowance in enumerate(self._allowed):
            self._by_vignette.setdefault(allowance.vignette, []).append((i, allowance))
        self._used: set[int] = set()
        self._ids: set[str] = set()
        self._problems: list[Problem] = []

    def add(self, file: str | Path, data: Mapping[str, Any]) -> None:
        """Warn about each finding of one vignette its narrative does not confirm."""
        vid = data["id"]
        self._ids.add(vid)
        pres = data["presentation"]
        for item in check_narrative(pres["narrative"], pres["findings"], self._lexicon):
            covering = [i for i, a in self._by_vignette.get(vid, ()) if a.covers(vid, item)]
            if covering:
                self._used.update(covering)
                continue
            self._problems.append(
                Problem(str(file), item.pointer, item.message(), "warning", vid)
            )

    def problems(self) -> list[Problem]:
        """The warnings in file order, then one per allowance that explained none."""
        stale = [
            Problem(
                str(ALLOWANCES_PATH),
                f"/allowances/{i}",
                f"allowance for {allowance.finding} explains no warning any more; remove it",
                "warning",
                allowance.vignette,
            )
            for i, allowance in enumerate(self._allowed)
            if allowance.vignette in self._ids and i not in self._used
        ]
        return self._problems + stale


@cache
def load_allowances(path: Path = ALLOWANCES_PATH) -> tuple[Allowance, ...]:
    """Load the allowance file (cached per path).

    Raises:
        ValueError: if an entry lacks ``vignette``, ``finding`` or a non-empty ``reason``.
    """
    data = load_yaml(path, "allowance file") or {}
    entries = data.get("allowances") or []
    out = []
    for i, entry in enumerate(entries):
        keys = ("vignette", "finding", "reason")
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) and entry[k].strip() for k in keys
        ):
            raise ValueError(f"{path}: allowances[{i}] needs vignette, finding and a reason")
        value = entry.get("value")
        shown = None if value is None else str(value)
        out.append(Allowance(entry["vignette"], entry["finding"], shown, entry["reason"]))
    return tuple(out)


def _check_words(
    text: Narrative, lex: Lexicon, name: str, value: str, pointer: str, shown: bool = False
) -> Unconfirmed | None:
    shown_value: Any = True if shown else value
    rule = lex.values.get(name, {}).get(value)
    if rule is None:
        reason = "the lexicon has no phrases for this value"
        return Unconfirmed(name, shown_value, pointer, reason=reason)
    found, negated = _evidence(text, lex, rule)
    return None if found else Unconfirmed(name, shown_value, pointer, negated)


def _evidence(text: Narrative, lex: Lexicon, rule: ValueRule) -> tuple[bool, str | None]:
    """Say whether ``rule`` is stated; else give an excerpt of a negated mention, if any."""
    negated: str | None = None
    for phrase in rule.phrases:
        for first, stop in phrase.spans(text):
            if not text.is_negated(first, stop, lex.negation):
                return True, None
            negated = negated or text.excerpt(first, stop)
    for near in rule.near:
        a_spans = _spans(text, lex, near.first)
        b_spans = _spans(text, lex, near.second)
        for a_first, a_stop, a_neg in a_spans:
            for b_first, b_stop, b_neg in b_spans:
                span_a, span_b = (a_first, a_stop), (b_first, b_stop)
                if not _close(text, span_a, span_b, near.within, near.cross_sentences):
                    continue
                left, right = sorted((span_a, span_b))
                if text.interrupted(left[1], right[0], lex.negation):
                    continue
                if not a_neg and not b_neg:
                    return True, None
                lo, hi = min(a_first, b_first), max(a_stop, b_stop)
                negated = negated or text.excerpt(lo, hi, 0)
    return False, negated


def _spans(text: Narrative, lex: Lexicon, phrases: Sequence[Phrase]) -> list[tuple[int, int, bool]]:
    return [
        (first, stop, text.is_negated(first, stop, lex.negation))
        for phrase in phrases
        for first, stop in phrase.spans(text)
    ]


def _close(
    text: Narrative, a: tuple[int, int], b: tuple[int, int], within: int, cross: bool
) -> bool:
    """Say whether two spans lie within ``within`` words (of one sentence unless ``cross``)."""
    left, right = (a, b) if a[0] <= b[0] else (b, a)
    if right[0] < left[1]:
        return True
    between = text.tokens[left[1] : right[0]]
    if len(between) > within:
        return False
    return cross or not any(t in FULL_STOPS for t in between)


def _number_stated(text: Narrative, templates: tuple[str, ...], value: Any) -> bool:
    variants = _spellings(value)
    return any(next(p.spans(text), None) for p in number_phrases(templates, variants))


def _spellings(value: Any) -> tuple[str, ...]:
    if isinstance(value, float):
        out = [f"{value:.1f}"]
        if value == math.floor(value):
            out.append(str(int(value)))
        return tuple(out)
    return (str(value),)


def _care_stated(text: Narrative, lex: Lexicon, stated: Sequence[Duration], weeks: int) -> bool:
    sentences = _sentence_ids(text)
    care = {sentences[first] for p in lex.care_words for first, _ in p.spans(text)}
    return any(d.states(weeks * 7) and sentences[d.first] in care for d in stated)


def _levels_stated(text: Narrative, lex: Lexicon, findings: Mapping[str, Any], levels: int) -> bool:
    named = sum(
        1
        for phrases in lex.myotomes.values()
        if any(True for p in phrases for _ in p.spans(text))
    )
    if named >= levels:
        return True
    if levels >= 2 and any(next(p.spans(text), None) for p in lex.several_levels):
        return True
    if levels == 1:
        weakness = str(findings.get("weakness", "none"))
        rule = lex.values.get("weakness", {}).get(weakness)
        return rule is not None and _evidence(text, lex, rule)[0]
    return False


def _sentence_ids(text: Narrative) -> list[int]:
    ids, current = [], 0
    for tok in text.tokens:
        ids.append(current)
        if tok in SENTENCE_BREAKS:
            current += 1
    return ids
