"""Plain data of the contract: decisions, presentations and vignettes.

All are frozen dataclasses built from validated JSON, but for ``Presentation``, a small
immutable class whose narrative may be read from its file when asked for; they never validate
on their own, the loader does (``backtriage.harness.loading``). They have slots, not instance
dictionaries: a corpus of 100,000 vignettes holds some 600,000 of them, and an instance
dictionary costs more than the data it holds.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Hashable, Mapping
from dataclasses import FrozenInstanceError, dataclass, field
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

from backtriage.harness.open_questions import open_questions
from backtriage.harness.vocabulary import RED_FLAG_URGENCIES


@dataclass(frozen=True, slots=True)
class Decision:
    """A triage decision: what a system answers and what a vignette expects.

    ``safety_net`` and ``questions`` are optional warning-sign topics
    (:data:`~backtriage.harness.vocabulary.SAFETY_NET_TOPICS`): ``None`` means the system did
    not report them, an empty tuple that it reported none.
    """

    urgency: str
    imaging: str
    category: str
    suspected_conditions: tuple[str, ...] = ()
    rationale: str | None = None
    safety_net: tuple[str, ...] | None = None
    questions: tuple[str, ...] | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        """Build a decision from a dictionary already validated against the decision schema.

        Its values are then words of the vocabulary: interned, so 10,000 answers hold one copy
        of each word rather than one per answer (about 400 bytes an answer).
        """
        intern = _intern_word
        return cls(
            urgency=intern(data["urgency"]),
            imaging=intern(data["imaging"]),
            category=intern(data["category"]),
            suspected_conditions=tuple(map(intern, data.get("suspected_conditions", ()))),
            rationale=data.get("rationale"),
            safety_net=_optional_topics(data.get("safety_net")),
            questions=_optional_topics(data.get("questions")),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form (decision schema)."""
        out: dict[str, Any] = {
            "urgency": self.urgency,
            "imaging": self.imaging,
            "category": self.category,
            "suspected_conditions": list(self.suspected_conditions),
        }
        if self.safety_net is not None:
            out["safety_net"] = list(self.safety_net)
        if self.questions is not None:
            out["questions"] = list(self.questions)
        if self.rationale is not None:
            out["rationale"] = self.rationale
        return out


def _optional_topics(value: Any) -> tuple[str, ...] | None:
    return None if value is None else tuple(map(_intern_word, value))


def _intern_word(word: str) -> str:
    """The interned copy of a word of plain text; a ``str`` subclass (an enum) is kept as is."""
    return sys.intern(word) if type(word) is str else word


class NarrativeSource(Protocol):
    """A narrative kept out of memory, read when it is asked for (see ``Presentation``)."""

    def read(self) -> str:
        """Return the narrative text.

        Raises:
            InputError: the text can no longer be read as it was loaded (its file changed).
        """


class Presentation:
    """Everything a triage system may see of a case: the narrative and structured findings.

    ``register`` says who wrote the narrative (``clinician`` or ``lay``), so a free-text LLM
    adapter can ask the model to answer as it would that reader; it is how the case is told,
    not a label. It stays out of :meth:`to_dict`, so the JSON other adapters send is unchanged.

    The narrative is given as text, or as a :class:`NarrativeSource` that reads it when
    ``narrative`` is asked for: the loader keeps the narratives of a very large corpus in
    their files (they are most of its memory) and the rule systems never read them. Immutable
    like the dataclasses here, and equal to another presentation of the same text, findings
    and register however each holds its narrative.
    """

    __slots__ = ("_narrative", "findings", "register")
    _narrative: str | NarrativeSource
    findings: Mapping[str, Any]
    register: str

    def __init__(
        self,
        narrative: str | NarrativeSource,
        findings: Mapping[str, Any],
        register: str = "clinician",
    ) -> None:
        put = object.__setattr__  # immutable: set once, here
        put(self, "_narrative", narrative)
        put(self, "findings", findings)
        put(self, "register", register)

    @property
    def narrative(self) -> str:
        """The narrative text (read from its source each time, when it is kept out of memory).

        Raises:
            InputError: a narrative kept in its file can no longer be read as loaded.
        """
        text = self._narrative
        return text if isinstance(text, str) else text.read()

    @property
    def narrative_held(self) -> bool:
        """True when the narrative text is in memory, False when it is read from its source."""
        return isinstance(self._narrative, str)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form sent to adapters: ``{"narrative": ..., "findings": {...}}``."""
        return {"narrative": self.narrative, "findings": _thaw_findings(self.findings)}

    def with_findings(self, findings: Mapping[str, Any]) -> Presentation:
        """This presentation with other findings; its narrative is not read to make it."""
        return Presentation(self._narrative, findings, self.register)

    def findings_dict(self) -> dict[str, Any]:
        """Return the findings in their JSON form (a fresh copy), without the narrative."""
        return _thaw_findings(self.findings)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Presentation):
            return NotImplemented
        if self is other:
            return True
        return (self.register == other.register and self.findings == other.findings
                and self.narrative == other.narrative)

    __hash__ = None  # type: ignore[assignment]  # equal by value, and its findings are a mapping

    def __reduce__(self) -> tuple[type[Presentation], tuple[Any, ...]]:
        # Copied through __init__, as the frozen dataclass it was is (its __setattr__ refuses).
        return (Presentation, (self._narrative, self.findings, self.register))

    def __repr__(self) -> str:
        return (f"Presentation(narrative={self._narrative!r}, findings={self.findings!r}, "
                f"register={self.register!r})")


@dataclass(frozen=True, slots=True)
class Acceptable:
    """Alternative values a cited guideline also supports."""

    urgency: tuple[str, ...] = ()
    imaging: tuple[str, ...] = ()
    category: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, list[str]]:
        """Return the JSON form: the fields that hold alternatives, as lists."""
        fields = (("urgency", self.urgency), ("imaging", self.imaging),
                  ("category", self.category))
        return {name: list(values) for name, values in fields if values}


@dataclass(frozen=True, slots=True)
class Citation:
    """A source id from the bibliography and the section cited."""

    id: str
    section: str | None = None


@dataclass(frozen=True, slots=True)
class Vignette:
    """A clinical case with its expected decision, labels and provenance."""

    id: str
    version: int
    title: str
    tags: tuple[str, ...]
    register: str
    presentation: Presentation
    expected: Decision
    acceptable: Acceptable
    label_status: str
    rationale: str
    sources: tuple[Citation, ...]
    review_status: str
    path: str = ""
    content_hash: str = ""

    # Scoring asks for these several times per answer: each is computed once, when the
    # vignette is made. Fields, not cached properties: a cached property gives every instance a
    # dictionary of its own (190 bytes more per vignette after scoring, measured at 10,000).
    urgencies_accepted: frozenset[str] = field(init=False, repr=False, compare=False)
    """Expected urgency plus the acceptable alternatives."""
    imaging_accepted: frozenset[str] = field(init=False, repr=False, compare=False)
    """Expected imaging plus the acceptable alternatives."""
    categories_accepted: frozenset[str] = field(init=False, repr=False, compare=False)
    """Expected category plus the acceptable alternatives."""
    open_questions: tuple[str, ...] = field(init=False, repr=False, compare=False)
    """Must-not-miss questions the findings leave open (see ``harness/open_questions.py``)."""

    def __post_init__(self) -> None:
        expected, acceptable = self.expected, self.acceptable
        put = object.__setattr__  # frozen: set once, here
        # The sets are shared between vignettes (few distinct ones exist).
        put(self, "urgencies_accepted", _shared(frozenset((expected.urgency, *acceptable.urgency))))
        put(self, "imaging_accepted", _shared(frozenset((expected.imaging, *acceptable.imaging))))
        put(self, "categories_accepted",
            _shared(frozenset((expected.category, *acceptable.category))))
        findings = self.presentation.findings
        made, asks = _ASKED
        # from_dict has just asked the same frozen findings (immutable, so the same object
        # gives the same questions); anything else is asked here.
        put(self, "open_questions", asks if made is findings else open_questions(findings))

    @property
    def is_red_flag(self) -> bool:
        """True when the expected urgency is emergency or urgent (never scored as over-imaging)."""
        return self.expected.urgency in RED_FLAG_URGENCIES

    @property
    def imaging_indicated(self) -> bool:
        """True when imaging now is expected and ``none`` is not acceptable."""
        return "none" not in self.imaging_accepted

    @property
    def imaging_not_indicated(self) -> bool:
        """True when ``none`` is expected and is the only acceptable value."""
        return self.imaging_accepted == frozenset({"none"})

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        path: str = "",
        content_hash: str = "",
        narrative: NarrativeSource | None = None,
    ) -> Vignette:
        """Build a vignette from a dictionary already validated against the vignette schema.

        ``narrative``, if given, is where the presentation reads its narrative from instead of
        holding the text in ``data`` (see :class:`Presentation`).
        """
        global _ASKED
        pres = data["presentation"]
        acc = data.get("acceptable", {})
        exp = data["expected"]
        findings = _freeze_findings(pres["findings"])
        asks = open_questions(findings)
        _ASKED = (findings, asks)  # handed to __post_init__, which would ask them again
        questions = _optional_topics(exp.get("questions"))
        safety_net = _optional_topics(exp.get("safety_net"))
        if asks and questions is None and safety_net is None:
            # The expected answer asks what the history leaves open (labeling guide, "Open
            # questions"), so the expected decision itself is never a missing safety net.
            questions = asks
        intern = sys.intern
        register = intern(data["register"])
        # Words that recur from vignette to vignette (tags, finding values, source ids and
        # sections, vocabulary) are interned: one copy each, not one per vignette, which more
        # than halves the memory of a large corpus. So is the rationale, which the variants of
        # one case (a retelling, another register) share; the narrative and title are not.
        # Whole values that recur (the same citations, acceptable sets, expected decisions)
        # are shared the same way: they are frozen, so one object serves every vignette.
        tags = tuple(map(intern, data.get("tags", ())))
        conditions = tuple(map(intern, exp.get("suspected_conditions", ())))
        expected = (intern(exp["urgency"]), intern(exp["imaging"]), intern(exp["category"]),
                    conditions, exp.get("rationale"), safety_net, questions)
        alternatives = (tuple(map(intern, acc.get("urgency", ()))),
                        tuple(map(intern, acc.get("imaging", ()))),
                        tuple(map(intern, acc.get("category", ()))))
        cited = tuple((intern(c["id"]), _intern_optional(c.get("section")))
                      for c in data["sources"])
        return cls(
            id=data["id"],
            version=data["version"],
            title=data["title"],
            tags=_share(("tags", tags), lambda: tags),
            register=register,
            presentation=Presentation(
                narrative=pres["narrative"] if narrative is None else narrative,
                findings=findings,
                register=register,
            ),
            # Looked up by their fields (tuples of text, hashed in C), not by the objects,
            # whose generated __hash__ and __eq__ would cost a Python call each.
            expected=_share(("expected", expected), lambda: Decision(*expected)),
            acceptable=_share(("acceptable", alternatives), lambda: Acceptable(*alternatives)),
            label_status=intern(data["label_status"]),
            rationale=intern(data["rationale"]),
            sources=_share(("sources", cited),
                           lambda: tuple(Citation(cid, section) for cid, section in cited)),
            review_status=intern(data["provenance"]["review_status"]),
            path=path,
            content_hash=content_hash,
        )


_ASKED: tuple[Mapping[str, Any] | None, tuple[str, ...]] = (None, ())
"""The frozen findings :meth:`Vignette.from_dict` last built and the questions they leave open.

Read by identity only: frozen findings never change, so no other object can be mistaken for
them, and a value left by another thread is simply not used.
"""

_SHARED: dict[Any, Any] = {}
_SHARED_LIMIT = 100_000
"""Distinct values kept for sharing; past it, new values are simply not shared (a corpus
whose every rationale differs must not grow the table without bound)."""

_T = TypeVar("_T")


def _shared(value: _T) -> _T:
    """One object for each distinct frozen value (equal values are interchangeable)."""
    return _share(value, lambda: value)


def _share(key: Hashable, make: Callable[[], _T]) -> _T:
    """The one object kept for ``key``, made by ``make`` the first time it is asked for."""
    known = _SHARED.get(key)
    if known is not None:
        return known  # type: ignore[no-any-return]
    value = make()
    if len(_SHARED) < _SHARED_LIMIT:
        _SHARED[key] = value
    return value


def canonical_json(data: Any) -> str:
    """Serialise deterministically (sorted keys, no spaces) for hashing."""
    try:
        # Parsed JSON needs no thawing (tuples are written as lists, as thawed); a frozen
        # mapping is not serialisable, and is thawed first.
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except TypeError:
        return json.dumps(_thaw(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def frozen_findings(findings: Mapping[str, Any]) -> Mapping[str, Any]:
    """``findings`` as a vignette holds them: frozen, words interned, shared with equal ones.

    Equal to ``findings`` value for value (lists become tuples, mappings read-only views).
    """
    return _freeze_findings(findings)


def _freeze_findings(findings: Mapping[str, Any]) -> Mapping[str, Any]:
    """``_freeze(findings, intern=True)``, the usual shapes in one pass.

    Text, numbers and lists of text are frozen here; anything else goes to :func:`_freeze`.
    A vignette's findings are most of the work of building it.
    """
    intern = sys.intern
    frozen: dict[str, Any] = {}
    plain = True  # every value hashable, so equal findings can be one shared mapping
    for key, value in findings.items():
        kind = type(value)
        if kind is str:
            value = intern(value)
        elif kind is list and all(type(v) is str for v in value):
            value = tuple(map(intern, value))
        elif kind is not int and kind is not bool and value is not None:
            value = _freeze(value, intern=True)
            plain = False
        frozen[intern(key)] = value
    if not plain:
        return MappingProxyType(frozen)
    # The variants of one case share their findings; a mapping of them costs about 0.6 KB,
    # more than the rest of a vignette but its narrative. The types are part of the key:
    # True == 1, and the shared mapping must write back as it was read.
    found_by = ("findings", tuple(frozen.items()), tuple(map(type, frozen.values())))
    return _share(found_by, lambda: MappingProxyType(frozen))


def _freeze(value: Any, intern: bool = False) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({
            (sys.intern(k) if intern else k): _freeze(v, intern) for k, v in value.items()
        })
    if isinstance(value, list | tuple):
        return tuple(_freeze(v, intern) for v in value)
    if intern and isinstance(value, str):
        return sys.intern(value)
    return value


def _intern_optional(text: str | None) -> str | None:
    return None if text is None else sys.intern(text)


def _thaw_findings(findings: Mapping[str, Any]) -> dict[str, Any]:
    """``_thaw(findings)``, the usual shapes (text, numbers, tuples of text) in one pass."""
    thawed: dict[str, Any] = {}
    for key, value in findings.items():
        kind = type(value)
        if kind is tuple and all(type(v) is str for v in value):
            value = list(value)
        elif kind is not str and kind is not int and kind is not bool and value is not None:
            value = _thaw(value)
        thawed[key] = value
    return thawed


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_thaw(v) for v in value]
    return value
