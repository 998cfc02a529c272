"""An opt-in response cache: a rerun with nothing changed costs no calls.

The key is a SHA-256 over everything that can change an answer: the system's identity as
``describe()`` reports it (adapter kind, model, base URL, prompt template version and hash,
sampling parameters; the source file hash of a ``python:`` system, the executable and script
hash of a ``cmd:`` one), the presentation, and the repeat index (epoch k of a stochastic system
is its own sample). Only valid decisions are stored; errors never are, so a transient failure is
asked again. Entries hold no API key: ``describe()`` never includes one and text is scrubbed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from backtriage.harness.atomic_files import write_text_atomic
from backtriage.harness.engine.records import AnswerRecord
from backtriage.harness.loading.jsonfile import load_json
from backtriage.harness.loading.problems import InputError
from backtriage.harness.model import Vignette, canonical_json
from backtriage.harness.redaction import scrub_data
from backtriage.harness.safe_json import dumps_recorded
from backtriage.harness.systems.decision_parsing import decision_from_obj
from backtriage.harness.systems.protocol import SystemFailure

CACHE_FORMAT = 1


class ResponseCache:
    """A folder of cached answers, one JSON file per key.

    Safe for concurrent use by threads and processes: each entry is written to a temporary file
    and renamed into place, so a reader sees a whole entry or none.
    """

    def __init__(self, folder: Path, system_identity: Mapping[str, Any]):
        self.folder = folder
        self.identity = scrub_data(dict(system_identity))
        self._identity_text = canonical_json(self.identity)
        self.hits = 0
        self.folder.mkdir(parents=True, exist_ok=True)

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
        path = self._path(self.key(vignette, epoch))
        try:
            # No existence check first: a missing entry fails to open like an unreadable one
            # (a miss either way), and a hit costs one system call fewer.
            entry = load_json(path, "cache entry")
            if not isinstance(entry, dict):
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
        if record.decision is None or record.error is not None or not record.final:
            return
        presentation = canonical_json(vignette.presentation.to_dict())
        key = self._key(presentation, record.epoch)
        entry = {
            "key": key,
            "system": self.identity,
            "epoch": record.epoch,
            "presentation_sha256": _sha256(presentation),
            "decision": record.decision.to_dict(),
            "raw": record.raw,
            "metadata": record.metadata,
        }
        # Every part is redacted already (the record when it was built, the identity above).
        write_text_atomic(self._path(key), dumps_recorded(entry))

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
