"""The phrase lexicon of the narrative-findings consistency check, loaded from data.

The lexicon lives in ``consistency_lexicon.yaml`` beside this module (shipped in the wheel).
This module compiles its phrases; :mod:`backtriage.harness.loading.consistency` uses them.

Phrase syntax (matched against the normalised narrative of
:mod:`backtriage.harness.loading.narrative_text`, word by word, on word boundaries):

- ``word``: that word; ``a|b|c``: any one of them; ``numb*``: any word starting ``numb``;
- ``jerks?``: a ``?`` after a letter makes that letter optional (``jerk`` or ``jerks``);
- ``[word]`` or ``[a|b]``: an optional word;
- ``came_off|fell``: inside an alternative, ``_`` joins words (``came off`` or ``fell``);
- ``...``: a gap of up to 4 words, ``...8`` of up to 8 (gaps never cross ``. ! ?``);
- ``#``: any number (``36.9``, ``4``), usable inside a word (``#/5``);
- ``{n}``: the finding's own value (numeric findings only);
- ``re:REGEX``: one word matching a regular expression (no ``|`` splitting, no ``?`` suffix);
  ``_`` in it stands for a space, so it can look at the neighbouring words:
  ``re:back(?!_passage)``, ``re:(?<!between_my_)legs``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any

from backtriage.harness.loading.narrative_text import Narrative, NegationRules
from backtriage.harness.loading.yamlfile import load_yaml

LEXICON_PATH = Path(__file__).with_name("consistency_lexicon.yaml")
DEFAULT_GAP = 4
_SAFE_GAP = 1000
"""Gaps up to this many words compile whatever the phrase; others are compiled at load."""
_NUMBER = r"\d+(?:\.\d+)?"
_VALUE = "\x00"


@dataclass(frozen=True)
class Phrase:
    """One compiled lexicon phrase.

    Attributes:
        source: the phrase as written.
        pattern: the phrase as a regular expression over the space-padded normalised narrative
            (compiled on first use, :attr:`regex`: most phrases are never searched in a run).
        needs: for each of the phrase's words that is plain text (no wildcard, number, gap,
            optional word or regular expression), the tokens it may be; the phrase can occur
            only where each word's token does, so a narrative holding none of one word's tokens
            is not searched.
    """

    source: str
    pattern: str
    needs: tuple[frozenset[str], ...] = ()

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The compiled :attr:`pattern`."""
        return re.compile(self.pattern)

    def spans(self, narrative: Narrative) -> Iterator[tuple[int, int]]:
        """Yield the token spans ``(first, stop)`` where the phrase occurs."""
        if self.needs:
            words = narrative.words
            for tokens in self.needs:
                if words.isdisjoint(tokens):
                    return
        padded = narrative.padded
        pos = 0
        while pos <= len(padded):  # past the end, search would match an empty phrase for ever
            m = self.regex.search(padded, pos)
            if m is None:
                return
            yield narrative.token_span(m.start(), m.end() - 1)
            pos = m.start() + 1


@dataclass(frozen=True)
class NearRule:
    """Two terms within ``within`` words of each other, in either order.

    The terms must stand in one sentence unless ``cross_sentences`` (for a finding the next
    sentence often completes: "a burning strip round my side. The skin there is numb").
    """

    first: tuple[Phrase, ...]
    second: tuple[Phrase, ...]
    within: int
    source: str
    cross_sentences: bool = False


@dataclass(frozen=True)
class ValueRule:
    """How one finding value is stated: any phrase, or any near rule."""

    phrases: tuple[Phrase, ...]
    near: tuple[NearRule, ...]


@dataclass(frozen=True)
class Lexicon:
    """The compiled lexicon.

    Attributes:
        negation: the negation-scope cues.
        values: finding name -> value key -> rule. Boolean findings use the key ``present``.
        neutral: enum values that are not positive findings (``bladder: normal``); not checked.
        number_templates: numeric finding -> phrase templates holding ``{n}``.
        duration_findings: findings in days since onset, checked against stated durations.
        care_words: phrases naming conservative care (physiotherapy, analgesia ...).
        myotomes: muscle group -> phrases, for counting ``weakness_levels``.
        several_levels: phrases that state weakness at several levels.
        unchecked: finding -> why the lexicon does not check it.
    """

    negation: NegationRules
    values: Mapping[str, Mapping[str, ValueRule]]
    neutral: Mapping[str, frozenset[str]]
    number_templates: Mapping[str, tuple[str, ...]]
    duration_findings: frozenset[str]
    care_words: tuple[Phrase, ...]
    myotomes: Mapping[str, tuple[Phrase, ...]]
    several_levels: tuple[Phrase, ...]
    unchecked: Mapping[str, str]


def compile_phrase(source: str, value_variants: Sequence[str] = ()) -> Phrase:
    """Compile one phrase of the syntax in the module docstring.

    Args:
        source: the phrase.
        value_variants: spellings of the finding value that ``{n}`` stands for.

    Raises:
        ValueError: if the phrase is empty, holds only gaps, or has a bad regular expression.
    """
    pieces: list[str] = []
    words = source.split()
    if not any(not w.startswith("...") for w in words):
        raise ValueError(f"lexicon phrase {source!r} has no word")
    value_re = None
    if value_variants:
        value_re = "(?:" + "|".join(re.escape(v) for v in value_variants) + ")"
    for word in words:
        if word.startswith("..."):
            n = int(word[3:]) if word[3:] else DEFAULT_GAP
            pieces.append(f"(?: [^ .!?][^ ]*){{0,{n}}}")
            continue
        if word.startswith("re:"):
            pieces.append(f"(?: (?:{word[3:].replace('_', ' ')}))")
            continue
        optional = word.startswith("[") and word.endswith("]") and len(word) > 2
        alts = word[1:-1] if optional else word
        body = "|".join(_alternative(a, value_re) for a in alts.split("|"))
        pieces.append(f"(?: (?:{body}))" + ("?" if optional else ""))
    pattern = "".join(pieces) + "(?= |$)"
    phrase = Phrase(source, pattern, _needed_tokens(words, value_variants))
    if _may_not_compile(words):  # find out now, at load, as when every phrase was compiled
        try:
            phrase.__dict__["regex"] = re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"lexicon phrase {source!r}: {exc}") from exc
    return phrase


def _may_not_compile(words: Sequence[str]) -> bool:
    """Say whether a phrase's pattern might not compile.

    A written regular expression might not, nor a gap outside 0 to :data:`_SAFE_GAP`; every
    other piece is escaped text or a fixed form.
    """
    for word in words:
        if word.startswith("re:"):
            return True
        if word.startswith("...") and word[3:] and not 0 <= int(word[3:]) <= _SAFE_GAP:
            return True
    return False


def _needed_tokens(
    words: Sequence[str], value_variants: Sequence[str]
) -> tuple[frozenset[str], ...]:
    """The token sets of the phrase's plain words (see :attr:`Phrase.needs`).

    A plain word compiles to ``(?: (?:a|b))``; every piece of a phrase starts with a space and
    the phrase ends at a space or the end, so a match of the word is a whole token of the
    narrative equal to one of its alternatives.
    """
    needs = []
    for word in words:
        if word.startswith(("...", "re:")) or (
            word.startswith("[") and word.endswith("]") and len(word) > 2
        ):
            continue
        tokens: set[str] = set()
        for alt in word.split("|"):
            spelled = _plain_spellings(alt, value_variants)
            if spelled is None:
                break
            tokens |= spelled
        else:
            needs.append(frozenset(tokens))
    return tuple(needs)


def _plain_spellings(alt: str, value_variants: Sequence[str]) -> set[str] | None:
    """The texts one alternative matches, if it is plain text; else None."""
    if any(c in alt for c in "*#_\x00"):
        return None
    if alt.endswith("?") and len(alt) > 1 and alt[-2].isalnum():  # as in _alternative
        spellings = {alt[:-1], alt[:-2]}
    else:
        spellings = {alt}
    if "{n}" in alt:
        if not value_variants:
            return None
        spellings = {s.replace("{n}", v) for s in spellings for v in value_variants}
    if "" in spellings:
        return None  # an empty alternative matches no token but may still match
    return spellings


def _alternative(alt: str, value_re: str | None) -> str:
    if "{n}" in alt and value_re is None:
        raise ValueError(f"'{{n}}' used outside a numeric template: {alt!r}")
    last_optional = alt.endswith("?") and len(alt) > 1 and alt[-2].isalnum()
    if last_optional:
        alt = alt[:-1]
    out = []
    for ch in alt.replace("{n}", _VALUE):
        if ch == "*":
            out.append("[^ ]*")
        elif ch == "#":
            out.append(_NUMBER)
        elif ch == "_":
            out.append(" ")
        elif ch == _VALUE:
            out.append(value_re or "")
        else:
            out.append(re.escape(ch))
    return "".join(out) + ("?" if last_optional else "")


@cache
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Load and compile a lexicon file (cached per path).

    Raises:
        ValueError: if the file does not have the documented shape.
    """
    data = load_yaml(path, "lexicon")
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a lexicon is a mapping")
    terms = {
        name: _phrases(items, f"terms.{name}") for name, items in data.get("terms", {}).items()
    }
    values: dict[str, Mapping[str, ValueRule]] = {}
    aliases: dict[str, str] = {}
    for finding, spec in data.get("findings", {}).items():
        if isinstance(spec, dict) and set(spec) == {"same_as"}:
            aliases[finding] = spec["same_as"]
            continue
        if not isinstance(spec, dict):
            raise ValueError(f"{path}: findings.{finding} must map values to phrases")
        values[finding] = MappingProxyType(
            {
                str(v): _value_rule(rule, terms, f"findings.{finding}.{v}")
                for v, rule in spec.items()
            }
        )
    for finding, target in aliases.items():
        if target not in values:
            raise ValueError(f"{path}: findings.{finding}.same_as names unknown finding {target!r}")
        values[finding] = values[target]
    return Lexicon(
        negation=_negation(data.get("negation", {})),
        values=MappingProxyType(values),
        neutral=MappingProxyType(
            {k: frozenset(map(str, v)) for k, v in data.get("neutral", {}).items()}
        ),
        number_templates=MappingProxyType(
            {k: tuple(v) for k, v in data.get("numbers", {}).items()}
        ),
        duration_findings=frozenset(data.get("durations", [])),
        care_words=_phrases(data.get("care_words", []), "care_words"),
        myotomes=MappingProxyType(
            {k: _phrases(v, f"myotomes.{k}") for k, v in data.get("myotomes", {}).items()}
        ),
        several_levels=_phrases(data.get("several_levels", []), "several_levels"),
        unchecked=MappingProxyType(dict(data.get("unchecked", {}))),
    )


@cache
def number_phrases(templates: tuple[str, ...], variants: tuple[str, ...]) -> tuple[Phrase, ...]:
    """Compile the templates of a numeric finding for one value's spellings."""
    return tuple(compile_phrase(t, variants) for t in templates)


def _phrases(items: Any, where: str) -> tuple[Phrase, ...]:
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ValueError(f"lexicon {where}: expected a list of phrases")
    return tuple(compile_phrase(i) for i in items)


def _value_rule(rule: Any, terms: Mapping[str, tuple[Phrase, ...]], where: str) -> ValueRule:
    if isinstance(rule, list):
        return ValueRule(_phrases(rule, where), ())
    if not isinstance(rule, dict) or not set(rule) <= {"phrases", "near"}:
        raise ValueError(f"lexicon {where}: expected a list, or a mapping of phrases and near")
    near = []
    for i, spec in enumerate(rule.get("near", [])):
        first = _term(spec.get("a"), terms, f"{where}.near[{i}].a")
        second = _term(spec.get("b"), terms, f"{where}.near[{i}].b")
        within = int(spec.get("within", 8))
        cross = bool(spec.get("cross_sentences", False))
        source = f"{spec.get('a')} ~{within}~ {spec.get('b')}"
        near.append(NearRule(first, second, within, source, cross))
    return ValueRule(_phrases(rule.get("phrases", []), where), tuple(near))


def _term(spec: Any, terms: Mapping[str, tuple[Phrase, ...]], where: str) -> tuple[Phrase, ...]:
    if isinstance(spec, str):
        name = spec.removeprefix("@")
        if name not in terms:
            raise ValueError(f"lexicon {where}: unknown term list {spec!r}")
        return terms[name]
    return _phrases(spec, where)


def _negation(spec: Mapping[str, Any]) -> NegationRules:
    def phrases(key: str) -> tuple[tuple[str, ...], ...]:
        return tuple(tuple(p.split()) for p in spec.get(key, []))

    return NegationRules(
        window=int(spec.get("window", 8)),
        pre_cues=phrases("pre_cues"),
        post_cues=phrases("post_cues"),
        pseudo_cues=phrases("pseudo_cues"),
        clause_breaks=frozenset(spec.get("clause_breaks", [])),
        clause_starters=frozenset(spec.get("clause_starters", [])),
    )
