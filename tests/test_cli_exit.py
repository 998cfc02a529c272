"""The ``backtriage`` program leaves without tearing down the heap, and loses nothing by it.

``entry()`` ends the process with ``os._exit`` after ``main()``; these run it as a real process
and check what a normal interpreter exit would have done still happens: exit handlers run,
buffered output reaches the reader, the status is kept, and a live non-daemon thread is
waited for.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PRELUDE = """
import atexit, sys, threading, time
from backtriage.harness.cli.main import entry
"""


def _program(body: str, *argv: str) -> subprocess.CompletedProcess[str]:
    code = PRELUDE + body + f"\nsys.argv = ['backtriage', *{list(argv)!r}]\nentry()\n"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=False)


def test_exit_handlers_run_and_buffered_output_arrives() -> None:
    """An atexit handler still runs after the command, and what it prints is not lost."""
    done = _program("atexit.register(lambda: print('handler ran'))", "--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [done.stdout.splitlines()[0], "handler ran"]
    assert done.stdout.startswith("backtriage ")


def test_the_exit_status_is_the_commands() -> None:
    """A usage error is still exit 2 (and its message still reaches stderr)."""
    done = _program("", "run", "--no-such-flag")
    assert done.returncode == 2
    assert "unrecognized arguments" in done.stderr


def test_a_running_non_daemon_thread_is_waited_for(tmp_path: Path) -> None:
    """A thread a user's code left running finishes its work before the process ends."""
    marker = tmp_path / "thread-finished"
    body = ("def work():\n    time.sleep(0.3)\n"
            f"    open({str(marker)!r}, 'w').write('done')\n"
            "threading.Thread(target=work).start()")
    done = _program(body, "--version")
    assert done.returncode == 0, done.stderr
    assert marker.read_text() == "done"
