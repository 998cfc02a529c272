"""The corpus as pytest items: one per vignette, marked by its strata."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from backtriage.harness.engine import AnswerRecord
from backtriage.harness.model import Vignette
from backtriage.harness.pytest_plugin.settings import MARKERS
from backtriage.scoring.vignette_score import VignetteScore, score_vignette

if TYPE_CHECKING:
    from backtriage.harness.pytest_plugin.session import BacktriageSession


class VignetteFailed(Exception):
    """A vignette answered with an outcome (a wrong decision); the message explains it."""


class VignetteCollection(pytest.Collector):
    """The corpus as a collector: one :class:`VignetteItem` per vignette."""

    def __init__(
        self, *, plugin: BacktriageSession, only: tuple[str, ...] = (), **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.plugin = plugin
        self.only = frozenset(only)

    def collect(self) -> list[pytest.Item]:
        """Return the items, in the corpus's order (sorted by vignette id).

        ``only``, when not empty, holds the ids named as ``backtriage::ID`` arguments.
        """
        return [
            VignetteItem.from_parent(self, name=v.id, vignette=v, plugin=self.plugin)
            for v in self.plugin.corpus.vignettes
            if not self.only or v.id in self.only
        ]


class VignetteItem(pytest.Item):
    """One vignette: setup asks the system, the test checks the answer has no outcome."""

    def __init__(self, *, vignette: Vignette, plugin: BacktriageSession, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vignette = vignette
        self.plugin = plugin
        self.records: tuple[AnswerRecord, ...] = ()
        self.score: VignetteScore | None = None
        for marker in markers_for(vignette):
            self.add_marker(marker)

    def setup(self) -> None:
        """Ask the system; a system error is reported as a test error."""
        self.records = self.plugin.ask(self.vignette)
        self.score = score_vignette(self.vignette, [r.decision for r in self.records])
        failed = [r for r in self.records if r.decision is None]
        if failed:
            pytest.fail(
                f"system error on {len(failed)} of {len(self.records)} answer(s): "
                f"{failed[0].error}\n"
                + self.plugin.explain(self.vignette, self.records, self.score),
                pytrace=False,
            )

    def runtest(self) -> None:
        """Fail when the answer has any outcome (critical miss, over-imaging, ...)."""
        assert self.score is not None
        if self.score.combined.outcomes:
            raise VignetteFailed(self.plugin.explain(self.vignette, self.records, self.score))

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> Any:
        """Show the explanation, not a traceback, for a wrong decision."""
        if isinstance(excinfo.value, VignetteFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path | str, int | None, str]:
        """Point at the vignette file."""
        path = Path(self.vignette.path) if self.vignette.path else self.path
        return path, None, f"vignette {self.vignette.id}"


def markers_for(vignette: Vignette) -> list[str]:
    """The marker names of a vignette: conditions, urgency, label status, register."""
    names = [
        "backtriage",
        *vignette.expected.suspected_conditions,
        vignette.expected.urgency,
        vignette.label_status,
        vignette.register,
    ]
    if vignette.is_red_flag:
        names.append("red_flag")
    return list(dict.fromkeys(n for n in names if n in MARKERS))
