"""Deterministic shards of a corpus (``--shard I/N``) for CI matrices and several machines.

Vignettes are sorted by id and dealt round-robin: the vignette at 0-based position ``k`` goes
to shard ``k % N + 1``. Dealing rather than cutting blocks spreads each family of ids (all
``ces-*`` cases sort together) over every shard, so shards take similar time and each shard's
own metrics mean something. The assignment depends only on the set of ids, so a merge can check
that every shard holds exactly its slice.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from backtriage.harness.loading import Corpus
from backtriage.harness.loading.problems import InputError, Problem

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``total`` (1-based, as CI matrices count)."""

    index: int
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"

    def owns(self, position: int) -> bool:
        """True when the vignette at 0-based sorted ``position`` belongs to this shard."""
        return position % self.total == self.index - 1


def parse_shard(text: str, where: str = "--shard") -> Shard:
    """Parse ``I/N`` with ``1 <= I <= N``.

    Raises:
        InputError: naming the flag and what is wrong.
    """
    match = _SHARD.match(text)
    if not match:
        raise InputError([Problem(where, "", f"expected I/N such as 2/3, got {text!r}")])
    index, total = int(match.group(1)), int(match.group(2))
    if total < 1 or not 1 <= index <= total:
        raise InputError([Problem(where, "", f"need 1 <= I <= N, got {index}/{total}")])
    return Shard(index, total)


def shard_ids(ids: Sequence[str], shard: Shard) -> list[str]:
    """Return the ids of ``shard`` among ``ids`` (sorted first, so input order does not matter)."""
    return [vid for k, vid in enumerate(sorted(ids)) if shard.owns(k)]


def select_shard(corpus: Corpus, shard: Shard) -> Corpus:
    """Return the corpus restricted to ``shard``.

    The slice keeps the whole corpus's ``content_hash``: a shard result names the corpus it was
    cut from, and records which slice it holds in ``corpus.shard``.
    """
    keep = set(shard_ids([v.id for v in corpus.vignettes], shard))
    return dataclasses.replace(corpus, vignettes=tuple(v for v in corpus.vignettes if v.id in keep))
