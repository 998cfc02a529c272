"""A run of a system over a corpus: evaluate, write and read results, shard and merge."""

from __future__ import annotations

from typing import TYPE_CHECKING

from backtriage._lazy import lazy_exports

if TYPE_CHECKING:
    from backtriage.harness.runs.evaluation import (
        RunResult,
        evaluate,
        result_from_records,
        results_document,
    )
    from backtriage.harness.runs.results_io import read_results, write_results

_EXPORTS = {
    "RunResult": "backtriage.harness.runs.evaluation",
    "evaluate": "backtriage.harness.runs.evaluation",
    "read_results": "backtriage.harness.runs.results_io",
    "result_from_records": "backtriage.harness.runs.evaluation",
    "results_document": "backtriage.harness.runs.evaluation",
    "write_results": "backtriage.harness.runs.results_io",
}

__all__ = [
    "RunResult",
    "evaluate",
    "read_results",
    "result_from_records",
    "results_document",
    "write_results",
]
__getattr__, __dir__ = lazy_exports(globals(), _EXPORTS)
