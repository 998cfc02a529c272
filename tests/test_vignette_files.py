"""Listing a corpus folder: the scandir walk finds what ``rglob`` and the hidden-name filter did.

The walk replaced ``sorted(folder.rglob("*.json"))`` for speed; the property below keeps the two
equal on trees with hidden names, folders named ``*.json``, symlinked folders and files, and the
bibliography at any depth.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backtriage.harness.loading.corpus import BIBLIOGRAPHY_NAME, vignette_files

NAMES = st.sampled_from(["a", "b.json", ".hidden.json", ".h", "A.JSON", "x.json", "a-b",
                         "a b.json", BIBLIOGRAPHY_NAME, "é.json", "z"])


def rglob_listing(folder: Path) -> list[Path]:
    """What the listing was before the walk (the oracle)."""
    return [f for f in sorted(folder.rglob("*.json"))
            if f.name != BIBLIOGRAPHY_NAME
            and not any(p.startswith(".") for p in f.relative_to(folder).parts)]


@st.composite
def trees(draw: st.DrawFn) -> list[tuple[str, tuple[str, ...]]]:
    """Entries to make, in order: ("dir" | "file" | "dirlink" | "filelink", relative parts)."""
    made: list[tuple[str, tuple[str, ...]]] = []
    folders: list[tuple[str, ...]] = [()]
    for _ in range(draw(st.integers(0, 25))):
        parent = draw(st.sampled_from(folders))
        kind = draw(st.sampled_from(["dir", "file", "file", "dirlink", "filelink"]))
        parts = (*parent, draw(NAMES))
        if any(parts[: len(p[1])] == p[1] for p in made if p[0] != "dir"):
            continue  # under a file or a link: cannot be made
        if any(p[1] == parts for p in made):
            continue
        made.append((kind, parts))
        if kind == "dir":
            folders.append(parts)
    return made


def build(root: Path, tree: list[tuple[str, tuple[str, ...]]], target: Path) -> None:
    (target / "inner.json").write_text("{}")
    for kind, parts in tree:
        path = root.joinpath(*parts)
        if kind == "dir":
            path.mkdir()
        elif kind == "file":
            path.write_text("{}")
        elif kind == "dirlink":
            path.symlink_to(target, target_is_directory=True)
        else:
            path.symlink_to(target / "inner.json")


@settings(max_examples=150, deadline=None)
@given(trees())
def test_the_walk_lists_what_rglob_listed_in_the_same_order(
    tree: list[tuple[str, tuple[str, ...]]],
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root, target = Path(scratch, "corpus"), Path(scratch, "elsewhere")
        root.mkdir()
        target.mkdir()
        build(root, tree, target)
        assert [str(p) for p in vignette_files([root])] == [str(p) for p in rglob_listing(root)]


def test_a_folder_given_as_dot_lists_paths_as_rglob_did(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "v.json").write_text("{}")
    (tmp_path / "w.json").write_text("{}")
    here = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert vignette_files([Path(".")]) == rglob_listing(Path("."))
        assert [str(p) for p in vignette_files([Path(".")])] == ["sub/v.json", "w.json"]
    finally:
        os.chdir(here)


def test_an_unreadable_folder_is_left_out_as_rglob_left_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "v.json").write_text("{}")
    (tmp_path / "w.json").write_text("{}")
    listing = os.scandir

    def refusing(path: Any = ".") -> Any:
        # As a folder without read permission answers (root reads every folder, so the test
        # cannot rely on chmod).
        if Path(path) == tmp_path / "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return listing(path)

    monkeypatch.setattr(os, "scandir", refusing)
    assert vignette_files([tmp_path]) == rglob_listing(tmp_path) == [tmp_path / "w.json"]
