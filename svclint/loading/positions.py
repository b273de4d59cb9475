"""Located positions kept between runs: where a field path is in a file, per file content.

Locating a finding composes its document again with libyaml (``source.Source.find``): the
fast load keeps no node positions. On the 10k-object benchmark tree that is 6,000
documents and a second of every run, for files that did not change. So each position a
run works out is kept in the cache next to the file's parse entry, under a name derived
from that entry's (a keyed hash of the file's bytes and of the parsing code): a file whose
bytes are unchanged is never composed again to be located.

A position is only recorded when the text it was computed from is the text the entry was
made from (the file may change on disk between parsing and locating): a memo can only say
what composing those same bytes says. Losing a memo (two runs writing at once, a damaged
entry) only means composing again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svclint.loading.cache import ParseCache, open_cache
from svclint.settings import Limits

if TYPE_CHECKING:
    from svclint.loading.source import Source

_PURPOSE = b"positions"


@dataclass(eq=False)
class PositionStore:
    """The cache directory the positions of one run's files are read from and written to
    (opened when a position is first asked for: most runs locate few files)."""

    directory: str
    limits: Limits
    _cache: ParseCache | None = None
    _opened: bool = False

    def cache(self) -> ParseCache | None:
        if not self._opened:
            self._opened = True
            self._cache = open_cache(self.directory, self.limits)
        return self._cache

    def memo(self, entry: str) -> PositionMemo:
        return PositionMemo(self, entry)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
        self._cache, self._opened = None, False

    def __del__(self) -> None:
        self.close()


@dataclass(eq=False)
class PositionMemo:
    """The positions of one file content: lookups, and what this run added."""

    store: PositionStore
    entry: str  # the parse entry's name: the file's bytes, keyed
    trusted: bool = False  # the text read for locating is the entry's text
    _known: dict[Any, Any] | None = None
    _added: dict[Any, Any] = field(default_factory=dict)

    def _name(self, cache: ParseCache) -> str:
        return cache.derived_name(self.entry, _PURPOSE)

    def get(self, key: Any) -> Any:
        if self._known is None:
            cache = self.store.cache()
            found = cache.get(self._name(cache)) if cache is not None else None
            self._known = found if isinstance(found, dict) else {}
        return self._known.get(key)

    def verify(self, raw: bytes) -> None:
        """Trust positions computed from ``raw`` only if they are the bytes of the entry."""
        cache = self.store.cache()
        self.trusted = cache is not None and cache.entry_name(raw) == self.entry

    def put(self, key: Any, value: Any) -> None:
        if self.trusted:
            self._added[key] = value

    def save(self) -> None:
        """Write what was added (merged with what another process wrote meanwhile)."""
        if not self._added:
            return
        cache = self.store.cache()
        if cache is None:
            return
        name = self._name(cache)
        on_disk = cache.get(name)
        merged = dict(on_disk) if isinstance(on_disk, dict) else {}
        if not self._added.keys() <= merged.keys():
            merged.update(self._added)
            cache.put(name, merged)
        if self._known is not None:
            self._known.update(self._added)
        self._added = {}


def position_key(span_key: tuple[bool, int, int], path: tuple[Any, ...], value: bool) -> tuple[Any, ...]:
    """A memo key: the document, the field path with each part's type (``1``, ``True`` and
    ``1.0`` are different keys, though Python compares them equal), and which position."""
    return (span_key, tuple((type(part).__name__, part) for part in path), value)


def save_positions(sources: Iterable[Source]) -> None:
    """Write the positions the run added for ``sources``."""
    stores: list[PositionStore] = []
    for source in sources:
        memo = source.memo
        if memo is not None:
            memo.save()
            if memo.store not in stores:
                stores.append(memo.store)
    for store in stores:
        store.close()
