"""A system's traceback as a user wants to read it: only the frames of the system's own code."""

from __future__ import annotations

import traceback
from pathlib import Path

_HARNESS_ROOT = Path(__file__).resolve().parents[1]


def user_traceback(exc: BaseException) -> str | None:
    """Format ``exc`` with the harness's own frames left out (all of them if none remain).

    Returns ``None`` for an exception without a traceback. An exception that carries the
    traceback of another process (``remote_traceback``) is returned as it came.
    """
    remote = getattr(exc, "remote_traceback", None)
    if isinstance(remote, str):
        return remote
    if exc.__traceback__ is None:
        return None
    every = traceback.extract_tb(exc.__traceback__)
    own = [f for f in every if not _in_harness(f.filename)]
    # An error the harness raised on the system's behalf: the whole stack is the story.
    frames = own or list(every)
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames),
             *traceback.format_exception_only(exc)]
    return "".join(lines).rstrip("\n")


def _in_harness(filename: str) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(_HARNESS_ROOT)
    except (OSError, ValueError):
        return False
