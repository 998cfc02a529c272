"""The shape of a corpus check that sees one vignette at a time.

The corpus checks (unique ids, near-duplicates, narrative consistency, lay examinations,
contrast pairs) are fed each schema-valid vignette as it is read and keep only what their
cross-file part needs, so a first check of a very large corpus never holds every parsed file:
at 100,000 vignettes those were about 1 GB of dicts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Protocol

from backtriage.harness.loading.problems import Problem


class CorpusCheck(Protocol):
    """A check fed every schema-valid vignette of a corpus, in file order, then asked once."""

    def add(self, file: str | Path, data: Mapping[str, Any]) -> None:
        """Look at one vignette; keep only what the check needs of ``data`` (never ``data``)."""

    def problems(self) -> list[Problem]:
        """Every problem found, in the order the list form of the check reports them."""


def run_check(
    check: CorpusCheck, loaded: Iterable[tuple[Path, Mapping[str, Any]]]
) -> list[Problem]:
    """Feed ``check`` every vignette of ``loaded`` and return its problems."""
    for file, data in loaded:
        check.add(file, data)
    return check.problems()
