"""Numbers as reports print them: percentages, and a value beside the bound it is held to."""

from __future__ import annotations


def pct(value: float | None) -> str:
    """Format a proportion as a percentage, or an em dash when there is no data."""
    return "—" if value is None else f"{100 * value:.1f}%"


def pct_beside(value: float, bound: float) -> str:
    """Format ``value`` as a percentage precise enough not to read as equal to ``bound``.

    10.04% against a 10% ceiling would print as ``10.0% > 10.0%``; one more decimal says why
    it fails.
    """
    for digits in range(1, 5):
        text = f"{100 * value:.{digits}f}"
        if value == bound or text != f"{100 * bound:.{digits}f}":
            return f"{text}%"
    return f"{100 * value:g}%"


def bound_pct(bound: float) -> str:
    """Format a proportion bound as a percentage without losing a digit (0.001 -> 0.1%)."""
    text = f"{100 * bound:.1f}"
    return f"{text}%" if abs(float(text) - 100 * bound) < 1e-9 else f"{100 * bound:g}%"
