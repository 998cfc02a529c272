"""The ``backtriage`` command: parses arguments and maps failures to exit statuses.

Start-up stays cheap: registering the commands imports only their argument definitions, and
each command imports what it runs in its handler, so ``--version``, ``--help`` and a usage error
load no corpus, schema, YAML or HTTP machinery (``tests/test_cli_startup.py`` guards this).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import errno
import gc
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import NoReturn

from backtriage.harness.cli import (
    compare_cmd,
    corpus_cmd,
    exit_codes,
    extractor_check_cmd,
    grade_cmd,
    merge_cmd,
    mutants_cmd,
    report_cmd,
    robustness_cmd,
    run_cmd,
    validate_cmd,
)
from backtriage.harness.engine.availability import NoVerdict
from backtriage.harness.loading.problems import InputError
from backtriage.harness.systems.spec_errors import SpecError
from backtriage.harness.version import harness_version

YOUNG_GC_THRESHOLD = 50_000
"""Allocations between collections of the youngest generation while a command runs (the
interpreter's default: 700); benchmarks that time stages in process set the same."""

COMMANDS = [
    run_cmd,
    grade_cmd,
    extractor_check_cmd,
    validate_cmd,
    compare_cmd,
    merge_cmd,
    corpus_cmd,
    robustness_cmd,
    mutants_cmd,
    report_cmd,
]
"""Command modules; each has ``add_parser(subparsers)`` and sets ``handler``."""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every command."""
    parser = argparse.ArgumentParser(
        prog="backtriage",
        description="Benchmark back-pain triage logic against cited clinical vignettes.",
        epilog="exit status: 0 gates pass, 1 a gate failed, 2 bad input or usage, "
        "3 harness failure, 4 system unavailable: no verdict, 130 interrupted",
    )
    parser.add_argument("--version", action="version", version=f"backtriage {harness_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS:
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    previous = gc.get_threshold()
    # A run builds hundreds of thousands of objects that live to its end (the corpus, the
    # records); at the default threshold the collector examined the young ones again every
    # 700 allocations, a fifth of a large run's time. Cycles are still collected, less often.
    gc.set_threshold(YOUNG_GC_THRESHOLD, *previous[1:])
    try:
        status = _main(argv)
        # Buffered output meets a closed pipe here, not in the interpreter's exit (where it
        # would print "Exception ignored ... BrokenPipeError").
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, as command-line tools do.
        _discard_stdout()
        return exit_codes.BROKEN_PIPE
    finally:
        gc.set_threshold(*previous)  # main() called in process leaves the collector as it was


def entry() -> NoReturn:
    """The ``backtriage`` program: :func:`main`, then leave without tearing down the heap.

    Everything a command writes is closed by then (journal, results, reports; each in a
    ``finally``). What the interpreter would still do at exit is free every object one by one:
    0.1-0.3 s after a run of 1,000-10,000 vignettes, a tenth of a warm run. So exit handlers
    (``atexit``, which also covers ``weakref.finalize`` and logging) run, the standard
    streams are flushed, and the process ends. If a thread that is not a daemon is still
    running (a user's system may start one), the interpreter's own exit waits for it instead.
    """
    status = main()
    if any(t.is_alive() and not t.daemon for t in threading.enumerate()
           if t is not threading.main_thread()):
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        # A closed pipe or stream: nothing more can reach the reader.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(status)


def _discard_stdout() -> None:
    """Point stdout at /dev/null so nothing more is written to the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a file (captured by a test): nothing will be flushed to a pipe


_WRITE_FAILURES = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EFBIG: "file too large",
    errno.EIO: "input/output error",
}


def write_failure(exc: OSError) -> str | None:
    """The one line saying why a file could not be written, or ``None`` for another error."""
    what = _WRITE_FAILURES.get(exc.errno or 0)
    if what is None:
        return None
    where = f" {exc.filename}" if exc.filename else ""
    return (f"backtriage: cannot write{where}: {what}; answers already journaled are kept "
            "(free the space or fix the folder, then run again with --resume)")


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    try:
        status: int = args.handler(args)
        return status
    except SystemExit as exc:
        return int(exc.code or 0)
    except InputError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return exit_codes.BAD_INPUT
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_codes.BAD_INPUT
    except NoVerdict as exc:
        print(f"backtriage: system unavailable: no verdict: {exc}", file=sys.stderr)
        return exit_codes.SYSTEM_UNAVAILABLE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return exit_codes.INTERRUPTED
    except BrokenPipeError:
        raise  # not a harness failure: main() ends quietly
    except OSError as exc:
        note = write_failure(exc)
        if note is None:
            print("backtriage: internal error (please report):", file=sys.stderr)
            traceback.print_exc()
        else:
            print(note, file=sys.stderr)  # the machine's fault, not ours: one line, no report
        return exit_codes.HARNESS_FAILED
    except Exception:
        print("backtriage: internal error (please report):", file=sys.stderr)
        traceback.print_exc()
        return exit_codes.HARNESS_FAILED


if __name__ == "__main__":
    entry()
