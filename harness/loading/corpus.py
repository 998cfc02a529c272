"""Loading a vignette corpus from folders or files, with every problem reported."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from backtriage.harness.loading.corpus_check import CorpusCheck
from backtriage.harness.loading.jsonfile import load_json, parse_accepted_json, parse_json
from backtriage.harness.loading.narrative_file import NarrativeInFile
from backtriage.harness.loading.pending_corpus import PendingCorpus, VignetteKey
from backtriage.harness.loading.problems import InputError, Problem, errors_only
from backtriage.harness.loading.schema_check import schema_problems
from backtriage.harness.loading.textfile import decode_utf8, read_bytes
from backtriage.harness.loading.validation_cache import (
    CachedValidation,
    ValidationCache,
    validation_key,
)
from backtriage.harness.model import Vignette, canonical_json
from backtriage.harness.resources import corpus_dir

BIBLIOGRAPHY_NAME = "sources.json"

NARRATIVES_HELD_UP_TO = 20_000
"""A corpus of more vignettes leaves each narrative in its file once it is loaded.

The narratives are most of a large corpus's memory (120 MB of 100,000), and a run of the
rule systems never reads them; a model's prompt reads each again from its file, checked
unchanged (:mod:`.narrative_file`). Up to this size they are simply held (24 MB at most).
A first check holds them only until the near-duplicate check has compared them.
"""

PENDING_BYTES_HELD = 8 << 20
"""Bytes of a pending corpus's files held from the read that hashed them (all of a corpus of a
few thousand vignettes), so their vignettes are built without reading the files again; past
it, each file is read again when its vignette is built. Holding every file's bytes until built
cost 20 MB of peak memory at 10,000; reading every file again, 0.04 s at 1,000."""

HOLD_EVERY_NARRATIVE = sys.maxsize
"""``narratives_held_up_to`` for the commands that read every narrative, some several times
(corpus statistics, item analysis, robustness variants): reading each back from its file
would cost more than holding them."""


@dataclass(frozen=True)
class Corpus:
    """A validated set of vignettes with the bibliography they cite.

    Attributes:
        vignettes: sorted by id.
        bibliography: source id to its bibliography entry.
        content_hash: SHA-256 over every vignette's canonical JSON and the bibliography;
            two runs on the same hash saw the same cases and labels.
        roots: the paths the corpus was read from.
        version: the label version the bibliography declares (``corpus_version``), or None;
            unlike the hash it says which labeling-guide changelog entry the labels follow.
        validation: ``performed`` when every check ran on this load, ``reused`` when the
            files were unchanged since a full check and its problems were reused.
    """

    vignettes: tuple[Vignette, ...]
    bibliography: Mapping[str, Mapping[str, Any]]
    content_hash: str
    roots: tuple[str, ...]
    version: str | None = None
    validation: str = "performed"

    def __len__(self) -> int:
        return len(self.vignettes)

    def by_id(self) -> dict[str, Vignette]:
        """Return the vignettes keyed by id."""
        return {v.id: v for v in self.vignettes}


def vignette_files(paths: Sequence[Path]) -> list[Path]:
    """Expand folders into the vignette JSON files below them (bibliographies excluded).

    Below a folder: every entry named ``*.json`` in it and in its subfolders (symlinked
    folders are not entered), none under a hidden name, in path order. This is what
    ``sorted(folder.rglob("*.json"))`` and the hidden-name filter gave, at a tenth of the cost
    (0.1 s per 10,000 files): a folder's entries are listed once, and paths made once, sorted.
    """
    return [Path(p) for p in vignette_paths(paths)]


def vignette_paths(paths: Sequence[Path]) -> list[str]:
    """:func:`vignette_files` as the strings the paths print as, without making a ``Path``.

    Making each ``Path`` cost more than reading its file's bytes (12 µs against 13 µs), and a
    load needs only the string: ``str(folder.joinpath(*parts))`` is the folder's string, a
    slash (none after ``/``, and no folder at all for ``.``) and the parts joined by slashes.
    """
    files: list[str] = []
    for path in paths:
        if path.is_dir():
            found = sorted(_json_entries(os.fspath(path)))
            root = str(path)
            prefix = "" if root == "." else root if root.endswith("/") else root + "/"
            files.extend(prefix + "/".join(parts) for parts in found
                         if parts[-1] != BIBLIOGRAPHY_NAME)
        else:
            files.append(str(path))
    return files


def _json_entries(root: str) -> list[tuple[str, ...]]:
    """The relative parts of each ``*.json`` entry below ``root``, hidden names left out.

    Like ``rglob``, an unreadable folder is left out and a symlink to a folder is not
    entered; an entry that is not a file (a folder named ``x.json``, a FIFO) is listed, so the
    reader names it. Folders wait on a stack, so no depth of nesting can exhaust recursion.
    """
    found: list[tuple[str, ...]] = []
    pending: list[tuple[str, tuple[str, ...]]] = [(root, ())]
    while pending:
        folder, parts = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except (PermissionError, FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if name.endswith(".json"):
                found.append((*parts, name))
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                pending.append((entry.path, (*parts, name)))
    return found


def find_bibliography(paths: Sequence[Path]) -> Path:
    """Find the bibliography beside or above the first path, else the bundled one."""
    for path in paths:
        start = path if path.is_dir() else path.parent
        for folder in (start.resolve(), *start.resolve().parents):
            candidate = folder / BIBLIOGRAPHY_NAME
            if candidate.is_file():
                return candidate
    return corpus_dir() / BIBLIOGRAPHY_NAME


def load_bibliography(
    path: Path, check: bool = True
) -> tuple[dict[str, Mapping[str, Any]], list[Problem]]:
    """Load a bibliography file; return entries by id and problems.

    ``check=False`` skips the schema (for a file whose check is cached).
    """
    try:
        data = load_json(path, "bibliography")
    except InputError as exc:
        return {}, list(exc.problems)
    return _bibliography_from(data, path, check)


def _bibliography_from(
    data: Any, path: Path, check: bool
) -> tuple[dict[str, Mapping[str, Any]], list[Problem]]:
    """The entries by id of a parsed bibliography, and its problems (see load_bibliography)."""
    problems = schema_problems("bibliography", data, str(path)) if check else []
    entries: dict[str, Mapping[str, Any]] = {}
    for i, source in enumerate(data.get("sources", []) if isinstance(data, dict) else []):
        sid = source.get("id") if isinstance(source, dict) else None
        if not isinstance(sid, str):
            continue
        if sid in entries:
            problems.append(Problem(str(path), f"/sources/{i}/id", f"duplicate source id {sid!r}"))
        entries[sid] = MappingProxyType(dict(source))
    return entries, problems


def check_corpus(
    paths: Iterable[str | Path] | None = None,
    *,
    revalidate: bool = False,
    cache: ValidationCache | None = None,
    narratives_held_up_to: int | None = None,
) -> tuple[Corpus, list[Problem]]:
    """Load every vignette under ``paths`` (default: the bundled corpus) and report problems.

    Vignettes with schema errors are left out of the returned corpus; every problem, of every
    file, is returned so a single pass shows all that needs fixing. The checks run once per
    corpus content (:mod:`validation_cache`): unchanged files reuse the problems found last
    time, and the corpus says so in ``validation``; ``revalidate`` checks again regardless.

    For more than ``narratives_held_up_to`` files (default :data:`NARRATIVES_HELD_UP_TO`),
    each narrative stays in its file and is read when asked for (:mod:`.narrative_file`).
    """
    corpus, problems = _checked(paths, revalidate, cache, narratives_held_up_to,
                                leave_pending=False)
    return (corpus.corpus() if isinstance(corpus, PendingCorpus) else corpus), problems


def _checked(
    paths: Iterable[str | Path] | None,
    revalidate: bool,
    cache: ValidationCache | None,
    narratives_held_up_to: int | None,
    leave_pending: bool,
) -> tuple[Corpus | PendingCorpus, list[Problem]]:
    """:func:`check_corpus`; with ``leave_pending``, reused checks leave the vignettes unbuilt.

    A corpus is left pending only when its narratives would be held anyway (up to
    ``narratives_held_up_to`` files).
    """
    roots = [Path(p) for p in (paths or [corpus_dir()])]
    problems: list[Problem] = []
    for root in roots:
        if not root.exists():
            problems.append(Problem(str(root), "", "no such file or folder"))
    roots = [r for r in roots if r.exists()]
    bib_path = find_bibliography(roots)
    files = vignette_paths(roots)
    cache = cache or ValidationCache()
    held_up_to = NARRATIVES_HELD_UP_TO if narratives_held_up_to is None else narratives_held_up_to
    reusable = not revalidate and cache.folder is not None
    pending = leave_pending and reusable and len(files) <= held_up_to
    key, hashes, built, held = _read_corpus(
        bib_path, files, problems, build=reusable and not pending, hold=pending,
        narratives_in_files=len(files) > held_up_to,
    )
    cached = None if key is None or revalidate else cache.get(key)
    if pending and cached is not None:
        left = _pending(files, cached, held, bib_path, hashes, tuple(str(r) for r in roots))
        if left is not None:
            problems.extend(cached.problems)
            return left, problems
    del held
    vignettes = _reuse(files, cached, built) if cached is not None else None
    del built  # what a miss built is not kept while every check runs
    reused_bibliography = (
        _bibliography_entries(bib_path, hashes) if vignettes is not None else None
    )
    del hashes  # nor every file's hash
    if cached is not None and vignettes is not None and reused_bibliography is not None:
        bibliography = reused_bibliography
        problems.extend(cached.problems)
        validation = "reused"
    else:
        # No check of this content is kept, or a file changed after the key was made from it
        # (its verdict belongs to the old bytes): every check runs on what is there now.
        bibliography, vignettes, found = _check(bib_path, files,
                                                narratives_in_files=len(files) > held_up_to)
        if key is not None and cached is None:
            rejected = set(files) - {v.path for v in vignettes}
            cache.put(key, CachedValidation(
                tuple(found), frozenset(rejected), {v.path: v.content_hash for v in vignettes},
                {v.path: v.id for v in vignettes},
            ))
        problems.extend(found)
        validation = "performed"
    vignettes.sort(key=lambda v: v.id)
    corpus = Corpus(
        vignettes=tuple(vignettes),
        bibliography=MappingProxyType(bibliography),
        content_hash=_content_hash(vignettes, bibliography),
        roots=tuple(str(r) for r in roots),
        version=_corpus_version(bib_path),
        validation=validation,
    )
    if not vignettes and not errors_only(problems):
        problems.append(Problem(", ".join(map(str, roots)), "", "no vignettes found"))
    return corpus, problems


def _content_hash(
    vignettes: Iterable[Vignette | VignetteKey], bibliography: Mapping[str, Mapping[str, Any]]
) -> str:
    """The corpus's hash: every vignette's id and content hash, in id order, and the sources."""
    digest = hashlib.sha256()
    for v in vignettes:
        digest.update(f"{v.id}\0{v.content_hash}\n".encode())
    digest.update(canonical_json(dict(bibliography)).encode())
    return digest.hexdigest()


def _pending(
    files: Sequence[str],
    cached: CachedValidation,
    held: Mapping[str, tuple[bytes, bytes | None]],
    bib_path: Path,
    hashes: Mapping[str, str],
    roots: tuple[str, ...],
) -> PendingCorpus | None:
    """The corpus a kept check accepted, its vignettes still to be built.

    ``held`` is each file's SHA-256 as read for the key, and its bytes while the budget for
    them lasted (see :data:`PENDING_BYTES_HELD`). ``None`` if the check kept no id or
    hash for a file it accepted, or accepted none, or the bibliography changed since: the
    caller then goes the way of a corpus built at once.
    """
    accepted: list[tuple[VignetteKey, str, bytes, bytes | None]] = []
    for path in files:
        if path in cached.rejected:
            continue
        vid, content_hash, read = (cached.ids.get(path), cached.content_hashes.get(path),
                                   held.get(path))
        if vid is None or content_hash is None or read is None:
            return None
        accepted.append((VignetteKey(vid, content_hash), path, *read))
    bibliography = _bibliography_entries(bib_path, hashes) if accepted else None
    if bibliography is None:
        return None
    accepted.sort(key=lambda entry: entry[0].id)
    return PendingCorpus(
        accepted, content_hash=_content_hash((a[0] for a in accepted), bibliography),
        roots=roots, version=_corpus_version(bib_path),
        bibliography=MappingProxyType(bibliography),
    )


def _check(
    bib_path: Path, files: Sequence[str], narratives_in_files: bool = False
) -> tuple[dict[str, Mapping[str, Any]], list[Vignette], list[Problem]]:
    """Every check, in full: the bibliography, each file's schema, then the corpus checks.

    The files are checked a batch at a time (:data:`CHECKED_TOGETHER`): each schema-valid
    vignette is handed to every corpus check (which keeps only what its cross-file part needs)
    and built, and its parsed file is then let go. With ``narratives_in_files`` each vignette
    built reads its narrative from its file, by the SHA-256 of the bytes checked.
    """
    # The checks are imported here, not with the module: a run on an unchanged corpus reuses
    # their verdict and never needs them (they were a tenth of its start-up).
    from backtriage.harness.loading.consistency import ConsistencyCheck
    from backtriage.harness.loading.contrast_check import ContrastCheck
    from backtriage.harness.loading.lay_exam_check import LayExamCheck
    from backtriage.harness.loading.near_duplicates import NearDuplicateCheck
    from backtriage.harness.loading.semantic_check import SemanticCheck

    bibliography, problems = load_bibliography(bib_path)
    # In the order their problems are reported.
    checks: tuple[CorpusCheck, ...] = (
        SemanticCheck(bibliography), NearDuplicateCheck(), ConsistencyCheck(), LayExamCheck(),
        ContrastCheck(),
    )
    vignettes: list[Vignette] = []
    batch: list[tuple[str, Any, bytes]] = []
    for source in files:
        # The path stays the string the corpus's list holds: a Path a file would intern its
        # name for good (pathlib does), and every check would keep a copy of its string.
        try:
            raw = read_bytes(source, "vignette file")
            data = parse_json(decode_utf8(raw, source), source)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        vid = data.get("id") if isinstance(data, dict) and isinstance(data.get("id"), str) else None
        found = _old_schema_problem(source, data, vid) or schema_problems(
            "vignette", data, source, vid
        )
        problems.extend(found)
        if found:
            continue
        batch.append((source, data, raw))
        if len(batch) >= CHECKED_TOGETHER:
            _check_batch(batch, checks, vignettes, narratives_in_files)
    _check_batch(batch, checks, vignettes, narratives_in_files)
    for check in checks:
        problems.extend(check.problems())
    return bibliography, vignettes, problems


CHECKED_TOGETHER = 256
"""Parsed files handed to the corpus checks together (about 2.5 MB of them): each check runs
over the batch in turn, which took 6% less time at 10,000 than every check file by file."""


def _check_batch(
    batch: list[tuple[str, Any, bytes]],
    checks: Sequence[CorpusCheck],
    vignettes: list[Vignette],
    narratives_in_files: bool,
) -> None:
    """Hand ``batch`` (path, parsed file, bytes) to every check, build its vignettes, empty it."""
    for check in checks:
        for source, data, _ in batch:
            check.add(source, data)
    for source, data, raw in batch:
        in_file = (NarrativeInFile(source, hashlib.sha256(raw).digest(), data["id"])
                   if narratives_in_files else None)
        vignettes.append(Vignette.from_dict(data, source, _sha256(canonical_json(data)),
                                            narrative=in_file))
    batch.clear()


def _reuse(
    files: Sequence[str], cached: CachedValidation, built: Mapping[str, Vignette | None]
) -> list[Vignette] | None:
    """The vignettes a cached check accepted, as :func:`_read_corpus` built them.

    Each is given the content hash the check computed. ``None`` if one the check accepted
    could not be built, or has no hash kept: the full check then runs and reports it.
    """
    vignettes = []
    for path in files:
        if path in cached.rejected:
            continue
        vignette = built.get(path)
        content_hash = cached.content_hashes.get(path)
        if vignette is None or content_hash is None:
            return None
        # Set once, before the vignette leaves the loader (as __post_init__ sets its own).
        object.__setattr__(vignette, "content_hash", content_hash)
        vignettes.append(vignette)
    return vignettes


def _read_corpus(
    bib_path: Path,
    files: Sequence[str],
    problems: list[Problem],
    build: bool,
    narratives_in_files: bool = False,
    hold: bool = False,
) -> tuple[str | None, dict[str, str], dict[str, Vignette | None],
           dict[str, tuple[bytes, bytes | None]]]:
    """Read every file once: the corpus's cache key, each file's SHA-256, and its vignette.

    The key is None if a file cannot be read: the full check reports it, and then runs. The
    missing roots already in ``problems`` are part of the key, since they are part of the
    result.

    With ``build``, each vignette is built from the very bytes hashed, before it is known
    whether a cached check accepted them: a run on an unchanged corpus (the usual one) then
    reads each file once, and no edit can land between the bytes its verdict was looked up by
    and the bytes it runs on. Parsing here is Python's own, not yet strict: a verdict is reused
    only for the bytes the strict check accepted (:func:`parse_accepted_json`); when there is
    none, what was built is dropped and every check runs on the files again. A file that
    cannot be built maps to ``None``. With ``narratives_in_files`` each vignette built reads
    its narrative from its file, by the SHA-256 of the bytes it was built from. With ``hold``,
    each file's SHA-256 is returned instead, with its bytes while :data:`PENDING_BYTES_HELD`
    lasts, to build its vignette later (a pending corpus: from the bytes held, else from the
    file read again if it still has those bytes).
    """
    hashed: list[tuple[str, str]] = []
    built: dict[str, Vignette | None] = {}
    held: dict[str, tuple[bytes, bytes | None]] = {}
    budget = PENDING_BYTES_HELD
    try:
        hashed.append((str(bib_path), hashlib.sha256(read_bytes(bib_path, "file")).hexdigest()))
        for path in files:
            data = read_bytes(path, "file")
            digest = hashlib.sha256(data)
            hashed.append((path, digest.hexdigest()))
            if build:
                built[path] = built_vignette(data, path,
                                             digest.digest() if narratives_in_files else None)
            elif hold:
                keep = len(data) <= budget
                budget = budget - len(data) if keep else 0  # the first files, then none
                held[path] = (digest.digest(), data if keep else None)
    except InputError:
        return None, {}, {}, {}
    return validation_key(hashed, [str(p) for p in problems]), dict(hashed), built, held


def built_vignette(
    data: bytes, path: str, narrative_sha256: bytes | None = None
) -> Vignette | None:
    """The vignette in ``data`` if the bytes make one, else ``None`` (the full check says why).

    The bytes are any file's, unchecked: whatever fails here (bad UTF-8, not JSON, a field
    missing or of the wrong type, nesting too deep) only means no vignette, and any exception
    is caught for that reason: no shape of bad file may end the run before the check names it.
    With ``narrative_sha256`` (the bytes' digest), the narrative is left in the file.
    """
    try:
        parsed = parse_accepted_json(decode_utf8(data, path), path)
        in_file = (None if narrative_sha256 is None
                   else NarrativeInFile(path, narrative_sha256, parsed["id"]))
        return Vignette.from_dict(parsed, path, narrative=in_file)
    except Exception:  # any shape of bad file: the full check names the fault
        return None


def _bibliography_entries(
    path: Path, hashes: Mapping[str, str]
) -> dict[str, Mapping[str, Any]] | None:
    """The bibliography a cached check accepted, if its bytes are still those it was keyed by."""
    try:
        data = read_bytes(path, "bibliography")
    except InputError:
        return None
    if hashlib.sha256(data).hexdigest() != hashes.get(str(path)):
        return None
    try:
        parsed = parse_json(decode_utf8(data, str(path)), str(path))
    except InputError:
        return None
    return _bibliography_from(parsed, path, check=False)[0]


def load_corpus(
    paths: Iterable[str | Path] | None = None,
    *,
    revalidate: bool = False,
    narratives_held_up_to: int | None = None,
) -> Corpus:
    """Load a corpus for running; raise :class:`InputError` if it has any error.

    ``narratives_held_up_to`` is as for :func:`check_corpus`.

    Raises:
        InputError: listing every error (warnings do not block a run).
    """
    corpus, problems = check_corpus(paths, revalidate=revalidate,
                                    narratives_held_up_to=narratives_held_up_to)
    errors = errors_only(problems)
    if errors:
        raise InputError(errors)
    return corpus


def open_corpus(
    paths: Iterable[str | Path] | None = None, *, revalidate: bool = False
) -> Corpus | PendingCorpus:
    """:func:`load_corpus`, but a corpus whose checks are reused comes back pending.

    A :class:`PendingCorpus` knows every vignette's id and content hash and builds the
    vignettes only as they are wanted, so a run can start its first calls before the rest are
    built. A corpus checked on this load, or too large to hold the bytes of, is built at once.

    Raises:
        InputError: listing every error (warnings do not block a run).
    """
    corpus, problems = _checked(paths, revalidate, None, None, leave_pending=True)
    errors = errors_only(problems)
    if errors:
        raise InputError(errors)
    return corpus


def _corpus_version(bib_path: Path) -> str | None:
    """The bibliography's ``corpus_version`` (already schema-checked), or None."""
    try:
        data = load_json(bib_path, "bibliography")
    except InputError:
        return None
    version = data.get("corpus_version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


def _old_schema_problem(file: str | Path, data: Any, vid: str | None) -> list[Problem]:
    """Name the migration script when a file is in the superseded 1.0.0 vignette schema."""
    if not isinstance(data, dict) or data.get("schema_version") != "1.0.0":
        return []
    message = (
        "schema_version 1.0.0 is superseded by 2.0.0 (bladder and bowel are lists, "
        "saddle_sensation is required); upgrade the file with "
        "`python -m backtriage.harness.loading.migrate_findings_v2 FILE`"
    )
    return [Problem(str(file), "/schema_version", message, vignette_id=vid)]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
