"""Edits of a narrative's wording that should not change a triage decision.

Each edit returns the new text, or ``None`` when it does not apply to this narrative (there is
nothing to change, or changing it could change the meaning). Edits are deterministic: the same
text and seed always give the same result, so a robustness run is reproducible and resumable.
"""

from __future__ import annotations

import hashlib
import re

# The patient's own words (and a partner's, which swap the other way).
_TO_MALE = {
    "woman": "man", "women": "men", "female": "male", "lady": "gentleman", "girl": "boy",
    "she": "he", "herself": "himself", "husband": "wife", "boyfriend": "girlfriend",
    "mother": "father", "mum": "dad", "mom": "dad", "daughter": "son", "sister": "brother",
    "gal": "guy"
}  # fmt: skip
_TO_FEMALE = {
    "man": "woman", "men": "women", "male": "female", "gentleman": "lady", "boy": "girl",
    "he": "she", "himself": "herself", "wife": "husband", "girlfriend": "boyfriend",
    "father": "mother", "dad": "mum", "son": "daughter", "brother": "sister",
    "guy": "woman", "bloke": "woman", "his": "her", "him": "her"
}  # fmt: skip
SEX_SPECIFIC = re.compile(
    r"pregnan|postpartum|post-partum|birth|labour|labor\b|period|menstru|menopaus|prostat|"
    r"testic|scrot|ovar|uter|womb|gynae|gyne|cervi|breast|erecti|vagin|penis|psa\b|"
    r"miscarr|caesarean|c-section|epidural",
    re.IGNORECASE,
)
"""Words of sex-specific anatomy or care: a narrative holding one is not sex-swapped."""

# "her" is "him" before these words (drove her here, told her that) and "his" otherwise.
_HER_AS_OBJECT_BEFORE = {
    "", "to", "and", "that", "up", "down", "off", "out", "in", "on", "at", "with", "for", "a",
    "an", "the", "about", "if", "so", "again", "over", "into", "from", "it", "here", "there",
    "now", "today", "yesterday", "this", "when", "because", "but", "or", "as", "like", "very",
    "much", "any", "some", "anything", "something", "nothing", "is", "was", "has", "had"
}  # fmt: skip


def swap_sex(text: str, to_sex: str) -> str | None:
    """Rewrite the patient's sex words towards ``to_sex`` (``male`` or ``female``).

    Returns ``None`` for sex-specific content (pregnancy, prostate, ...), where the swap would
    change the case rather than only its wording.
    """
    if SEX_SPECIFIC.search(text):
        return None
    table = _TO_MALE if to_sex == "male" else _TO_FEMALE

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        lower = word.lower()
        if to_sex == "male" and lower == "her":
            rest = text[match.end() :]
            ends_clause = not rest[:1].isspace()  # "her." / "her," / the end of the text
            following = rest.lstrip().split(" ", 1)[0].strip(".,;:!?").lower()
            new = "him" if ends_clause or following in _HER_AS_OBJECT_BEFORE else "his"
        elif lower in table:
            new = table[lower]
        else:
            return word
        return _same_case(word, new)

    words = "|".join(sorted({*table, "her"}, key=len, reverse=True))
    return re.sub(rf"\b(?:{words})\b", replace, text, flags=re.IGNORECASE)


def replace_age(text: str, old: int, new: int) -> str | None:
    """Replace the one stated age ``old`` with ``new``; ``None`` unless stated exactly once."""
    pattern = re.compile(
        rf"(?<![\d.,/:-])\b{old}\b(?=(?:\s*-?\s*(?:year|yr|yo\b|y/o|y\.o\.|M\b|F\b|m\b|f\b)))"
        rf"|(?<=aged )\b{old}\b|(?<=I'm )\b{old}\b|(?<=I am )\b{old}\b|(?<=age )\b{old}\b"
        rf"|(?<=, ){old}\b(?=,)"
    )
    found = pattern.findall(text)
    if len(found) != 1 or len(re.findall(rf"(?<![\d.])\b{old}\b(?![\d.])", text)) != 1:
        return None
    return pattern.sub(str(new), text)


_NUMBER_WORDS = {
    1: "one",
    2: "two",
    3: "three",
    4: "four",
    5: "five",
    6: "six",
    7: "seven",
    8: "eight",
    9: "nine",
    10: "ten",
    11: "eleven",
    12: "twelve",
}
_WORD_NUMBERS = {w: n for n, w in _NUMBER_WORDS.items()}
_DURATION = re.compile(
    r"\b(\d{1,2}|" + "|".join(_WORD_NUMBERS) + r")(\s*|-)(hours?|days?|weeks?|months?)\b",
    re.IGNORECASE,
)


def reword_duration(text: str) -> str | None:
    """Say the first duration another way: digits <-> words, weeks -> days, hours -> days."""
    match = _DURATION.search(text)
    if not match:
        return None
    amount, unit = match.group(1).lower(), match.group(3).lower()
    n = int(amount) if amount.isdigit() else _WORD_NUMBERS[amount]
    singular = unit.rstrip("s")
    if singular == "week" and n <= 4:
        new = f"{n * 7} days"
    elif singular == "hour" and n % 24 == 0 and n >= 24:
        days = n // 24
        new = f"{days} day{'s' if days > 1 else ''}"
    elif amount.isdigit() and n in _NUMBER_WORDS:
        new = f"{_NUMBER_WORDS[n]}{match.group(2) or ' '}{match.group(3)}"
    elif not amount.isdigit():
        new = f"{n}{match.group(2) or ' '}{match.group(3)}"
    else:
        return None
    if match.group(2) == "-":  # "3-day history" stays an adjective
        new = new.replace(" ", "-").rstrip("s")
    return text[: match.start()] + new + text[match.end() :]


_UK_TO_US = {
    "A&E": "the ER",
    "GP": "doctor",
    "paracetamol": "Tylenol",
    "wee": "pee",
    "weeing": "peeing",
    "poo": "poop",
    "mum": "mom",
    "bum": "butt",
    "999": "911",
    "physio": "physical therapist",
    "holiday": "vacation",
    "chemist": "drugstore",
    "co-codamol": "Tylenol with codeine",
}
_US_TO_UK = {
    "ER": "A&E",
    "the ER": "A&E",
    "emergency room": "A&E",
    "urgent care": "the walk-in centre",
    "Tylenol": "paracetamol",
    "acetaminophen": "paracetamol",
    "Advil": "ibuprofen",
    "pee": "wee",
    "peeing": "weeing",
    "poop": "poo",
    "mom": "mum",
    "butt": "bum",
    "911": "999",
    "primary care doctor": "GP",
    "PCP": "GP",
    "vacation": "holiday",
}


def swap_idiom(text: str) -> str | None:
    """Turn UK idiom into US idiom, or US into UK, whichever the narrative uses more."""
    uk = _count(text, _UK_TO_US)
    us = _count(text, _US_TO_UK)
    if uk == 0 and us == 0:
        return None
    table = _UK_TO_US if uk >= us else _US_TO_UK
    keys = sorted(table, key=len, reverse=True)
    pattern = re.compile("|".join(rf"(?<![\w&]){re.escape(k)}(?![\w&])" for k in keys))
    return pattern.sub(lambda m: table[m.group(0)], text)


def _count(text: str, table: dict[str, str]) -> int:
    return sum(len(re.findall(rf"(?<![\w&]){re.escape(k)}(?![\w&])", text)) for k in table)


_NEGATIONS = {
    "without",
    "cannot",
    "haven't",
    "hasn't",
    "doesn't",
    "didn't",
    "wasn't",
    "isn't",
    "aren't",
    "couldn't",
    "denies",
    "denied",
    "negative",
    "absent",
    "never",
}


def add_typos(text: str, seed: str, count: int = 3) -> str | None:
    """Swap two inner letters in up to ``count`` longer words (never a negation or a number)."""
    words = list(re.finditer(r"[A-Za-z]{6,}", text))
    candidates = [w for w in words if w.group(0).lower() not in _NEGATIONS]
    if not candidates:
        return None
    chosen = sorted(candidates, key=lambda w: _digest(f"{seed}:{w.start()}"))[:count]
    out = text
    for word in sorted(chosen, key=lambda w: w.start(), reverse=True):
        letters = word.group(0)
        i = 1 + _digest(f"{seed}:{word.start()}:i") % (len(letters) - 3)
        if letters[i] == letters[i + 1]:
            i = i + 1 if letters[i + 1] != letters[i + 2] else i
        typo = letters[:i] + letters[i + 1] + letters[i] + letters[i + 2 :]
        out = out[: word.start()] + typo + out[word.end() :]
    return out if out != text else None


_REFERRING_OPENERS = re.compile(
    r"^(?:it|its|it's|this|that|these|those|they|he|she|his|her|then|since|now|but|and|also|"
    r"so|which|there|after|before|when|still|again|otherwise|both|neither|none|nor)\b",
    re.IGNORECASE,
)


def swap_sentences(text: str) -> str | None:
    """Swap the first pair of adjacent middle sentences that refer back to nothing."""
    sentences = split_sentences(text)
    for i in range(1, len(sentences) - 1):
        a, b = sentences[i], sentences[i + 1]
        if not _REFERRING_OPENERS.match(a) and not _REFERRING_OPENERS.match(b):
            swapped = [*sentences[:i], b, a, *sentences[i + 2 :]]
            return " ".join(swapped)
    return None


def split_sentences(text: str) -> list[str]:
    """Split on sentence-ending punctuation followed by a space and a capital or digit."""
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])", text.strip()) if s]


_DETAILS = {
    "lay": (
        "I work in an office doing accounts, if that matters.",
        "We have a dog called Biscuit who needs walking twice a day.",
        "I get hay fever every summer but that's it.",
        "I play chess online most evenings.",
    ),
    "clinician": (
        "Works as an accountant.",
        "Lives with a partner and a dog.",
        "Seasonal hay fever; no other history of note.",
        "Enjoys chess and gardening.",
    ),
}


def add_irrelevant_detail(text: str, register: str, seed: str) -> str:
    """Insert a detail of no clinical weight (a job, a pet, hay fever) after the first sentence."""
    options = _DETAILS["lay" if register == "lay" else "clinician"]
    detail = options[_digest(seed) % len(options)]
    sentences = split_sentences(text)
    return " ".join([*sentences[:1], detail, *sentences[1:]])


def _same_case(original: str, new: str) -> str:
    if original.isupper() and len(original) > 1:
        return new.upper()
    if original[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def _digest(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
