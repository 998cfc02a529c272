"""The runs a report compares: each results document with its label, colour and case texts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from backtriage.harness.runs.case_texts import CaseTexts

PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#000000")
"""Okabe-Ito colours (distinguishable with the common colour-vision deficiencies); yellow is
left out because it cannot be read on white."""


@dataclass(frozen=True)
class RunView:
    """One run as the report shows it.

    Attributes:
        index: position among the compared runs (0 first).
        label: the run label, else the system spec; unique within a report.
        source: the results file it was read from.
        document: the results document (``results.json``).
        texts: narratives and citations matched from the corpus.
    """

    index: int
    label: str
    source: str
    document: Mapping[str, Any]
    texts: CaseTexts = field(default_factory=CaseTexts)

    @property
    def colour(self) -> str:
        """The run's colour in the chart and tables."""
        return PALETTE[self.index % len(PALETTE)]

    @property
    def metrics(self) -> Mapping[str, Any]:
        """Metrics over all vignettes of the run."""
        metrics: Mapping[str, Any] = self.document["metrics"]
        return metrics


def run_label(document: Mapping[str, Any]) -> str:
    """The label a run was given (``--label``), else its system spec."""
    system = document.get("system") or {}
    for candidate in (document.get("label"), system.get("label"), system.get("spec")):
        if isinstance(candidate, str) and candidate.strip():
            return candidate.strip()
    return "unnamed run"


def build_runs(
    inputs: Sequence[tuple[str, Mapping[str, Any]]], texts: Sequence[CaseTexts] | None = None
) -> list[RunView]:
    """Label each ``(source, document)`` pair; labels shared by runs get their file added.

    Args:
        inputs: the results files and their documents, in the order given.
        texts: the case texts of each run, in the same order (none: no narratives).
    """
    labels = [run_label(doc) for _, doc in inputs]
    counts = Counter(labels)
    labels = [
        f"{label} ({source})" if counts[label] > 1 else label
        for label, (source, _) in zip(labels, inputs, strict=True)
    ]
    # The same file given twice still needs two names.
    seen: Counter[str] = Counter()
    unique = []
    for label in labels:
        seen[label] += 1
        unique.append(label if seen[label] == 1 else f"{label} #{seen[label]}")
    return [
        RunView(
            index=i,
            label=label,
            source=source,
            document=doc,
            texts=texts[i] if texts is not None else CaseTexts(),
        )
        for i, (label, (source, doc)) in enumerate(zip(unique, inputs, strict=True))
    ]
