"""Results entries made as the answers arrive, so writing the results file is a copy.

A vignette's entry in ``results.json`` (its labels, outcomes and answers) depends on that
vignette and its own records only. Once each of its epochs has a final record, the spool
scores it and serialises its entry with the one JSON-safe serialiser, into an anonymous
temporary file beside the results; writing the results then copies the bytes, in corpus order.
A call to a remote model mostly waits, and the entries are made in that wait, not after the
last reply (a tenth of a second per 1,000 vignettes).

The spool is only a head start, never a second source of truth: an entry is used only when the
run's final records for its vignette are the very records it was made from. Everything else (a
resumed journal's answers, a record replaced, an epoch cut short by the time cap) is made at the
end, as without a spool. Nothing is held in memory but the score and where the text lies.
"""

from __future__ import annotations

import os
import tempfile
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.model import Vignette
from backtriage.harness.safe_json import Replacement, SafeJson
from backtriage.scoring.vignette_score import VignetteScore, score_vignette

MakeEntry = Callable[[VignetteScore, Sequence[AnswerRecord]], SafeJson]
"""Serialises a vignette's results entry from its score and its records."""

_FLUSH_BYTES = 1 << 18
"""Entries are written in batches of about this many bytes (one system call each)."""


@dataclass(frozen=True, slots=True)
class Spooled:
    """One entry made ahead: its score, the records it was made from, where its text lies."""

    score: VignetteScore
    records: tuple[AnswerRecord, ...]
    offset: int
    length: int
    replacements: tuple[Replacement, ...]


class EntrySpool:
    """Entries made while a run goes on, kept in a temporary file that nothing else can see.

    Args:
        vignettes: the run's vignettes by id (read as answers arrive: a pending corpus's
            ``by_id``, filled as its vignettes are built, will do).
        epochs: answers per vignette; an entry is made when all of them are in.
        make_entry: serialises a vignette's entry from its score and its records (the same
            function the results document uses, so both give the same text).
        folder: where the temporary file goes (the output folder; ``None``: the system's).
    """

    def __init__(self, vignettes: Mapping[str, Vignette], epochs: int,
                 make_entry: MakeEntry, folder: Path | None = None):
        self._vignettes = vignettes
        self._epochs = epochs
        self._make_entry = make_entry
        self._waiting: dict[str, list[AnswerRecord]] = {}
        self._made: dict[str, Spooled] = {}
        # Unlinked as it is made (O_TMPFILE where the system has it): a run killed part-way
        # leaves nothing behind. Closed when the spool is dropped, warning or not.
        self._file = tempfile.TemporaryFile(  # noqa: SIM115 - lives as long as the spool
            dir=folder if folder is not None and folder.is_dir() else None,
            prefix=".entries-", buffering=0)
        weakref.finalize(self, self._file.close)
        self._pending: list[bytes] = []
        self._pending_bytes = 0
        self._written = 0
        self._broken = False

    def add(self, record: AnswerRecord) -> None:
        """Take a final record as it arrives; make its vignette's entry once all are in."""
        vignette = self._vignettes.get(record.vignette_id)
        if vignette is None or self._broken or record.vignette_id in self._made:
            return
        waiting = self._waiting.setdefault(record.vignette_id, [])
        waiting.append(record)
        if len(waiting) < self._epochs:
            return
        del self._waiting[record.vignette_id]
        records = tuple(sorted(waiting, key=lambda r: r.epoch))
        if [r.epoch for r in records] != list(range(self._epochs)):
            return  # an epoch twice, or one outside the run: made at the end instead
        score = score_vignette(vignette, [r.decision for r in records])
        safe = self._make_entry(score, records)
        data = safe.value.encode("utf-8")
        self._made[vignette.id] = Spooled(score, records, self._written + self._pending_bytes,
                                          len(data), safe.replacements)
        self._pending.append(data)
        self._pending_bytes += len(data)
        if self._pending_bytes >= _FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        """Write the entries made since the last flush; a failed write gives the spool up.

        The spool is a head start only: a full disk must cost the run the head start, never
        the run (its entries are then made at the end, when the results file is written).
        """
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_bytes = 0
        try:
            view = memoryview(data)
            while view:
                n = os.write(self._file.fileno(), view)
                if n <= 0:
                    raise OSError("the entry spool could not be written")
                view = view[n:]
        except OSError:
            self._broken = True
            self._made.clear()
            self._file.close()
            return
        self._written += len(data)

    def made(self, vignette_id: str, records: Sequence[AnswerRecord]) -> Spooled | None:
        """The entry made ahead for ``vignette_id``, if it was made from exactly ``records``."""
        spooled = None if self._broken else self._made.get(vignette_id)
        if spooled is None or len(spooled.records) != len(records):
            return None
        if any(a is not b for a, b in zip(spooled.records, records, strict=True)):
            return None
        return spooled

    def text(self, spooled: Spooled) -> SafeJson:
        """The serialised entry, as :func:`dumps_safe` gave it.

        Raises:
            OSError: if the spool cannot give it back (the caller then builds the entry).
        """
        if self._pending:
            self._flush()
        if self._broken:
            raise OSError("the entry spool could not be written")
        data = os.pread(self._file.fileno(), spooled.length, spooled.offset)
        if len(data) != spooled.length:
            raise OSError(f"the entry spool returned {len(data)} of {spooled.length} bytes")
        return SafeJson(data.decode("utf-8"), spooled.replacements)
