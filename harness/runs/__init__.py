"""A run of a system over a corpus: evaluate, write and read results, shard and merge."""

from backtriage.harness.runs.evaluation import (
    RunResult,
    evaluate,
    result_from_records,
    results_document,
)
from backtriage.harness.runs.results_io import read_results, write_results

__all__ = [
    "RunResult",
    "evaluate",
    "read_results",
    "result_from_records",
    "results_document",
    "write_results",
]
