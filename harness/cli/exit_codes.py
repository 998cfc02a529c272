"""Exit statuses of every command (contract section 5)."""

OK = 0
"""Every gate passed (or, for validate, no problem)."""
GATE_FAILED = 1
"""A gate failed."""
BAD_INPUT = 2
"""Bad input or usage: invalid corpus, policy, config or system spec."""
HARNESS_FAILED = 3
"""The harness itself failed."""
