"""A narrative left in its vignette file, read back when it is asked for.

The narratives are most of a corpus's memory (about 1.2 KB of a vignette's 2 KB), and the
rule systems never read them: the loader leaves those of a very large corpus in their files
(:data:`~backtriage.harness.loading.corpus.NARRATIVES_HELD_UP_TO`). Each is read again from
its file only when something asks for it (a model's prompt, a report), and only if the file
still holds the very bytes that were checked: its SHA-256 is compared first, so an edit made
during the run is never sent as the case that was validated.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from backtriage.harness.loading.jsonfile import parse_accepted_json
from backtriage.harness.loading.problems import CorpusChanged, InputError, Problem
from backtriage.harness.loading.textfile import decode_utf8, read_bytes


@dataclass(frozen=True, slots=True)
class NarrativeInFile:
    """A vignette's narrative in its file: the file's bytes had SHA-256 ``sha256``.

    ``path`` and ``vignette_id`` are the vignette's own strings, not copies.
    """

    path: str
    sha256: bytes
    vignette_id: str

    def read(self) -> str:
        """Return the narrative, read from the file.

        Raises:
            CorpusChanged: the file is gone, unreadable, or no longer holds the bytes loaded.
        """
        data = checked_bytes(self.path, self.sha256, self.vignette_id)
        # The same bytes the loader built the vignette from, so they parse as they did then.
        narrative = parse_accepted_json(decode_utf8(data, self.path), self.path)[
            "presentation"]["narrative"]
        if not isinstance(narrative, str):  # cannot happen for bytes the check accepted
            raise CorpusChanged([Problem(self.path, "/presentation/narrative",
                                         "the narrative is not text",
                                         vignette_id=self.vignette_id)])
        return narrative


def checked_bytes(path: str, sha256: bytes, vignette_id: str) -> bytes:
    """The bytes of the vignette file ``path``, which must still have SHA-256 ``sha256``.

    Raises:
        CorpusChanged: the file is gone, unreadable, or no longer holds the bytes checked.
    """
    try:
        data = read_bytes(Path(path), "vignette file")
    except InputError as exc:
        raise CorpusChanged([Problem(p.file, p.pointer, p.message, p.severity, vignette_id)
                             for p in exc.problems]) from None
    if hashlib.sha256(data).digest() != sha256:
        raise CorpusChanged([Problem(
            path, "",
            "the file changed after the corpus was loaded and checked, so it no longer holds "
            "the vignette checked; run again on the corpus as it is now",
            vignette_id=vignette_id,
        )])
    return data
