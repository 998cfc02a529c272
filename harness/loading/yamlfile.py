"""The one strict YAML reader: policies, configs and bundled YAML are all parsed here.

PyYAML's safe loader still accepts what no backtriage file should hold: a key given twice (a
second ``thresholds: {}`` would remove every gate), aliases (a 600-byte "billion laughs"
document expands to gigabytes), unbounded nesting, integers too long to convert, ``.nan`` and
``.inf``, and dates or sets that are not JSON data. This reader refuses each, fast, with the
line and column, and checks the file is regular UTF-8 text first (:mod:`textfile`). The loader
itself is in :mod:`yaml_loader`, imported with the first file parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.loading.textfile import read_text
from backtriage.harness.loading.tree_check import tree_problems

if TYPE_CHECKING:
    import yaml

MAX_MESSAGE = 300


def parse_yaml(text: str, source: str, bundled: bool = False) -> Any:
    """Parse ``text`` as one strict YAML document; ``source`` names it in errors.

    Args:
        text: the document.
        source: the file name (or other origin) to name in problems.
        bundled: the text is one of the package's own data files, which may be read over
            libyaml's faster parser (see :mod:`yaml_loader`); never set it for a user's file.

    Raises:
        InputError: naming ``source`` with the line and column of the first problem, or the
            JSON pointer of each value that is not JSON data.
    """
    # PyYAML is imported with the first file read, not with this module (see yaml_loader).
    import yaml

    from backtriage.harness.loading import yaml_loader

    try:
        data = yaml_loader.load_bundled(text) if bundled else yaml_loader.load(text)
    except yaml.MarkedYAMLError as exc:
        raise InputError([Problem(source, "", f"not valid YAML: {_describe(exc)}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(source, "", f"not valid YAML: {_cap(str(exc))}")]) from None
    except (ValueError, RecursionError) as exc:
        raise InputError([Problem(source, "", f"not valid YAML: {_cap(str(exc))}")]) from None
    problems = tree_problems(data, source)
    if problems:
        raise InputError(problems)
    return data


def load_yaml(path: Path, what: str = "file") -> Any:
    """Read and strictly parse the YAML file ``path``.

    Raises:
        InputError: if the file cannot be read, is not regular UTF-8 text, or is not strict
            YAML (see :func:`parse_yaml`).
    """
    return parse_yaml(read_text(path, what), str(path))


def load_bundled_yaml(path: Path, what: str = "file") -> Any:
    """:func:`load_yaml` for the package's own data files (the consistency lexicon).

    Raises:
        InputError: as :func:`load_yaml`.
    """
    return parse_yaml(read_text(path, what), str(path), bundled=True)


def _describe(exc: yaml.MarkedYAMLError) -> str:
    what = "; ".join(part for part in (exc.context, exc.problem) if part) or "malformed"
    mark = exc.problem_mark or exc.context_mark
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return _cap(what) + where


def _cap(text: str) -> str:
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."
