"""A corpus whose checks were reused, with its vignettes built only as they are wanted.

A kept check (:mod:`.validation_cache`) names each accepted file's vignette id and content
hash, so a run on an unchanged corpus knows its order, its content hash, its identity and every
job before it has built a single vignette. Building them (parsing each file and freezing its
fields) is most of a load: 0.06-0.08 s per 1,000 on a 2-core machine. A run of a networked
system therefore builds its first vignettes, sends their calls, and builds the rest while those
calls wait (``engine.runner``); anything else asks for the whole :class:`Corpus` at once.

Each vignette is built from the very bytes whose hash found the kept check: those held from
that read, up to a budget (``corpus.PENDING_BYTES_HELD``; all a corpus's files would be a
quarter of a large run's memory), else its file read again, and only if it still holds those
bytes. So no edit can land between a verdict and its vignette; a file changed in between
stops the run (:class:`~.problems.CorpusChanged`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backtriage.harness.loading.narrative_file import checked_bytes
from backtriage.harness.loading.problems import InputError, Problem
from backtriage.harness.model import Vignette

if TYPE_CHECKING:
    from backtriage.harness.loading.corpus import Corpus


@dataclass(frozen=True, slots=True)
class VignetteKey:
    """What a run's identity needs of a vignette: its id and content hash."""

    id: str
    content_hash: str


@dataclass(slots=True)
class _Accepted:
    """One file a kept check accepted.

    Its vignette's key, the SHA-256 of its bytes, and the bytes themselves if they were held
    from that read (dropped once built).
    """

    key: VignetteKey
    path: str
    sha256: bytes
    data: bytes | None


class PendingCorpus:
    """A corpus whose vignettes are built in id order, each once, when first wanted.

    Attributes:
        keys: every vignette's id and content hash, sorted by id.
        content_hash, roots, version, bibliography: as the :class:`Corpus` will have them.
        validation: always ``reused`` (a corpus checked on this load is built as it is).
        by_id: the vignettes built so far, by id (filled as they are built).
    """

    validation = "reused"

    def __init__(self, accepted: Sequence[tuple[VignetteKey, str, bytes, bytes | None]], *,
                 content_hash: str,
                 roots: tuple[str, ...], version: str | None,
                 bibliography: Mapping[str, Mapping[str, Any]]):
        self._accepted = [_Accepted(*a) for a in accepted]
        self.keys = tuple(a.key for a in self._accepted)
        self.content_hash = content_hash
        self.roots = roots
        self.version = version
        self.bibliography = bibliography
        self.by_id: dict[str, Vignette] = {}
        self._built: list[Vignette] = []
        self._corpus: Corpus | None = None

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every vignette's id, in the order :meth:`vignettes` yields them."""
        return tuple(k.id for k in self.keys)

    def vignettes(self) -> Iterator[Vignette]:
        """Each vignette in id order, built the first time any iteration reaches it.

        Raises:
            CorpusChanged: a file changed after the corpus was opened.
            InputError: a file the kept check accepted no longer makes its vignette (the
                checking code changed without changing the key); ``--revalidate`` checks again.
        """
        for i, accepted in enumerate(self._accepted):
            if i == len(self._built):
                self._built.append(self._build(accepted))
            yield self._built[i]

    def corpus(self) -> Corpus:
        """The whole :class:`~backtriage.harness.loading.corpus.Corpus`, every vignette built."""
        if self._corpus is None:
            from backtriage.harness.loading.corpus import Corpus

            self._corpus = Corpus(
                vignettes=tuple(self.vignettes()), bibliography=self.bibliography,
                content_hash=self.content_hash, roots=self.roots, version=self.version,
                validation=self.validation,
            )
        return self._corpus

    def _build(self, accepted: _Accepted) -> Vignette:
        from backtriage.harness.loading.corpus import built_vignette

        key, path, data = accepted.key, accepted.path, accepted.data
        if data is None:
            data = checked_bytes(path, accepted.sha256, key.id)
        accepted.data = None
        vignette = built_vignette(data, path)
        if vignette is None or vignette.id != key.id:
            raise InputError([Problem(
                path, "", "no longer reads as the vignette its kept check accepted; "
                "check the corpus again with --revalidate", vignette_id=key.id)])
        # Set once, before the vignette leaves the loader (as __post_init__ sets its own).
        object.__setattr__(vignette, "content_hash", key.content_hash)
        self.by_id[vignette.id] = vignette
        return vignette
