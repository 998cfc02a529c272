"""The plain-text item analysis report of ``backtriage corpus quality``."""

from __future__ import annotations

from tabulate import tabulate

from backtriage.scoring.item_analysis import POOR_DISCRIMINATION, SIMILAR, ItemAnalysis


def render_item_analysis(analysis: ItemAnalysis, top: int = 15) -> str:
    """Summary, then the hardest, least discriminating and undistinguished items, then pairs."""
    d = analysis.to_dict()
    kinds: dict[str, int] = {}
    for name in analysis.systems:
        kind = name.split(":", 1)[0]
        kinds[kind] = kinds.get(kind, 0) + 1
    population = ", ".join(f"{n} {k}{'s' if n > 1 else ''}" for k, n in sorted(kinds.items()))
    lines = [
        "backtriage corpus quality — item analysis",
        "",
        f"population: {d['n_systems']} systems ({population}); {d['n_items']} vignettes",
        f"mean difficulty (share of systems answering wrongly): {_pct(d['mean_difficulty'])}",
        f"median discrimination (item-rest correlation): {_num(d['median_discrimination'])}",
        f"poorly discriminating (below {POOR_DISCRIMINATION}): {len(d['poor_discrimination'])}",
        f"distinguishing no system (all right or all wrong): {len(d['undistinguished'])}",
        f"same-label pairs with narrative similarity >= {SIMILAR}: {len(d['near_duplicates'])}",
    ]
    hardest = sorted(analysis.items, key=lambda i: (-i.difficulty, i.id))[:top]
    lines += [
        "",
        "HARDEST",
        tabulate(
            [(i.id, _pct(i.difficulty), _num(i.discrimination)) for i in hardest],
            headers=["vignette", "difficulty", "discrimination"],
        ),
    ]
    poor = sorted(analysis.poor, key=lambda i: (i.discrimination or 0.0, i.id))[:top]
    if poor:
        lines += [
            "",
            "LEAST DISCRIMINATING",
            tabulate(
                [(i.id, _pct(i.difficulty), _num(i.discrimination)) for i in poor],
                headers=["vignette", "difficulty", "discrimination"],
            ),
        ]
    if analysis.undistinguished:
        shown = [i.id for i in analysis.undistinguished][:top]
        lines += ["", "UNDISTINGUISHED (first)", *(f"  {i}" for i in shown)]
    if analysis.near_duplicates:
        lines += [
            "",
            "CLOSEST SAME-LABEL PAIRS",
            tabulate(
                [(a, b, f"{s:.2f}") for a, b, s in analysis.near_duplicates[:top]],
                headers=["vignette", "vignette", "similarity"],
            ),
        ]
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
