"""A narrative as normalised tokens, with a NegEx-style negation scope.

Normalisation (what every lexicon phrase is matched against):

- lower case; curly quotes made straight; ``°`` read as the word ``degrees``;
- thousands separators dropped (``1,100 mL`` -> ``1100 ml``); ``4-/5`` read as ``4/5``;
- a hyphen or dash between two word characters becomes a space (``39-year-old`` ->
  ``39 year old``, ``straight-leg raise`` -> ``straight leg raise``);
- a number glued to a word is split from it (``350mL`` -> ``350 ml``, ``39M`` -> ``39 m``);
- tokens are words (contractions kept whole: ``can't``, ``i'm``; a spinal level is one word:
  ``l5``, ``t10``), numbers (``36.9``, ``4/5``, ``88/56``) and the punctuation marks
  ``. , ; : ! ? ( )``; everything else is dropped.

The normalised text is the tokens joined by single spaces, so a phrase can be compiled to a
regular expression over it (see :mod:`backtriage.harness.loading.lexicon`).

Negation scope (a simplified NegEx, Chapman et al. 2001): a match is *negated* when a negation
cue (``no``, ``not``, ``denies``, ``without``, ``never``, ``haven't`` ...) occurs among the
``window`` words before it, in the same clause. Walking back from the match, the clause ends at
``. ; : ! ?``, at a clause-breaking word (``but``, ``however``, ``although`` ...), at ``, and``,
and at a comma or ``and`` followed by a word that starts a new clause (a subject, a verb, or a
course word: ``, I``, ``and has``, ``, worse at night``). So ``No injury, worse at night`` does
not negate ``worse at night`` while ``No leg pain, numbness or weakness`` negates all three.
Pseudo-cues (``no longer``, ``not only``) are not negations. A few post-cues (``... denied``,
``... normal``) negate from up to two words after the match, within the clause. Cues inside the
matched phrase never negate it, so a phrase may carry its own negation (``haven't been able to
pee``, ``no better or worse``), and a phrase that opens with a cue is judged on its own
(``No trauma, not improving`` states "not improving").

The cue lists are data: the ``negation`` section of ``consistency_lexicon.yaml``. Where the
cues stand in a narrative is found once per narrative (:class:`CueIndex`), so each match's
scope is a walk over a few tokens, not a comparison of every cue at every token.
"""

from __future__ import annotations

import bisect
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate, count

SENTENCE_BREAKS = frozenset({".", ";", ":", "!", "?"})
"""Punctuation that ends a negation scope."""
FULL_STOPS = frozenset({".", "!", "?"})
"""Punctuation that ends a sentence: no phrase gap or near rule crosses it."""
CONTRASTS = frozenset({"but", "however", "although", "though", "whereas", "except", "yet"})
"""Words across which two terms are not stated together."""

_TOKEN = re.compile(r"\d+(?:[./]\d+)*|[a-z]+(?:'[a-z]+)*\d*|[.,;:!?()]")
# Each normalising pattern opens with a character it needs, not with a look-behind, which the
# engine would try at every position of the text (several times slower).
_THOUSANDS = re.compile(r",(?<=\d,)(?=\d{3}\b)")
_GRADE = re.compile(r"(?<=\d)[-+]/(?=\d)")
_DASHES = ("-", "\u2010", "\u2011", "\u2013", "\u2014")
_JOINER = re.compile(r"[-\u2010\u2011\u2013\u2014](?<=\w.)(?=\w)")
_GLUED = re.compile(r"(\d)(?=[a-z])")


def normalise(text: str) -> str:
    """Return ``text`` normalised as the module docstring describes (tokens joined by spaces)."""
    return " ".join(tokenise(text))


def tokenise(text: str) -> list[str]:
    """Split ``text`` into normalised tokens."""
    t = text.lower()
    for curly, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        t = t.replace(curly, straight)
    t = t.replace("\u00b0", " degrees ")
    t = _THOUSANDS.sub("", t)
    if "/" in t:  # the cheap test first: the pattern cannot match without its character
        t = _GRADE.sub("/", t)
    if any(dash in t for dash in _DASHES):
        t = _JOINER.sub(" ", t)
    t = _GLUED.sub(r"\1 ", t)  # a space between a digit and the letter after it
    return _TOKEN.findall(t)


@dataclass(frozen=True)
class NegationRules:
    """The cue words of the negation scope (loaded from the lexicon file).

    Attributes:
        window: how many words before a match a pre-cue may stand.
        pre_cues: cue phrases (tuples of tokens) that negate what follows.
        post_cues: cue phrases that negate what stands up to two words before them.
        pseudo_cues: phrases holding a cue that do not negate (``no longer``).
        clause_breaks: words that end the scope (``but``, ``however``).
        clause_starters: words that, after a comma or ``and``, start a new clause.
    """

    window: int
    pre_cues: tuple[tuple[str, ...], ...]
    post_cues: tuple[tuple[str, ...], ...]
    pseudo_cues: tuple[tuple[str, ...], ...]
    clause_breaks: frozenset[str]
    clause_starters: frozenset[str]


@dataclass(frozen=True)
class CueIndex:
    """Where the cues of one :class:`NegationRules` stand in one narrative's tokens.

    Each tuple has an entry per token and three more (a post-cue may be looked for up to two
    tokens past the end); the entries say what the direct comparisons of tokens with cue
    phrases (:func:`cue_ending_at`, :func:`inside_pseudo`) would say at that token.

    Attributes:
        cue_end: the length of the first pre-cue, in list order, that ends at the token (0 if
            none; an empty cue, when it comes first, makes it 0, as the direct comparison does).
        cue_start: whether a pre-cue starts at the token.
        pseudo: whether a pseudo-cue covers the token.
        post_start: whether a post-cue starts at the token.
    """

    cue_end: tuple[int, ...]
    cue_start: tuple[bool, ...]
    pseudo: tuple[bool, ...]
    post_start: tuple[bool, ...]

    @classmethod
    def build(cls, tokens: Sequence[str], rules: NegationRules) -> CueIndex:
        """Find every cue of ``rules`` in ``tokens``."""
        size = len(tokens) + 3
        cues = (*rules.pre_cues, *rules.pseudo_cues, *rules.post_cues)
        where = positions(tokens, frozenset(c[0] for c in cues if c))
        cue_end, decided = [0] * size, [False] * size
        cue_start = [False] * size
        for cue in rules.pre_cues:
            if not cue:  # an empty cue "ends" everywhere with length 0 and starts everywhere
                decided = [True] * size
                cue_start = [True] * size
                continue
            for begin in _matches(tokens, where, cue):
                end = begin + len(cue) - 1
                cue_start[begin] = True
                if not decided[end]:
                    cue_end[end], decided[end] = len(cue), True
        pseudo = [False] * size
        for phrase in rules.pseudo_cues:
            if not phrase:
                continue  # an empty pseudo-cue covers nothing
            for begin in _matches(tokens, where, phrase):
                for at in range(begin, begin + len(phrase)):
                    pseudo[at] = True
        post_start = [False] * size
        for cue in rules.post_cues:
            if not cue:
                post_start = [True] * size
                continue
            for begin in _matches(tokens, where, cue):
                post_start[begin] = True
        return cls(tuple(cue_end), tuple(cue_start), tuple(pseudo), tuple(post_start))


def positions(tokens: Sequence[str], selected: frozenset[str]) -> dict[str, list[int]]:
    """Map each token of ``selected`` that occurs to the indices where it stands, in order."""
    where: dict[str, list[int]] = {}
    for i, tok in enumerate(tokens):
        if tok in selected:
            if tok in where:
                where[tok].append(i)
            else:
                where[tok] = [i]
    return where


def _matches(
    tokens: Sequence[str], where: dict[str, list[int]], phrase: tuple[str, ...]
) -> list[int]:
    """Return where the non-empty ``phrase`` starts in ``tokens`` (``where``: token positions)."""
    n = len(phrase)
    starts = where.get(phrase[0], [])
    if n == 1:
        return starts
    return [i for i in starts if tuple(tokens[i : i + n]) == phrase]


@dataclass(frozen=True)
class Narrative:
    """A normalised narrative: its tokens, their text, and where each token starts."""

    tokens: tuple[str, ...]
    text: str
    starts: tuple[int, ...]

    @classmethod
    def parse(cls, raw: str) -> Narrative:
        """Normalise and tokenise a narrative."""
        tokens = tuple(tokenise(raw))
        # starts[i] = the lengths of the tokens before i, plus one space after each of them
        lengths = accumulate(map(len, tokens[:-1]), initial=0)
        starts = tuple(map(operator.add, lengths, count())) if tokens else ()
        return cls(tokens, " ".join(tokens), starts)

    @cached_property
    def padded(self) -> str:
        """:attr:`text` after one space, so every word, the first too, follows a space."""
        return " " + self.text

    @cached_property
    def words(self) -> frozenset[str]:
        """The distinct tokens."""
        return frozenset(self.tokens)

    @cached_property
    def _cue_indexes(self) -> dict[int, tuple[NegationRules, CueIndex]]:
        return {}

    def cues(self, rules: NegationRules) -> CueIndex:
        """Where the cues of ``rules`` stand in this narrative (found once per rule set)."""
        held = self._cue_indexes.get(id(rules))
        if held is None or held[0] is not rules:
            held = (rules, CueIndex.build(self.tokens, rules))
            self._cue_indexes[id(rules)] = held
        return held[1]

    def token_at(self, offset: int) -> int:
        """Return the index of the token at or after character ``offset`` of :attr:`text`."""
        return bisect.bisect_left(self.starts, offset)

    def token_span(self, start: int, end: int) -> tuple[int, int]:
        """Turn a character span of :attr:`text` into a token span ``[first, last + 1)``."""
        first = self.token_at(start)
        last = bisect.bisect_right(self.starts, max(start, end - 1)) - 1
        return first, max(first + 1, last + 1)

    def excerpt(self, first: int, stop: int, context: int = 3) -> str:
        """Return the tokens around a span, for messages."""
        begin, end = max(0, first - context), min(len(self.tokens), stop + context)
        return " ".join(self.tokens[begin:end])

    def is_negated(self, first: int, stop: int, rules: NegationRules) -> bool:
        """Say whether the token span ``[first, stop)`` lies in a negated clause."""
        return self._pre_negated(first, rules) or self._post_negated(stop, rules)

    def interrupted(self, start: int, stop: int, rules: NegationRules) -> bool:
        """Say whether tokens ``[start, stop)`` hold a negation cue or a clause break.

        Two terms with a cue between them are not stated together ("the pain doesn't go down
        my legs"), nor are two terms across a contrast ("numb feet but my hands are fine").
        """
        cues = self.cues(rules)
        for i in range(start, stop):
            if self.tokens[i] in CONTRASTS:
                return True
            if cues.cue_start[i] and not cues.pseudo[i]:
                return True
        return False

    def _pre_negated(self, first: int, rules: NegationRules) -> bool:
        cues = self.cues(rules)
        if cues.cue_start[first]:
            return False  # a phrase that opens with its own cue ("not improving") stands alone
        tokens = self.tokens
        words = 0
        i = first - 1
        while i >= 0 and words < rules.window:
            tok = tokens[i]
            if tok in SENTENCE_BREAKS or tok in rules.clause_breaks:
                return False
            if tok in {",", "and"} and tokens[i + 1] in rules.clause_starters:
                return False
            if tok == "," and tokens[i + 1] == "and":
                return False
            cue = cues.cue_end[i]
            if cue and not cues.pseudo[i - cue + 1]:
                return True
            if tok not in {",", "(", ")"}:
                words += 1
            i -= 1
        return False

    def _post_negated(self, stop: int, rules: NegationRules) -> bool:
        cues = self.cues(rules)
        for gap in range(3):
            at = stop + gap
            if cues.post_start[at]:
                between = self.tokens[stop:at]
                if not any(t in SENTENCE_BREAKS or t == "," for t in between):
                    return True
        return False


def cue_ending_at(tokens: Sequence[str], i: int, cues: Sequence[tuple[str, ...]]) -> int:
    """Return the length of a cue phrase ending at token ``i`` (0 if none).

    The direct definition :class:`CueIndex` precomputes; kept as its reference.
    """
    for cue in cues:
        n = len(cue)
        if i - n + 1 >= 0 and tuple(tokens[i - n + 1 : i + 1]) == cue:
            return n
    return 0


def inside_pseudo(tokens: Sequence[str], at: int, pseudo: Sequence[tuple[str, ...]]) -> bool:
    """Say whether a pseudo-cue phrase covers token ``at`` (the reference for :class:`CueIndex`)."""
    for phrase in pseudo:
        for offset in range(len(phrase)):
            begin = at - offset
            if begin >= 0 and tuple(tokens[begin : begin + len(phrase)]) == phrase:
                return True
    return False
