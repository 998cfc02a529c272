"""Building HTML safely: every piece of text and every attribute value passes through here.

Text from vignettes and answers is untrusted (a system may answer anything). :func:`esc` escapes
``& < > " '`` so the same function is safe in element content and in quoted attribute values;
attribute names and tag names are always constants of this package, never data.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

from backtriage.scoring.scorecard import pct

_SURROGATE = re.compile("[\ud800-\udfff]")


def esc(value: object) -> str:
    """Escape any value for HTML text or a double-quoted attribute.

    A lone surrogate (which a hand-edited results file can carry, and UTF-8 cannot encode)
    becomes U+FFFD, so no text can make writing the page fail.
    """
    return html.escape(_SURROGATE.sub("\ufffd", str(value)), quote=True)


def attrs(values: Mapping[str, object | None]) -> str:
    """Render ``name="value"`` pairs (leading space included), skipping ``None`` values."""
    return "".join(f' {name}="{esc(v)}"' for name, v in values.items() if v is not None)


def el(tag: str, content: str = "", **attributes: object | None) -> str:
    """Wrap already-safe ``content`` in an element; ``class_`` stands for ``class``.

    Underscores in other attribute names become hyphens (``data_run`` -> ``data-run``).
    """
    named = {_attr_name(k): v for k, v in attributes.items()}
    return f"<{tag}{attrs(named)}>{content}</{tag}>"


def _attr_name(name: str) -> str:
    return "class" if name == "class_" else name.rstrip("_").replace("_", "-")


def join(parts: Iterable[str]) -> str:
    """Concatenate already-safe fragments."""
    return "".join(parts)


def rate_text(r: Mapping[str, Any] | None) -> str:
    """A rate as ``count/denominator = p% (95% CI low-high)``, or why there is none."""
    if not r or not r.get("denominator"):
        return "no vignettes"
    return (
        f"{r['count']}/{r['denominator']} = {pct(r['value'])} "
        f"(95% CI {pct(r['ci95_low'])}–{pct(r['ci95_high'])})"
    )


def words(name: str) -> str:
    """A vocabulary or metric name as words (``critical_miss_rate`` -> ``critical miss rate``)."""
    return name.replace("_", " ")


def rate_brief(r: Mapping[str, Any] | None) -> str:
    """A rate as ``count/denominator p% (low-high)``, short enough for a table cell."""
    if not r or not r.get("denominator"):
        return "no vignettes"
    return (
        f"{r['count']}/{r['denominator']} {pct(r['value'])} "
        f"({pct(r['ci95_low'])}–{pct(r['ci95_high'])})"
    )
