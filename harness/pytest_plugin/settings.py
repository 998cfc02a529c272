"""What the plugin's options, ini keys and ``backtriage::ID`` arguments ask for.

Light on purpose: this module is imported in every pytest session of an environment that has
backtriage installed, so it needs only pytest and the vocabulary (no corpus, schema or YAML).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from backtriage.harness.vocabulary import CONDITIONS, LABEL_STATUSES, REGISTERS, URGENCIES

PLUGIN_NAME = "backtriage-session"
NODE_PREFIX = "backtriage"
GATES_NODE = "gates"
"""Gate results are reported as ``backtriage::gates::<metric>``."""

MARKERS: dict[str, str] = {
    "backtriage": "a backtriage vignette (every item the backtriage plugin adds)",
    "red_flag": "a backtriage vignette whose expected urgency is emergency or urgent",
    **{c: f"a backtriage vignette expecting suspected condition {c}" for c in CONDITIONS},
    **{u: f"a backtriage vignette whose expected urgency is {u}" for u in URGENCIES},
    **{s: f"a backtriage vignette whose label status is {s}" for s in LABEL_STATUSES},
    **{r: f"a backtriage vignette written in the {r} register" for r in REGISTERS},
}

_T = TypeVar("_T", int, float)


@dataclass(frozen=True)
class Requested:
    """The ``backtriage::...`` node ids given as arguments, taken out of pytest's paths.

    Attributes:
        ids: vignette ids asked for by node id (``backtriage::ces-001``).
        whole_run: a gate's node id was given: a gate reads every vignette, so all are run.
    """

    ids: tuple[str, ...] = ()
    whole_run: bool = False

    def __bool__(self) -> bool:
        return bool(self.ids) or self.whole_run


@dataclass(frozen=True)
class Settings:
    """What the options and ini keys ask for (CLI > ini > default).

    ``timeout``, ``retries`` and ``concurrency`` are ``None`` when not given, leaving the engine's
    defaults in force. ``only_ids`` is empty when every vignette is wanted.
    """

    system: str
    corpus: tuple[str, ...] | None
    policy: str | None
    epochs: int
    shard: str | None
    output: str | None
    markdown: str | None
    timeout: float | None
    retries: int | None
    concurrency: int | None
    only_ids: tuple[str, ...]


def take_requested(config: pytest.Config) -> Requested:
    """Remove the ``backtriage::...`` arguments from pytest's paths and return what they ask.

    pytest would otherwise look for a file named ``backtriage``; the plugin collects the items.
    """
    prefix = NODE_PREFIX + "::"
    ids: list[str] = []
    whole_run = False
    for arg in [a for a in config.args if a.startswith(prefix)]:
        config.args.remove(arg)
        rest = arg.removeprefix(prefix)
        if rest == GATES_NODE or rest.startswith(GATES_NODE + "::"):
            whole_run = True
        elif rest:
            ids.append(rest)
    return Requested(tuple(dict.fromkeys(ids)), whole_run)


def names_other_paths(config: pytest.Config) -> bool:
    """True when the command line names test paths other than ``backtriage::`` node ids."""
    positional: list[str] = list(getattr(config.option, "file_or_dir", None) or [])
    return any(not arg.startswith(NODE_PREFIX + "::") for arg in positional)


def read_settings(config: pytest.Config, requested: Requested) -> Settings | None:
    """Return the settings, or ``None`` when no system is named (the plugin stays inert).

    Raises:
        pytest.UsageError: for a numeric setting out of range.
    """
    system = config.getoption("backtriage_system") or str(config.getini("backtriage_system") or "")
    if not system:
        return None
    corpus_opt: list[str] | None = config.getoption("backtriage_corpus")
    corpus_ini: list[Path] = config.getini("backtriage_corpus") or []
    corpus = tuple(corpus_opt) if corpus_opt else tuple(str(p) for p in corpus_ini) or None
    return Settings(
        system=system,
        corpus=corpus,
        policy=config.getoption("backtriage_policy") or _ini_path(config, "backtriage_policy"),
        epochs=_number(config, "epochs", int, 1, strict=False) or 1,
        shard=config.getoption("backtriage_shard"),
        output=config.getoption("backtriage_output"),
        markdown=config.getoption("backtriage_markdown"),
        timeout=_number(config, "timeout", float, 0.0, strict=True),
        retries=_number(config, "retries", int, 0, strict=False),
        concurrency=_number(config, "concurrency", int, 1, strict=False),
        only_ids=() if requested.whole_run else requested.ids,
    )


def _number(
    config: pytest.Config, name: str, kind: Callable[[str], _T], low: _T, *, strict: bool
) -> _T | None:
    """Read ``--backtriage-NAME`` or ini ``backtriage_NAME``; ``None`` when neither is set."""
    raw = config.getoption(f"backtriage_{name}")
    source = f"--backtriage-{name}"
    if raw is None:
        raw = str(config.getini(f"backtriage_{name}") or "").strip() or None
        source = f"ini backtriage_{name}"
    if raw is None:
        return None
    try:
        value: _T | None = kind(str(raw))
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or (value <= low if strict else value < low):
        what = "an integer" if kind is int else "a number"
        bound = f"above {low:g}" if strict else f"at least {low:g}"
        raise pytest.UsageError(f"backtriage: {source} must be {what} {bound}, got {raw!r}")
    return value


def _ini_path(config: pytest.Config, name: str) -> str | None:
    value = str(config.getini(name) or "")
    if not value:
        return None
    # A file named in the ini file is relative to it; a bare name may be a bundled policy.
    if config.inipath is not None:
        candidate = config.inipath.parent / value
        if candidate.exists():
            return str(candidate)
    return value
