"""Run options that shape the engine: concurrency, epochs (and, later, timeouts and retries)."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from typing import Any

from harness.cli.config import setting
from harness.engine import EngineOptions
from harness.loading.problems import InputError, Problem


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the engine flags to the run command."""
    g = p.add_argument_group("engine")
    g.add_argument("--concurrency", type=int, help="calls in flight at once (default: 4)")
    g.add_argument("--epochs", type=int, help="answers asked per vignette (default: 1)")


def engine_options(args: argparse.Namespace, config: Mapping[str, Any]) -> EngineOptions:
    """Resolve engine options: CLI flag > config file > default.

    Raises:
        InputError: for a value out of range.
    """
    concurrency = setting("concurrency", args.concurrency, config, 4)
    epochs = setting("epochs", args.epochs, config, 1)
    problems = [
        Problem("--" + name, "", f"must be at least 1, got {value}")
        for name, value in (("concurrency", concurrency), ("epochs", epochs))
        if value < 1
    ]
    if problems:
        raise InputError(problems)
    return EngineOptions(concurrency=concurrency, epochs=epochs)
