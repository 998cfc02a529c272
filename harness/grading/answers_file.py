"""The one strict reader of collected answers: ``ANSWERS.jsonl``, one JSON object per line.

Fields: ``vignette_id`` (a corpus id), ``answer`` (the text as the product gave it), and
optionally ``system`` (a name; every line must agree) and ``epoch`` (an integer from 0, for
repeated samples; default 0). Nothing else is allowed, so a misspelt field is caught.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from backtriage.harness.loading.jsonfile import parse_json
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.loading.textfile import decode_utf8, read_bytes

_FIELDS = {"vignette_id", "answer", "system", "epoch"}
ANSWER_FORMATS = ("auto", "text", "json")
"""How an answer is read: ``auto`` (a decision object when it starts with ``{``, else prose),
``text`` (always prose) or ``json`` (always a decision object)."""


@dataclass(frozen=True)
class CollectedAnswer:
    """One collected answer and the line it came from."""

    vignette_id: str
    epoch: int
    answer: str
    line: int


@dataclass(frozen=True)
class AnswersFile:
    """Every answer of the file, its system name (if given) and the file's SHA-256."""

    path: str
    answers: tuple[CollectedAnswer, ...]
    system: str | None
    sha256: str


def read_answers(path: str | Path, known_ids: Collection[str] | None = None) -> AnswersFile:
    """Read and check an answers file (against the corpus ids, when given).

    Raises:
        InputError: naming the file, line and vignette id of every problem (bad JSON, a
            missing or unknown field, an id not in ``known_ids``, a duplicate
            (vignette_id, epoch), disagreeing systems).
    """
    file = str(path)
    data = read_bytes(Path(path), "JSONL file of answers")
    text = decode_utf8(data, file)
    problems: list[Problem] = []
    answers: list[CollectedAnswer] = []
    seen: dict[tuple[str, int], int] = {}
    systems: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            obj = parse_json(line, f"{file}:{where}")
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if not isinstance(obj, dict):
            problems.append(Problem(file, where, "expected a JSON object"))
            continue
        vid = obj.get("vignette_id")
        who = vid if isinstance(vid, str) else None
        unknown = sorted(set(obj) - _FIELDS)
        if unknown:
            problems.append(Problem(file, where, f"unknown field(s) {', '.join(unknown)}; "
                                                 f"allowed: {', '.join(sorted(_FIELDS))}",
                                    vignette_id=who))
        if not isinstance(vid, str) or not vid:
            problems.append(Problem(file, where, "'vignette_id' must be a non-empty string"))
            continue
        answer = obj.get("answer")
        if not isinstance(answer, str):
            problems.append(Problem(file, where, "'answer' must be a string (the answer text)",
                                    vignette_id=vid))
            continue
        epoch = obj.get("epoch", 0)
        if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
            problems.append(Problem(file, where, "'epoch' must be an integer from 0",
                                    vignette_id=vid))
            continue
        system = obj.get("system")
        if system is not None:
            if not isinstance(system, str) or not system:
                problems.append(Problem(file, where, "'system' must be a non-empty string",
                                        vignette_id=vid))
                continue
            systems.setdefault(system, number)
        if known_ids is not None and vid not in known_ids:
            problems.append(Problem(file, where, "no such vignette in the corpus",
                                    vignette_id=vid))
            continue
        key = (vid, epoch)
        if key in seen:
            problems.append(Problem(file, where, f"duplicate answer for epoch {epoch} (first "
                                                 f"on line {seen[key]})", vignette_id=vid))
            continue
        seen[key] = number
        answers.append(CollectedAnswer(vid, epoch, answer, number))
    if len(systems) > 1:
        names = ", ".join(f"{name!r} (line {n})" for name, n in systems.items())
        problems.append(Problem(file, "", f"answers of more than one system: {names}; grade "
                                          "one system per file"))
    if problems:
        raise InputError(problems)
    return AnswersFile(file, tuple(answers), next(iter(systems), None),
                       hashlib.sha256(data).hexdigest())
