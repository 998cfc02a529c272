"""Where each numeric run setting must lie, whether it comes from a flag or a config file."""

from __future__ import annotations

from backtriage.harness.loading.numbers import Range

DAY = 86_400.0

RANGES: dict[str, Range] = {
    "concurrency": Range(1, 256, integer=True),
    "epochs": Range(1, 1000, integer=True),
    "timeout": Range(0, DAY, above=True),
    "retries": Range(0, 100, integer=True),
    "retry_backoff": Range(0, 3600),
    "max_total_seconds": Range(0, 30 * DAY, above=True),
}
"""Config key to its range; the flag is the key with ``-`` for ``_`` (``--retry-backoff``).
A day per call and a month per run are far beyond any real run; larger values are typos."""


def flag_name(key: str) -> str:
    """The command-line flag of config key ``key``."""
    return "--" + key.replace("_", "-")
