"""The precomputed shortcuts of the consistency check answer as the direct definitions do.

The cue index, the duration scan and the phrase prefilter exist for speed only; each property
compares one with its direct definition (the code it replaced) over generated token sequences.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.loading.durations import (
    RELATIVE,
    UNITS,
    Duration,
    _amounts_before,
    durations,
    tolerance,
)
from backtriage.harness.loading.jsonfile import load_json
from backtriage.harness.loading.lexicon import Phrase, compile_phrase, load_lexicon
from backtriage.harness.loading.narrative_text import (
    CONTRASTS,
    SENTENCE_BREAKS,
    Narrative,
    NegationRules,
    cue_ending_at,
    inside_pseudo,
    tokenise,
)
from backtriage.harness.resources import corpus_dir

LEXICON = load_lexicon()
RULES = LEXICON.negation
CUE_WORDS = sorted(
    {w for cue in (*RULES.pre_cues, *RULES.post_cues, *RULES.pseudo_cues) for w in cue}
    | RULES.clause_breaks | set(list(RULES.clause_starters)[:10]) | CONTRASTS
)
WORDS = [*CUE_WORDS, ",", ".", ";", "and", "(", ")", "pain", "leg", "numb", "fever", "back", "i"]
TOKENS = st.lists(st.sampled_from(WORDS), min_size=1, max_size=30)


# The direct definitions, as they were before the cue index.


def direct_negated(tokens: Sequence[str], first: int, stop: int, rules: NegationRules) -> bool:
    return direct_pre(tokens, first, rules) or direct_post(tokens, stop, rules)


def direct_pre(tokens: Sequence[str], first: int, rules: NegationRules) -> bool:
    if any(tuple(tokens[first : first + len(c)]) == c for c in rules.pre_cues):
        return False
    words, i = 0, first - 1
    while i >= 0 and words < rules.window:
        tok = tokens[i]
        if tok in SENTENCE_BREAKS or tok in rules.clause_breaks:
            return False
        if tok in {",", "and"} and tokens[i + 1] in rules.clause_starters:
            return False
        if tok == "," and tokens[i + 1] == "and":
            return False
        cue = cue_ending_at(tokens, i, rules.pre_cues)
        if cue and not inside_pseudo(tokens, i - cue + 1, rules.pseudo_cues):
            return True
        if tok not in {",", "(", ")"}:
            words += 1
        i -= 1
    return False


def direct_post(tokens: Sequence[str], stop: int, rules: NegationRules) -> bool:
    for cue in rules.post_cues:
        for gap in range(3):
            at = stop + gap
            if tuple(tokens[at : at + len(cue)]) == cue:
                between = tokens[stop:at]
                if not any(t in SENTENCE_BREAKS or t == "," for t in between):
                    return True
    return False


def direct_interrupted(tokens: Sequence[str], start: int, stop: int, rules: NegationRules) -> bool:
    for i in range(start, stop):
        if tokens[i] in CONTRASTS:
            return True
        for cue in rules.pre_cues:
            if tuple(tokens[i : i + len(cue)]) == cue and not inside_pseudo(
                tokens, i, rules.pseudo_cues
            ):
                return True
    return False


def direct_durations(text: Narrative) -> list[Duration]:
    tokens, found = text.tokens, []
    for i, tok in enumerate(tokens):
        unit = UNITS.get(tok)
        if unit is not None:
            for amount, first in _amounts_before(tokens, i):
                days = amount * unit
                found.append(Duration(days, tolerance(days, unit), first, i + 1))
        for words, days in RELATIVE.items():
            if tuple(tokens[i : i + len(words)]) == words:
                found.append(Duration(days, tolerance(days, 1 if days < 7 else days), i,
                                      i + len(words)))
    return found


def check_scope(tokens: list[str], rules: NegationRules) -> None:
    text = Narrative.parse(" ".join(tokens))
    toks = text.tokens
    for first in range(len(toks)):
        for stop in range(first + 1, min(len(toks), first + 3) + 1):
            assert text.is_negated(first, stop, rules) == direct_negated(toks, first, stop, rules)
            assert text.interrupted(first, stop, rules) == direct_interrupted(
                toks, first, stop, rules
            )


@settings(max_examples=300, deadline=None)
@given(TOKENS)
def test_the_cue_index_scopes_negation_as_the_direct_definition(tokens: list[str]) -> None:
    check_scope(tokens, RULES)


CUE = st.lists(st.sampled_from(["no", "not", "pain", ",", "longer", "denied"]), max_size=2)


@settings(max_examples=200, deadline=None)
@given(
    TOKENS,
    st.lists(CUE, max_size=4),
    st.lists(CUE, max_size=3),
    st.lists(CUE, max_size=3),
    st.integers(0, 10),
)
def test_any_cue_lists_even_empty_cues_scope_as_the_direct_definition(
    tokens: list[str], pre: list[list[str]], post: list[list[str]], pseudo: list[list[str]],
    window: int,
) -> None:
    rules = dataclasses.replace(
        RULES,
        window=window,
        pre_cues=tuple(map(tuple, pre)),
        post_cues=tuple(map(tuple, post)),
        pseudo_cues=tuple(map(tuple, pseudo)),
    )
    check_scope(tokens, rules)


DURATION_WORDS = [
    *list(UNITS)[:12], "a", "an", "half", "couple", "few", "of", "two", "3", "10", "2.5",
    "today", "yesterday", "last", "night", "this", "morning", "week", "since", "pain", ".",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(DURATION_WORDS), max_size=25))
def test_the_duration_scan_finds_what_the_direct_scan_finds(tokens: list[str]) -> None:
    text = Narrative.parse(" ".join(tokens))
    assert durations(text) == direct_durations(text)


def _narratives() -> list[Narrative]:
    out = []
    for path in sorted(Path(corpus_dir()).rglob("*.json"))[:300]:
        if path.name != "sources.json":
            out.append(Narrative.parse(load_json(path)["presentation"]["narrative"]))
    return out


def _all_phrases() -> list[Phrase]:
    phrases = [p for rules in LEXICON.values.values() for r in rules.values() for p in r.phrases]
    phrases += [p for rules in LEXICON.values.values() for r in rules.values() for n in r.near
                for p in (*n.first, *n.second)]
    phrases += [*LEXICON.care_words, *LEXICON.several_levels]
    return phrases


def _bare(phrase: Phrase) -> Phrase:
    """The same phrase with no token pre-filter: every narrative is searched."""
    bare = dataclasses.replace(phrase)
    bare.__dict__["needs"] = ()
    return bare


def test_the_prefilter_never_hides_a_lexicon_match_in_the_bundled_narratives() -> None:
    texts = _narratives()
    for phrase in _all_phrases():
        bare = _bare(phrase)
        for text in texts:
            assert list(phrase.spans(text)) == list(bare.spans(text)), phrase.source


PHRASE_WORDS = st.sampled_from([
    "pain", "legs?", "numb*", "no|not", "[left|right]", "...2", "#", "leg_pain", "re:back",
    "s?", "a|", "{n}", "{n}s?", "wee|pee", "(", "can't",
])  # fmt: skip
TEXT_WORDS = st.sampled_from([
    "pain", "leg", "legs", "numbness", "no", "not", "left", "right", "3", "3s", "back", "wee",
    ".", ",", "(", "can't", "s", "",
])  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(PHRASE_WORDS, min_size=1, max_size=4), st.lists(TEXT_WORDS, max_size=12))
def test_the_prefilter_never_hides_a_match(words: list[str], text_words: list[str]) -> None:
    source = " ".join(words)
    try:
        phrase = compile_phrase(source, ("3",) if "{n}" in source else ())
    except ValueError:
        return
    text = Narrative.parse(" ".join(text_words))
    bare = _bare(phrase)
    assert list(phrase.spans(text)) == list(bare.spans(text))


def direct_tokenise(text: str) -> list[str]:
    """The normalisation as first written, with look-behinds leading each pattern."""
    t = text.lower()
    for curly, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        t = t.replace(curly, straight)
    t = t.replace("\u00b0", " degrees ")
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)
    t = re.sub(r"(?<=\d)[-+]/(?=\d)", "/", t)
    t = re.sub(r"(?<=\w)[-\u2010\u2011\u2013\u2014](?=\w)", " ", t)
    t = re.sub(r"(?<=\d)(?=[a-z])", " ", t)
    return re.findall(r"\d+(?:[./]\d+)*|[a-z]+(?:'[a-z]+)*\d*|[.,;:!?()]", t)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="ab1234_ ,-+/.\u2010\u2013\u2014\u00b0\u2019'M\u0663\u00e9\n", max_size=40))
def test_tokenise_normalises_as_first_written(text: str) -> None:
    assert tokenise(text) == direct_tokenise(text)


def test_a_bad_phrase_fails_when_compiled_and_a_loaded_one_compiles_on_first_use() -> None:
    for bad in ("re:(", "pain re:[a-"):
        try:
            compile_phrase(bad)
        except ValueError as exc:
            assert "lexicon phrase" in str(exc)
        else:
            raise AssertionError(f"{bad!r} compiled")
    lazy = Phrase("numb* ...3 legs?")  # as the lexicon loader makes them
    assert "regex" not in lazy.__dict__
    assert list(lazy.spans(Narrative.parse("Numbness in both legs."))) == [(0, 4)]
