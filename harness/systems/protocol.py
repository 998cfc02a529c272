"""The one interface every triage system implements, and what it may raise."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from backtriage.harness.model import Decision, Presentation
from backtriage.harness.waiting import capped_retry_after


@dataclass(frozen=True)
class Reply:
    """A decision with what came over the wire, for adapters that talk to something.

    Attributes:
        decision: the parsed, validated decision.
        raw: the reply exactly as received (LLM text, HTTP body, a line of stdout), if any.
        metadata: adapter facts worth keeping (model name, token usage); never secrets.
    """

    decision: Decision
    raw: str | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)


class SystemFailure(Exception):
    """Base class of failures a system reports; each is scored as an ``error`` outcome."""

    retryable: bool = False

    def __init__(self, message: str, raw: str | None = None):
        super().__init__(message)
        self.raw = raw


class InvalidAnswer(SystemFailure):
    """The system answered, but not with a valid decision (fails closed; never retried)."""


class SystemRaised(SystemFailure):
    """The system failed in another process and said why (never retried).

    The message is already the system's own (``KeyError: 'x'``), and ``traceback`` its stack
    as that process formatted it, if it sent one.
    """

    def __init__(self, message: str, raw: str | None = None, traceback: str | None = None):
        super().__init__(message, raw)
        self.remote_traceback = traceback


class TransientError(SystemFailure):
    """A failure worth retrying: a timeout, a 429, a 5xx, a dropped connection.

    Attributes:
        retry_after: seconds the server asked us to wait, if it said, capped at
            ``RETRY_AFTER_CEILING_SECONDS`` (60 s): an ``inf`` or day-long ask cannot stall a run.
    """

    retryable = True

    def __init__(self, message: str, raw: str | None = None, retry_after: float | None = None):
        super().__init__(message, raw)
        self.retry_after = capped_retry_after(retry_after)


class SystemUnavailable(SystemFailure):
    """The system cannot be reached or turns us away, so it gives no answer at all.

    Connection refused, a DNS or TLS failure, 401/403 (credentials), 404 (no such model or
    route). Never retried: none of these mends itself within a run. A run whose first calls
    (or every call in a long window) end this way stops early with exit status 4, "system
    unavailable: no verdict", instead of scoring the failures as safety results.

    Attributes:
        endpoint: where the system was sought, credentials removed, if known.
    """

    def __init__(self, message: str, raw: str | None = None, endpoint: str | None = None):
        super().__init__(message, raw)
        self.endpoint = endpoint


@runtime_checkable
class TriageSystem(Protocol):
    """A triage implementation: sees a presentation, returns a decision.

    A system never receives a vignette's expected decision, acceptable values, label status,
    rationale, sources or provenance: the engine passes the presentation only.

    Implementations may block; the engine calls ``triage`` from worker threads, so it must be
    safe to call concurrently (or the adapter serialises internally). Each call runs on a
    calling thread the engine can abandon if it overruns; the harness's own rule systems, which
    cannot hang, set the optional class attribute ``answers_inline = True`` and are called in
    the worker thread itself (see ``engine/calling.py``).

    A system that can answer without blocking may also offer two coroutine methods, found by
    :func:`async_methods` (both or neither):

    - ``async def atriage(self, presentation) -> Decision | Reply``: ``triage`` on an event
      loop, same answers, same exceptions. The engine then runs all the calls of a run as
      tasks on one event loop in one background thread (``engine/async_runner.py``).
    - ``async def aclose(self) -> None``: release what ``atriage`` opened on the running loop
      (a connection pool); the engine awaits it on that loop when the run ends. The system
      stays usable afterwards, by ``triage`` or by another run's loop.
    """

    @property
    def spec(self) -> str:
        """The spec string that chose this system, e.g. ``reference`` or ``python:pkg.mod:fn``."""
        ...

    def triage(self, presentation: Presentation) -> Decision | Reply:
        """Return the decision for one presentation.

        Raises:
            InvalidAnswer: the answer was not a valid decision.
            TransientError: a failure the engine may retry.
            Exception: anything else is recorded as an error outcome.
        """
        ...

    def describe(self) -> dict[str, Any]:
        """Return JSON-safe facts identifying the system for results files (never secrets)."""
        ...

    def close(self) -> None:
        """Release processes, connections or files the system holds."""
        ...


@dataclass(frozen=True)
class AsyncMethods:
    """A system's optional coroutine methods (see :class:`TriageSystem`)."""

    triage: Callable[[Presentation], Awaitable[Decision | Reply]]
    close: Callable[[], Awaitable[None]]


def async_methods(system: object) -> AsyncMethods | None:
    """The system's ``atriage`` and ``aclose`` if it offers both as coroutines, else ``None``."""
    atriage = getattr(system, "atriage", None)
    aclose = getattr(system, "aclose", None)
    if inspect.iscoroutinefunction(atriage) and inspect.iscoroutinefunction(aclose):
        return AsyncMethods(atriage, aclose)
    return None
