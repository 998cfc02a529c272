"""Where the bundled schemas, corpus and policies live, in a checkout or an installed wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

_HARNESS_DIR = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    # A source checkout keeps the data at the repository top, beside harness/ (resolve() follows
    # the backtriage/harness link there); a wheel carries a copy in backtriage/_bundled (see
    # pyproject's package-dir). Prefer the checkout so an author's edits show at once.
    checkout = _HARNESS_DIR.parent / name
    if checkout.is_dir():
        return checkout
    return _HARNESS_DIR.parent / "_bundled" / name


def schemas_dir() -> Path:
    """Return the folder holding the JSON Schemas."""
    return _data_dir("schemas")


def corpus_dir() -> Path:
    """Return the folder holding the bundled vignette corpus."""
    return _data_dir("vignettes")


def policies_dir() -> Path:
    """Return the folder holding the bundled gate policies."""
    return _data_dir("policies")


def default_policy_path() -> Path:
    """Return the path of the default gate policy."""
    return policies_dir() / "default.yaml"


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Load ``schemas/<name>.schema.json``."""
    # Imported here: the loading package itself imports this module.
    from backtriage.harness.loading.jsonfile import load_json

    data: dict[str, Any] = load_json(schemas_dir() / f"{name}.schema.json", "schema")
    return data


def resolve_policy_path(path: str | Path | None) -> Path:
    """Return the policy file ``path`` names: a file, or a bundled policy by name.

    ``None`` is the bundled default policy; a bare name such as ``release`` that is not an
    existing file is looked up among the bundled policies (``policies/release.yaml``).
    """
    if not path:
        return default_policy_path()
    file = Path(path)
    # A config file makes paths absolute, so a bare name arrives as /config/dir/release too.
    if not file.exists() and file.suffix == "":
        bundled = policies_dir() / f"{file.name}.yaml"
        if bundled.is_file():
            return bundled
    return file
