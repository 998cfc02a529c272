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

The cue lists are data: the ``negation`` section of ``consistency_lexicon.yaml``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

SENTENCE_BREAKS = frozenset({".", ";", ":", "!", "?"})
"""Punctuation that ends a negation scope."""
FULL_STOPS = frozenset({".", "!", "?"})
"""Punctuation that ends a sentence: no phrase gap or near rule crosses it."""
CONTRASTS = frozenset({"but", "however", "although", "though", "whereas", "except", "yet"})
"""Words across which two terms are not stated together."""

_TOKEN = re.compile(r"\d+(?:[./]\d+)*|[a-z]+(?:'[a-z]+)*\d*|[.,;:!?()]")


def normalise(text: str) -> str:
    """Return ``text`` normalised as the module docstring describes (tokens joined by spaces)."""
    return " ".join(tokenise(text))


def tokenise(text: str) -> list[str]:
    """Split ``text`` into normalised tokens."""
    t = text.lower()
    for curly, straight in (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"')):
        t = t.replace(curly, straight)
    t = t.replace("\u00b0", " degrees ")
    t = re.sub(r"(?<=\d),(?=\d{3}\b)", "", t)
    t = re.sub(r"(?<=\d)[-+]/(?=\d)", "/", t)
    t = re.sub(r"(?<=\w)[-\u2010\u2011\u2013\u2014](?=\w)", " ", t)
    t = re.sub(r"(?<=\d)(?=[a-z])", " ", t)
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
class Narrative:
    """A normalised narrative: its tokens, their text, and where each token starts."""

    tokens: tuple[str, ...]
    text: str
    starts: tuple[int, ...]

    @classmethod
    def parse(cls, raw: str) -> Narrative:
        """Normalise and tokenise a narrative."""
        tokens = tuple(tokenise(raw))
        starts: list[int] = []
        pos = 0
        for tok in tokens:
            starts.append(pos)
            pos += len(tok) + 1
        return cls(tokens, " ".join(tokens), tuple(starts))

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
        for i in range(start, stop):
            if self.tokens[i] in CONTRASTS:
                return True
            for cue in rules.pre_cues:
                if tuple(self.tokens[i : i + len(cue)]) == cue and not _inside_pseudo(
                    self.tokens, i, rules.pseudo_cues
                ):
                    return True
        return False

    def _pre_negated(self, first: int, rules: NegationRules) -> bool:
        if any(tuple(self.tokens[first : first + len(c)]) == c for c in rules.pre_cues):
            return False  # a phrase that opens with its own cue ("not improving") stands alone
        words = 0
        i = first - 1
        while i >= 0 and words < rules.window:
            tok = self.tokens[i]
            if tok in SENTENCE_BREAKS or tok in rules.clause_breaks:
                return False
            if tok in {",", "and"} and self.tokens[i + 1] in rules.clause_starters:
                return False
            if tok == "," and self.tokens[i + 1] == "and":
                return False
            cue = _cue_ending_at(self.tokens, i, rules.pre_cues)
            if cue and not _inside_pseudo(self.tokens, i - cue + 1, rules.pseudo_cues):
                return True
            if tok not in {",", "(", ")"}:
                words += 1
            i -= 1
        return False

    def _post_negated(self, stop: int, rules: NegationRules) -> bool:
        for cue in rules.post_cues:
            for gap in range(3):
                at = stop + gap
                if tuple(self.tokens[at : at + len(cue)]) == cue:
                    between = self.tokens[stop:at]
                    if not any(t in SENTENCE_BREAKS or t == "," for t in between):
                        return True
        return False


def _cue_ending_at(tokens: Sequence[str], i: int, cues: Sequence[tuple[str, ...]]) -> int:
    """Return the length of a cue phrase ending at token ``i`` (0 if none)."""
    for cue in cues:
        n = len(cue)
        if i - n + 1 >= 0 and tuple(tokens[i - n + 1 : i + 1]) == cue:
            return n
    return 0


def _inside_pseudo(tokens: Sequence[str], at: int, pseudo: Sequence[tuple[str, ...]]) -> bool:
    """Say whether a pseudo-cue phrase covers token ``at``."""
    for phrase in pseudo:
        for offset in range(len(phrase)):
            begin = at - offset
            if begin >= 0 and tuple(tokens[begin : begin + len(phrase)]) == phrase:
                return True
    return False
