"""A sequence whose items are made from another sequence's items each time they are read.

The per-vignette entries of a results document are built this way: a run of 100,000 vignettes
holds its scores and records, never every entry at once (``evaluation.VignetteEntries``,
``results_io.SafeEntries``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar, overload

T = TypeVar("T")
U = TypeVar("U")


class Mapped(Sequence[U], Generic[T, U]):
    """``make`` applied to each item of ``source`` as it is read (nothing is stored)."""

    def __init__(self, source: Sequence[T], make: Callable[[T], U]):
        self.source = source
        self._make = make

    def __len__(self) -> int:
        return len(self.source)

    @overload
    def __getitem__(self, index: int) -> U: ...

    @overload
    def __getitem__(self, index: slice) -> list[U]: ...

    def __getitem__(self, index: int | slice) -> U | list[U]:
        if isinstance(index, slice):
            return [self._make(item) for item in self.source[index]]
        return self._make(self.source[index])

    def __iter__(self) -> Iterator[U]:
        return (self._make(item) for item in self.source)
