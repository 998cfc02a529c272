"""The run journal: every finished answer appended to OUTPUT/journal.jsonl as it completes.

The first line is a header naming the run (system, corpus, vignettes, epochs); each further line
is one answer record. Lines are handed to the operating system (:meth:`Journal.flush`) each
time the engine has recorded the answers that have arrived, before it waits for more, so a crash
of the harness, a Ctrl-C or a SIGKILL loses only the answers still in flight: what the kernel
holds survives the process. The file is also fsync'd at most
every :data:`SYNC_SECONDS` and when it is closed, so a power cut or a kernel crash loses at most
the last second of answers. (An fsync per answer cost about a millisecond each, as much as the
rest of the harness's work per answer.) ``--resume`` reads the journal back, refuses one from a
different run, and asks only what is missing.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from backtriage.harness.engine.record_reading import checked_record
from backtriage.harness.engine.records import AnswerRecord, record_text
from backtriage.harness.loading.jsonfile import parse_json
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.loading.textfile import read_bytes
from backtriage.harness.model import canonical_json
from backtriage.harness.redaction import scrub_data
from backtriage.harness.safe_json import dumps_recorded

JOURNAL_NAME = "journal.jsonl"
PREVIOUS_NAME = "journal.previous.jsonl"
FORMAT = "backtriage-journal"
FORMAT_VERSION = 1
SYNC_SECONDS = 1.0
"""Longest time an answer stays in the journal without an fsync (power-cut exposure)."""


@dataclass(frozen=True)
class JournalContents:
    """What a journal file holds.

    Attributes:
        header: the first line (format, identity, options, started_at).
        records: the answers, last one winning for a repeated (vignette, epoch).
        good_bytes: length of the file up to its last complete line; a line cut short by a
            crash lies beyond it and is discarded.
    """

    header: dict[str, Any]
    records: tuple[AnswerRecord, ...]
    good_bytes: int


def read_journal(path: Path) -> JournalContents:
    """Read a journal, tolerating a final line cut short by a crash.

    Raises:
        InputError: if the file is not a journal or a line other than the last is damaged.
    """
    data = read_bytes(path, "journal")
    lines = data.split(b"\n")
    header: dict[str, Any] | None = None
    records: dict[tuple[str, int], AnswerRecord] = {}
    offset = 0
    good = 0
    for number, line in enumerate(lines, start=1):
        end = offset + len(line) + 1
        complete = end <= len(data)  # the text after the last newline has none of its own
        if not line.strip():
            offset = end
            if complete:
                good = end
            continue
        try:
            item = _parse_line(line, f"{path}: line {number}")
            if not complete:
                raise ValueError("no newline: cut short")
            if header is None:
                if not isinstance(item, dict) or item.get("format") != FORMAT:
                    raise InputError([Problem(str(path), "", "not a backtriage journal")])
                header = item
            else:
                record = checked_record(item)
                records[(record.vignette_id, record.epoch)] = record
        except InputError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            if complete and number < len(lines) - 1:
                raise InputError([Problem(
                    str(path), "", f"line {number} is damaged ({exc}); move the journal "
                    "aside to start afresh",
                )]) from None
            break  # the final line of a killed run: ignore it, the answer is asked again
        offset = end
        good = end
    if header is None:
        raise InputError([Problem(str(path), "", "journal has no header line")])
    return JournalContents(header, tuple(records.values()), good)


class Journal:
    """An open journal that appends one answer per line, durably."""

    def __init__(self, path: Path, handle: IO[str], header: Mapping[str, Any]):
        self.path = path
        self.header = dict(header)
        self._handle = handle
        self._lock = threading.Lock()
        self._synced_at = time.monotonic()

    @classmethod
    def start(
        cls, folder: Path, identity: Mapping[str, Any], options: Mapping[str, Any], started_at: str
    ) -> Journal:
        """Begin a new journal in ``folder``; an earlier one is kept as journal.previous.jsonl."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / JOURNAL_NAME
        if path.exists():
            os.replace(path, folder / PREVIOUS_NAME)
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "identity": dict(identity),
            "options": dict(options),
            "started_at": started_at,
        }
        journal = cls(path, path.open("w", encoding="utf-8"), header)
        journal._write(header)
        os.fsync(journal._handle.fileno())
        _sync_folder(folder)  # so the new file's name survives a power cut too
        return journal

    @classmethod
    def resume(
        cls, folder: Path, identity: Mapping[str, Any], options: Mapping[str, Any], started_at: str
    ) -> tuple[Journal, tuple[AnswerRecord, ...]]:
        """Reopen the journal in ``folder`` for appending and return the answers it holds.

        With no journal there, a new one is started (nothing to resume is not an error).

        Raises:
            InputError: if the journal belongs to a different run, or is damaged.
        """
        path = folder / JOURNAL_NAME
        if not path.exists() or b"\n" not in read_bytes(path, "journal")[:1_000_000]:
            # No journal, or one killed before its header line was complete.
            return cls.start(folder, identity, options, started_at), ()
        contents = read_journal(path)
        _check_identity(path, contents.header.get("identity", {}), identity)
        with path.open("r+b") as fh:
            fh.truncate(contents.good_bytes)  # drop a half-written last line
        journal = cls(path, path.open("a", encoding="utf-8"), contents.header)
        return journal, contents.records

    @property
    def started_at(self) -> str | None:
        """When the journal's run first started."""
        value = self.header.get("started_at")
        return value if isinstance(value, str) else None

    def append(self, record: AnswerRecord) -> None:
        """Write one answer; it survives the process being killed once :meth:`flush` returns."""
        # A record is redacted and made encodable when it is built (records.py), so it is
        # not scrubbed a second time here: that walk cost more than the rest of the write.
        line = record_text(record)
        if line is None:  # something in it to replace, and to record as replaced
            line = dumps_recorded(record.to_dict(), compact=True)
        with self._lock:
            self._handle.write(line + "\n")

    def flush(self) -> None:
        """Hand the written answers to the operating system; fsync if the last was long ago."""
        with self._lock:
            self._handle.flush()
            now = time.monotonic()
            if now - self._synced_at >= SYNC_SECONDS:
                os.fsync(self._handle.fileno())
                self._synced_at = now

    def close(self) -> None:
        """Sync and close the file."""
        with self._lock:
            if not self._handle.closed:
                self._handle.flush()
                os.fsync(self._handle.fileno())
                self._handle.close()

    def _write(self, item: Mapping[str, Any]) -> None:
        # The shared JSON-safe serialiser: a set, a NaN or a lone surrogate in a reply is
        # replaced (and recorded in the line), never a crash half-way through a run.
        line = dumps_recorded(scrub_data(dict(item)), compact=True)
        with self._lock:
            self._handle.write(line + "\n")
        self.flush()


def _parse_line(line: bytes, source: str) -> Any:
    """Parse one journal line with the strict JSON reader; ``ValueError`` if it is damaged."""
    try:
        return parse_json(line.decode("utf-8"), source)
    except InputError as exc:
        raise ValueError(exc.problems[0].message) from None


def _sync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not every platform lets a folder be opened; the data itself is synced
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check_identity(path: Path, found: Mapping[str, Any], wanted: Mapping[str, Any]) -> None:
    if canonical_json(found) == canonical_json(wanted):
        return
    differs = sorted(k for k in {*found, *wanted} if canonical_json(found.get(k)) !=
                     canonical_json(wanted.get(k)))
    details = "; ".join(
        f"{k}: journal has {_short(found.get(k))}, this run {_short(wanted.get(k))}"
        for k in differs
    )
    raise InputError([Problem(
        str(path), "",
        f"--resume refused: the journal belongs to a different run ({details}). Use another "
        "--output folder, or run without --resume to start afresh.",
    )])


def _short(value: Any) -> str:
    text = canonical_json(value)
    return text if len(text) <= 80 else text[:77] + "..."
