"""Exit statuses of every command (contract section 5)."""

OK = 0
"""Every gate passed (or, for validate, no problem)."""
GATE_FAILED = 1
"""A gate failed."""
BAD_INPUT = 2
"""Bad input or usage: invalid corpus, policy, config or system spec."""
HARNESS_FAILED = 3
"""The harness itself failed."""
SYSTEM_UNAVAILABLE = 4
"""The system under test could not be reached or refused every call: no verdict."""
INTERRUPTED = 130
"""Ctrl-C (SIGINT), by the shell's convention of 128 + the signal number."""
BROKEN_PIPE = 141
"""The reader of stdout went away (``| head``): 128 + SIGPIPE, as a shell reports it."""
