"""Upgrade vignette files from schema 1.0.0 to 2.0.0 (idempotent).

Schema 2.0.0 changes the shape of three pertinent negatives and adds one:

- ``bladder`` and ``bowel`` hold lists (``"retention"`` becomes ``["retention"]``), so a case can
  report several changes at once;
- ``saddle_sensation`` is required: ``altered`` when ``numbness_sites`` holds
  ``saddle_perineal``, else ``normal`` (every 1.0.0 narrative states saddle sensation, a rule of
  the old labeling guide);
- ``schema_version`` becomes ``2.0.0``.

Nothing else changes, so a migrated vignette keeps its meaning and its ``version``. Running it
again on a migrated file changes nothing.

Usage: ``python -m backtriage.harness.loading.migrate_findings_v2 [PATH ...]`` (files or folders;
default the bundled corpus). Prints one line per file changed.
"""

from __future__ import annotations

import argparse
import copy
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from backtriage.harness.loading.jsonfile import read_json
from backtriage.harness.resources import corpus_dir
from backtriage.harness.runs.results_io import write_json_atomic

OLD_VERSION = "1.0.0"
NEW_VERSION = "2.0.0"
_LIST_FINDINGS = ("bladder", "bowel")


def migrate_vignette(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return the 2.0.0 form of a vignette dictionary (a copy; 2.0.0 input comes back equal)."""
    out = copy.deepcopy(dict(data))
    if out.get("schema_version") != OLD_VERSION:
        return out
    findings = out.get("presentation", {}).get("findings")
    if isinstance(findings, dict):
        for name in _LIST_FINDINGS:
            if isinstance(findings.get(name), str):
                findings[name] = [findings[name]]
        if "saddle_sensation" not in findings:
            saddle = "saddle_perineal" in findings.get("numbness_sites", ())
            findings["saddle_sensation"] = "altered" if saddle else "normal"
    out["schema_version"] = NEW_VERSION
    return out


def migrate_file(path: Path) -> bool:
    """Migrate one vignette file in place; return whether it changed.

    Raises:
        ValueError: if the file is not readable JSON.
    """
    data, problem = read_json(path)
    if problem is not None:
        raise ValueError(str(problem))
    if not isinstance(data, dict) or "presentation" not in data:
        return False
    migrated = migrate_vignette(data)
    if migrated == data:
        return False
    write_json_atomic(path, migrated)
    return True


def vignette_files(paths: Sequence[Path]) -> list[Path]:
    """Expand folders into their vignette files (the bibliography is skipped)."""
    files: list[Path] = []
    for path in paths:
        found = sorted(path.rglob("*.json")) if path.is_dir() else [path]
        files.extend(f for f in found if f.name != "sources.json")
    return files


def main(argv: Sequence[str] | None = None) -> int:
    """Migrate the given files or folders; exit 2 naming a file that cannot be read."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="files or folders (default: corpus)")
    args = parser.parse_args(argv)
    paths = args.paths or [corpus_dir()]
    changed = 0
    for file in vignette_files(paths):
        try:
            if migrate_file(file):
                changed += 1
                print(f"migrated {file}")
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    print(f"{changed} file(s) migrated to schema {NEW_VERSION}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
