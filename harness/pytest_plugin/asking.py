"""Calling the system for the items: a window of upcoming vignettes at a time.

pytest runs items one after another, so asking only the current vignette would leave
``--backtriage-concurrency`` with nothing to overlap. When an item needs answers that are not
in yet, the system is asked about it and the next few vignettes in run order together; their
answers wait here for their own items. Under pytest-xdist a worker cannot know which items it
will be handed next, so there the window is the item alone (the workers are the concurrency).
"""

from __future__ import annotations

from collections.abc import Sequence

from backtriage.harness.engine import AnswerRecord, EngineOptions, run_system
from backtriage.harness.model import Vignette
from backtriage.harness.systems import TriageSystem


class AnswerWindow:
    """Asks the system about vignettes in run order, ``window`` vignettes per batch."""

    def __init__(self, system: TriageSystem, options: EngineOptions, window: int) -> None:
        self.system = system
        self.options = options
        self.window = max(1, window)
        self._order: list[Vignette] = []
        self._position: dict[str, int] = {}
        self._asked: set[str] = set()
        self._ready: dict[str, tuple[AnswerRecord, ...]] = {}

    def plan(self, vignettes: Sequence[Vignette]) -> None:
        """Set the run order (the items left after selection, as pytest will run them)."""
        self._order = list(vignettes)
        self._position = {v.id: i for i, v in enumerate(self._order)}

    def ask(self, vignette: Vignette) -> tuple[AnswerRecord, ...]:
        """Return the answers for ``vignette``, asking it and the next few if need be."""
        ready = self._ready.pop(vignette.id, None)
        if ready is not None:
            return ready
        batch = [vignette, *self._upcoming(vignette, self.window - 1)]
        self._asked.update(v.id for v in batch)
        records = run_system(self.system, batch, self.options)
        by_id: dict[str, list[AnswerRecord]] = {}
        for record in records:
            by_id.setdefault(record.vignette_id, []).append(record)
        for other in batch[1:]:
            self._ready[other.id] = tuple(by_id.get(other.id, ()))
        return tuple(by_id.get(vignette.id, ()))

    def _upcoming(self, vignette: Vignette, count: int) -> list[Vignette]:
        start = self._position.get(vignette.id)
        if start is None or count <= 0:
            return []
        later = (v for v in self._order[start + 1 :] if v.id not in self._asked)
        return [v for _, v in zip(range(count), later, strict=False)]
