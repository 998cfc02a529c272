"""The run command's engine flags: concurrency, epochs, time limits, retries, resume, cache.

Every setting follows one precedence rule: CLI flag > config file > environment > default.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backtriage.harness.cli.config import setting
from backtriage.harness.cli.setting_ranges import RANGES, flag_name
from backtriage.harness.engine.options import DEFAULT_MAX_TOTAL_SECONDS, EngineOptions
from backtriage.harness.loading.numbers import check_numbers
from backtriage.harness.loading.problems import InputError, Problem

if TYPE_CHECKING:
    # The engine's session and journal are imported when a run is set up, not when its flags
    # are registered (see main).
    from backtriage.harness.engine.session import RunStorage

DEFAULT_TIMEOUT = 60.0
DEFAULT_RETRIES = 3
DEFAULT_BACKOFF = 1.0


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the engine flags to the run command."""
    g = p.add_argument_group("engine")
    g.add_argument("--concurrency", type=int, help="calls in flight at once (default: 4)")
    g.add_argument("--epochs", type=int,
                   help="answers asked per vignette; the worst decides safety (default: 1)")
    g.add_argument("--timeout", type=float, metavar="SECONDS",
                   help=f"per-call timeout (default: {DEFAULT_TIMEOUT:g})")
    g.add_argument("--retries", type=int, metavar="N",
                   help="retries after a timeout, 429, 5xx or dropped connection; other "
                        f"failures are never retried (default: {DEFAULT_RETRIES})")
    g.add_argument("--retry-backoff", type=float, metavar="SECONDS",
                   help="wait before the first retry, doubling each time, with jitter; a "
                        f"server's Retry-After is honoured (default: {DEFAULT_BACKOFF:g})")
    g.add_argument("--max-total-seconds", type=float, metavar="SECONDS",
                   help="cap on the whole run; answers not given by then are errors "
                        f"(default: {DEFAULT_MAX_TOTAL_SECONDS:g}, a day; at most 30 days)")
    g.add_argument("--isolate", action=argparse.BooleanOptionalAction, default=None,
                   help="run a python: system in worker processes, so a hang is killed and "
                        "sys.exit/os._exit is that vignette's error (default: on)")
    g.add_argument("--resume", action="store_true", default=None,
                   help="continue the run journaled in --output (after Ctrl-C, a crash or a "
                        "kill); refuses a journal from a different run")
    g.add_argument("--retry-errors", action="store_true",
                   help="with --resume, ask again the answers that ended in an error")
    g.add_argument("--cache", metavar="DIR",
                   help="response cache folder: answers already cached are not asked again "
                        "(errors are never cached)")
    g.add_argument("--no-progress", dest="progress", action="store_false", default=None,
                   help="no progress display on stderr")


def engine_options(args: argparse.Namespace, config: Mapping[str, Any]) -> EngineOptions:
    """Resolve engine options: CLI flag > config file > default.

    Raises:
        InputError: for a value out of range.
    """
    concurrency = setting("concurrency", args.concurrency, config, 4)
    epochs = setting("epochs", args.epochs, config, 1)
    timeout = setting("timeout", args.timeout, config, None)
    if timeout is None:
        timeout = config.get("adapter", {}).get("timeout", DEFAULT_TIMEOUT)
    retries = setting("retries", args.retries, config, DEFAULT_RETRIES)
    backoff = setting("retry_backoff", args.retry_backoff, config, DEFAULT_BACKOFF)
    cap = setting("max_total_seconds", args.max_total_seconds, config, DEFAULT_MAX_TOTAL_SECONDS)
    # Values from the config file were checked (naming the file) when it was loaded.
    check_numbers([
        (flag_name(key), value, RANGES[key])
        for key, value in (
            ("concurrency", concurrency), ("epochs", epochs), ("timeout", timeout),
            ("retries", retries), ("retry_backoff", backoff), ("max_total_seconds", cap),
        )
    ])
    return EngineOptions(
        concurrency=concurrency,
        epochs=epochs,
        timeout=float(timeout),
        retries=retries,
        backoff=float(backoff),
        backoff_max=max(30.0, float(backoff)),
        max_total_seconds=None if cap is None else float(cap),
    )


def adapter_settings(
    options: EngineOptions, config: Mapping[str, Any], spec: str = "",
    args: argparse.Namespace | None = None,
) -> dict[str, Any]:
    """The config file's ``adapter:`` settings, with the per-call timeout the engine uses.

    An adapter's own timeout then fires first (the engine allows a little grace), so a slow
    request fails with the adapter's clearer message and a hung subprocess is restarted.
    A ``cmd:`` system runs as many processes as calls in flight unless told otherwise: with
    fewer, calls would queue inside the adapter and spend their timeout waiting their turn.
    """
    settings = dict(config.get("adapter", {}))
    settings["timeout"] = options.timeout
    if spec.startswith(("cmd:", "python:")):
        settings.setdefault("processes", options.concurrency)
    if spec.startswith("python:"):
        isolate = setting("isolate", getattr(args, "isolate", None), config, True)
        settings["isolate"] = bool(isolate)
    return settings


def run_storage(args: argparse.Namespace, config: Mapping[str, Any], output: Path) -> RunStorage:
    """Resolve the journal, resume, cache and progress settings.

    Raises:
        InputError: for --retry-errors without --resume.
    """
    from backtriage.harness.engine.session import RunStorage

    resume = bool(setting("resume", args.resume, config, False))
    if args.retry_errors and not resume:
        raise InputError([Problem("--retry-errors", "", "only makes sense with --resume")])
    cache = setting("cache", args.cache, config, None)
    return RunStorage(
        output_dir=output,
        resume=resume,
        retry_errors=bool(args.retry_errors),
        cache_dir=Path(cache) if cache else None,
        progress=bool(setting("progress", args.progress, config, True)),
    )


def kept_answers(output: Path) -> str:
    """Say how many answers a stopped run kept and how to go on ('' without a journal)."""
    from backtriage.harness.engine.journal import JOURNAL_NAME, read_journal

    path = output / JOURNAL_NAME
    if not path.exists():
        return ""
    try:
        records = read_journal(path).records
    except (OSError, InputError):
        return f"the answers so far are in {path}"
    # Calls that never reached the system are asked again on resume: they are not kept.
    answers = sum(1 for r in records if not r.unavailable)
    return f"{answers} answer(s) kept in {path}; continue with --resume"


def note_no_verdict(spec: str, exc: Exception, output: Path) -> None:
    """Say, on one line, that the system could not be reached and what the journal kept."""
    note = kept_answers(output)
    print(f"backtriage: system unavailable: no verdict: {spec}: {exc}"
          + (f"; {note}" if note else ""), file=sys.stderr)


def note_interrupted(output: Path) -> None:
    """Tell the user, once, that the run was interrupted and how to continue."""
    note = kept_answers(output)
    print("interrupted" + (f": {note}" if note else ""), file=sys.stderr)


def note_cache_failure(result_extra: dict[str, Any]) -> None:
    """Warn, once, that the response cache stopped storing answers (the run went on)."""
    failure = result_extra.get("run", {}).get("cache_write_failure")
    if failure:
        print(f"backtriage: warning: the response cache could not be written ({failure}); "
              "answers from then on were not cached, and the results are complete",
              file=sys.stderr)
