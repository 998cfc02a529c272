"""A problem found in an input file, named precisely enough to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or doubtful) in an input file.

    Attributes:
        file: path of the file, as given or found.
        pointer: JSON pointer of the field (``""`` for the whole file).
        message: what is wrong, in words.
        severity: ``"error"`` makes the input invalid; ``"warning"`` is reported only.
        vignette_id: the vignette's id, when it could be read.
    """

    file: str
    pointer: str
    message: str
    severity: str = "error"
    vignette_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.pointer}" if self.pointer else self.file
        who = f" [{self.vignette_id}]" if self.vignette_id else ""
        # Bounded whatever the input: a 10 MB key or value never becomes a 10 MB line.
        return f"{self.severity}: {_cap(where)}{_cap(who)}: {_cap(self.message, 1000)}"


def _cap(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class InputError(Exception):
    """Raised when an input (corpus, policy, config, spec) is invalid; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class CorpusChanged(InputError):
    """Raised when a corpus file changed after it was loaded and checked.

    A run reads a large corpus's narratives from their files when it needs them; one whose
    file no longer holds the bytes that were checked cannot be used, and the run stops (it is
    the input's fault, never the system's answer).
    """


def errors_only(problems: list[Problem]) -> list[Problem]:
    """Return the problems whose severity is ``error``."""
    return [p for p in problems if p.severity == "error"]
