"""What the plugin's options and ini keys ask for, and the markers it registers."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from backtriage.harness.vocabulary import CONDITIONS, LABEL_STATUSES, REGISTERS, URGENCIES

PLUGIN_NAME = "backtriage-session"
NODE_PREFIX = "backtriage"

MARKERS: dict[str, str] = {
    "backtriage": "a backtriage vignette (every item the backtriage plugin adds)",
    "red_flag": "a backtriage vignette whose expected urgency is emergency or urgent",
    **{c: f"a backtriage vignette expecting suspected condition {c}" for c in CONDITIONS},
    **{u: f"a backtriage vignette whose expected urgency is {u}" for u in URGENCIES},
    **{s: f"a backtriage vignette whose label status is {s}" for s in LABEL_STATUSES},
    **{r: f"a backtriage vignette written in the {r} register" for r in REGISTERS},
}


@dataclass(frozen=True)
class Settings:
    """What the options and ini keys ask for."""

    system: str
    corpus: tuple[str, ...] | None
    policy: str | None
    epochs: int
    shard: str | None
    output: str | None
    markdown: str | None


def read_settings(config: pytest.Config) -> Settings | None:
    """Return the settings, or ``None`` when no system is named (the plugin stays inert).

    Raises:
        pytest.UsageError: for an epochs value that is not a positive integer.
    """
    system = config.getoption("backtriage_system") or str(config.getini("backtriage_system") or "")
    if not system:
        return None
    corpus_opt: list[str] | None = config.getoption("backtriage_corpus")
    corpus_ini: list[Path] = config.getini("backtriage_corpus") or []
    corpus = tuple(corpus_opt) if corpus_opt else tuple(str(p) for p in corpus_ini) or None
    policy = config.getoption("backtriage_policy") or _ini_path(config, "backtriage_policy")
    epochs_text = config.getoption("backtriage_epochs") or config.getini("backtriage_epochs") or 1
    try:
        epochs = int(epochs_text)
    except ValueError:
        epochs = 0
    if epochs < 1:
        raise pytest.UsageError(
            f"backtriage: epochs must be a positive integer, got {epochs_text!r}"
        )
    return Settings(
        system=system,
        corpus=corpus,
        policy=policy,
        epochs=epochs,
        shard=config.getoption("backtriage_shard"),
        output=config.getoption("backtriage_output"),
        markdown=config.getoption("backtriage_markdown"),
    )


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
