"""An opt-in response cache: a rerun with nothing changed costs no calls.

The key is a SHA-256 over everything that can change an answer: the system's identity as
``describe()`` reports it (adapter kind, model, base URL, prompt template version and hash,
sampling parameters; the source file hash of a ``python:`` system, the executable and script
hash of a ``cmd:`` one), the presentation, and the repeat index (epoch k of a stochastic system
is its own sample). Only valid decisions are stored; errors never are, so a transient failure is
asked again. Entries hold no API key: ``describe()`` never includes one and text is scrubbed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: segments are not locked, never merged
    fcntl = None  # type: ignore[assignment]

from backtriage.harness.atomic_files import is_temporary, write_bytes_atomic
from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.loading.jsonfile import load_json, parse_json
from backtriage.harness.loading.problems import InputError
from backtriage.harness.loading.textfile import decode_utf8, read_bytes
from backtriage.harness.model import Vignette, canonical_json
from backtriage.harness.redaction import scrub_data
from backtriage.harness.safe_json import dumps_recorded
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import SystemFailure

CACHE_FORMAT = 1
SEGMENT_SUFFIX = ".jsonl"
_KEY_PREFIX = b'{"key":"'
_KEY_END = len(_KEY_PREFIX) + 64
MERGE_AT = 8
"""Segments of one system at which a lookup first merges the settled ones into one file."""
STALE_HIDDEN_SECONDS = 3600
"""Age past which a hidden file a merge or a run left (killed before its rename) is deleted."""


class ResponseCache:
    """A folder of cached answers: per system, append-only JSON Lines files, one per run.

    Each entry is one line that starts with its key. A run appends its answers to a segment
    file of its own (created exclusively, each line written by one system call), so runs and
    threads sharing the folder never interleave their lines, and a line cut short (the disk
    filled, the power failed) has no newline and is skipped. The first lookup reads this
    system's segments and indexes their keys; a hit parses its one line with the strict JSON
    reader. One file per answer cost a file creation and a rename per answer and an open per
    hit; this costs one write per answer and one read per segment. The segments read are held
    until :meth:`close` (their size is the system's cached answers, about 1 KB each). Entries
    of the earlier layout (one ``<key[:2]>/<key>.json`` file each) are still read.

    Each run that stores answers adds a segment, so a cache used for many runs would grow
    without end in files: when a lookup finds :data:`MERGE_AT` or more, the settled ones are
    first merged into one (:func:`merge_segments`).
    """

    def __init__(self, folder: Path, system_identity: Mapping[str, Any]):
        self.folder = folder
        self.identity = scrub_data(dict(system_identity))
        self._identity_text = canonical_json(self.identity)
        # Segments are grouped by system, so a lookup reads only this system's answers.
        self._segments = folder / _sha256(self._identity_text)[:24]
        self.hits = 0
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._index: dict[str, tuple[bytes, int, int, str]] | None = None
        self._layout_folders: frozenset[str] = frozenset()
        self._segment: BinaryIO | None = None
        # A miss's key and presentation hash, until its answer is stored: a lookup already
        # wrote the presentation out once, and writing it again cost a tenth of what the
        # calling thread does per answer. Held by the presentation object, checked by identity.
        self._missed: dict[tuple[str, int], tuple[object, str, str]] = {}
        self.write_failure: str | None = None
        """Why this run's answers stopped being stored (a full disk, a file where the
        system's folder goes), or ``None``. The first failure ends the writes, not the run."""

    def key_inputs(self, vignette: Vignette, epoch: int) -> dict[str, Any]:
        """Everything the key is made of (shown in entries so a miss can be explained)."""
        return {
            "cache_format": CACHE_FORMAT,
            "system": self.identity,
            "presentation": vignette.presentation.to_dict(),
            "epoch": epoch,
        }

    def key(self, vignette: Vignette, epoch: int) -> str:
        """The hex SHA-256 naming the entry: of ``canonical_json(key_inputs(...))``."""
        return self._key(canonical_json(vignette.presentation.to_dict()), epoch)

    def _key(self, presentation_text: str, epoch: int) -> str:
        # canonical_json(key_inputs) spelled out (keys sorted, no spaces), so the system's
        # part is serialised once per cache rather than once per lookup; a test holds the two
        # equal.
        text = (f'{{"cache_format":{CACHE_FORMAT},"epoch":{int(epoch)},'
                f'"presentation":{presentation_text},"system":{self._identity_text}}}')
        return _sha256(text)

    def get(self, vignette: Vignette, epoch: int) -> AnswerRecord | None:
        """Return the cached answer, or ``None`` on a miss or an unreadable entry."""
        presentation = canonical_json(vignette.presentation.to_dict())
        key = self._key(presentation, epoch)
        record = self._hit(key, vignette, epoch)
        if record is None:
            self._missed[(vignette.id, epoch)] = (vignette.presentation, key,
                                                  _sha256(presentation))
        return record

    def _hit(self, key: str, vignette: Vignette, epoch: int) -> AnswerRecord | None:
        try:
            entry = self._entry(key)
            if not isinstance(entry, dict) or entry.get("key", key) != key:
                return None
            decision = decision_from_obj(entry["decision"])
        except (InputError, ValueError, KeyError, TypeError, SystemFailure):
            return None  # a damaged or foreign entry is a miss: the system is asked again
        raw, metadata = entry.get("raw"), entry.get("metadata")
        self.hits += 1
        return AnswerRecord(
            vignette.id, epoch, decision, None, raw if isinstance(raw, str) else None, (), 0.0,
            dict(metadata) if isinstance(metadata, dict) else {}, cached=True,
        )

    def put(self, vignette: Vignette, record: AnswerRecord) -> None:
        """Store a successful answer; errors and answers cut short are never stored."""
        missed = self._missed.pop((vignette.id, record.epoch), None)
        if record.decision is None or record.error is not None or not record.final:
            return
        if missed is not None and missed[0] is vignette.presentation:
            key, presentation_sha256 = missed[1], missed[2]
        else:
            presentation = canonical_json(vignette.presentation.to_dict())
            key, presentation_sha256 = self._key(presentation, record.epoch), _sha256(presentation)
        entry = {
            "key": key,  # first, so an index finds it without parsing the line
            "system": self.identity,
            "epoch": record.epoch,
            "presentation_sha256": presentation_sha256,
            "decision": record.decision.to_dict(),
            "raw": record.raw,
            "metadata": record.metadata,
        }
        # Every part is redacted already (the record when it was built, the identity above).
        line = (dumps_recorded(entry, compact=True) + "\n").encode("utf-8")
        with self._lock:
            if self.write_failure is not None:
                return
            try:
                if self._segment is None:
                    self._segment = _new_segment(self._segments)
                _write_all(self._segment, line)
            except OSError as exc:
                # The cache only saves calls: losing it must not lose the run, whose answers
                # the journal keeps. A line cut short has no newline and is never served.
                self.write_failure = f"{type(exc).__name__}: {exc}"

    def close(self) -> None:
        """Close this run's segment and drop the index (the cache stays usable)."""
        with self._lock:
            if self._segment is not None:
                self._segment.close()
                self._segment = None
            self._index = None
            self._missed.clear()

    def _entry(self, key: str) -> Any:
        """The parsed entry for ``key``, ``None`` if there is none; ``InputError`` if damaged."""
        with self._lock:
            if self._index is None:
                if len(_segment_names(self._segments)) >= MERGE_AT:
                    merge_segments(self._segments)
                self._index = _read_index(self._segments)
                self._layout_folders = _one_file_folders(self.folder)
            found = self._index.get(key)
        if found is None:
            # Not in a segment: an entry of the one-file-per-answer layout, or a miss. A miss
            # in a cache without that layout's folder for the key costs no failed open (1,000
            # of them were a tenth of a cold run's lookups); else no existence check first: a
            # missing file fails to open like an unreadable one.
            if key[:2] not in self._layout_folders:
                return None
            return load_json(self.folder / key[:2] / f"{key}.json", "cache entry")
        data, start, end, path = found
        source = f"{path}: the line at byte {start}"
        return parse_json(decode_utf8(data[start:end], source), source)


def _one_file_folders(folder: Path) -> frozenset[str]:
    """The folders of the one-file-per-answer layout in ``folder``, by name (``key[:2]``)."""
    try:
        return frozenset(e.name for e in os.scandir(folder) if len(e.name) == 2)
    except OSError:
        return frozenset()


def _segment_names(folder: Path) -> list[str]:
    """The names of the segments in ``folder``, oldest first (names start with the time)."""
    try:
        return sorted(e.name for e in os.scandir(folder) if e.name.endswith(SEGMENT_SUFFIX))
    except OSError:
        return []


def merge_segments(folder: Path) -> int:
    """Merge the settled segments at the old end of ``folder`` into one; return how many.

    A segment is settled when no run is writing it: a writer holds an exclusive lock on its
    segment from before the segment is visible until it closes it, so a segment that can be
    locked now will never grow again. The merge takes the oldest segments up to the first one
    still being written, keeps each key's last complete line (the line a lookup serves) and
    leaves out lines a lookup skips; it puts them in place of the newest merged segment with
    the project's atomic writer, flushed to disk before the rename, and then deletes the older
    ones. Lookups served before, during and after it find the same answers: a reader that
    meets a segment already deleted has its lines in the merged file. Without ``fcntl`` (on
    Windows) nothing is merged. Any failure leaves the segments as they were, or holding
    duplicate lines, which a lookup reads as before. Hidden files older than
    :data:`STALE_HIDDEN_SECONDS` (left by a merge or a run killed before its rename) go first.
    """
    if fcntl is None:  # pragma: no cover - Windows
        return 0
    _remove_stale_hidden(folder)
    with contextlib.ExitStack() as held:
        settled: list[tuple[str, bytes]] = []
        for name in _segment_names(folder):
            path = folder / name
            try:
                fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
            except OSError:
                break  # gone (another merge) or unreadable: the merge stops here
            held.callback(os.close, fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                data = read_bytes(path, "cache segment")
            except (OSError, InputError):
                break  # still being written, or not a segment a lookup reads
            settled.append((name, data))
        if len(settled) < 2:
            return 0
        lines = {key: data[start:end + 1]
                 for _, data in settled for key, start, end in _keyed_lines(data)}
        try:
            write_bytes_atomic(folder / settled[-1][0], b"".join(lines.values()), durable=True)
        except OSError:
            return 0
        for name, _ in settled[:-1]:
            with contextlib.suppress(OSError):
                os.unlink(folder / name)
        return len(settled)


def _remove_stale_hidden(folder: Path) -> None:
    """Delete hidden files a killed merge or run left: none lives more than moments."""
    cutoff = time.time() - STALE_HIDDEN_SECONDS
    try:
        stale = [e.path for e in os.scandir(folder)
                 if is_temporary(e.name) and e.is_file(follow_symlinks=False)
                 and e.stat(follow_symlinks=False).st_mtime < cutoff]
    except OSError:
        return
    for path in stale:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _keyed_lines(data: bytes) -> Iterator[tuple[str, int, int]]:
    """Each complete line of a segment that starts with a key: its key, start and end.

    ``end`` is the offset of the line's newline. A line cut short (no newline) or not
    starting with a key is left out: a lookup never serves it.
    """
    prefix, key_end = len(_KEY_PREFIX), _KEY_END
    start = 0
    while (end := data.find(b"\n", start)) >= 0:
        if (end > start + key_end and data.startswith(_KEY_PREFIX, start)
                and data[start + key_end] == 0x22):  # the '"' closing the key
            yield data[start + prefix:start + key_end].decode("ascii", "replace"), start, end
        start = end + 1


def _read_index(folder: Path) -> dict[str, tuple[bytes, int, int, str]]:
    """Read the segments in ``folder`` and index each complete line by the key it starts with.

    A segment the strict file reader refuses (not a regular file, unreadable, too large), or a
    line that does not start with a key, is skipped: the cache is a convenience, and what it
    cannot read is a miss. A key found twice keeps its last line (the newer segment, by name).
    """
    index: dict[str, tuple[bytes, int, int, str]] = {}
    for name in _segment_names(folder):
        path = str(folder / name)
        try:
            data = read_bytes(Path(path), "cache segment")
        except InputError:
            continue
        for key, start, end in _keyed_lines(data):
            index[key] = (data, start, end, path)
    return index


def _new_segment(folder: Path) -> BinaryIO:
    """Create this run's segment, locked while it is written (see :func:`merge_segments`).

    The file is made exclusively under a hidden name, locked, then renamed to its segment
    name, so no segment is ever visible unlocked while a run may still write it. Unbuffered:
    each line is one system call. The kernel applies the umask.
    """
    folder.mkdir(parents=True, exist_ok=True)
    hidden, out = _hidden_file(folder)
    try:
        if fcntl is not None:
            fcntl.flock(out.fileno(), fcntl.LOCK_EX)  # released when close() closes it
        os.rename(hidden, folder / hidden.name[1:-len(_HIDDEN_SUFFIX)])
    except BaseException:
        out.close()
        with contextlib.suppress(OSError):
            os.unlink(hidden)
        raise
    return out


_HIDDEN_SUFFIX = ".tmp"


def _hidden_file(folder: Path) -> tuple[Path, BinaryIO]:
    """Create ``.<time>-<pid>-<random>.jsonl.tmp`` exclusively, unbuffered.

    Hidden and not ending in ``.jsonl``: no lookup or merge reads it. Its name without the
    leading dot and the ``.tmp`` is the segment name it is renamed to.
    """
    while True:
        name = (f".{time.time_ns():020d}-{os.getpid()}-{secrets.token_hex(4)}"
                f"{SEGMENT_SUFFIX}{_HIDDEN_SUFFIX}")
        try:
            return folder / name, open(folder / name, "xb", buffering=0)
        except FileExistsError:  # pragma: no cover - a 32-bit name collision
            continue


def _write_all(out: BinaryIO, data: bytes) -> None:
    """Write ``data`` whole: a regular file takes it in one call, a short write is resumed."""
    view = memoryview(data)
    while view:
        written = out.write(view)
        if not written:  # only a non-blocking file returns None; a segment never is one
            raise OSError(f"no progress writing the cache segment {out.name}")
        view = view[written:]


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
