"""Located positions kept between runs: where a field path is in a file, per file content.

Locating a finding composes its document again with libyaml (``source.Source.find``): the
fast load keeps no node positions. On the 10k-object benchmark tree that is 6,000
documents and a second of every run, for files that did not change. So each position a
run works out is kept in the cache under the file's parse entry name (a keyed hash of the
file's bytes and of the parsing code): a file whose bytes are unchanged is never composed
again to be located.

A position is only recorded when the text it was computed from is the text the entry was
made from (the file may change on disk between parsing and locating): a memo can only say
what composing those same bytes says. Losing a memo (two runs writing at once, a damaged
record) only means composing again. The positions of all files are one record (one read,
one write per run), holding the files of the last run.
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
RECORD_PREFIX = "pos-"
KEEP_RECORDS = 2


@dataclass(eq=False)
class PositionStore:
    """The positions of one run's files: one record in the cache directory, read when a
    position is first asked for and written once at the end (not one file per source file:
    opening thousands of small files costs more than composing a few documents)."""

    directory: str
    limits: Limits
    _cache: ParseCache | None = None
    _opened: bool = False
    _known: dict[str, dict[Any, Any]] | None = None
    _added: dict[str, dict[Any, Any]] = field(default_factory=dict)
    _live: set[str] = field(default_factory=set)  # the entries of this run's files

    def cache(self) -> ParseCache | None:
        if not self._opened:
            self._opened = True
            self._cache = open_cache(self.directory, self.limits)
        return self._cache

    def memo(self, entry: str) -> PositionMemo:
        self._live.add(entry)
        return PositionMemo(self, entry)

    def _name(self, cache: ParseCache) -> str:
        return RECORD_PREFIX + cache.derived_name("", _PURPOSE)

    def _read(self) -> dict[str, dict[Any, Any]]:
        cache = self.cache()
        found = cache.get(self._name(cache)) if cache is not None else None
        return found if isinstance(found, dict) else {}

    def lookup(self, entry: str, key: Any) -> Any:
        if self._known is None:
            self._known = self._read()
        positions = self._known.get(entry)
        return positions.get(key) if isinstance(positions, dict) else None

    def add(self, entry: str, key: Any, value: Any) -> None:
        self._added.setdefault(entry, {})[key] = value

    def save(self) -> None:
        """Write what was added, merged with what another process wrote meanwhile (the
        forked half of the rules), keeping only the files of this run."""
        if not self._added:
            return
        cache = self.cache()
        if cache is None:
            return
        merged = {entry: positions for entry, positions in self._read().items() if entry in self._live}
        for entry, positions in self._added.items():
            merged[entry] = {**merged.get(entry, {}), **positions}
        if self._known is not None:
            for entry, positions in self._added.items():
                self._known.setdefault(entry, {}).update(positions)
        self._added = {}
        cache.put(self._name(cache), merged)
        cache.keep_newest(RECORD_PREFIX, KEEP_RECORDS)

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
        self._cache, self._opened = None, False

    def __del__(self) -> None:
        self.close()


@dataclass(eq=False)
class PositionMemo:
    """The positions of one file content, in its run's store."""

    store: PositionStore
    entry: str  # the parse entry's name: the file's bytes, keyed
    trusted: bool = False  # the text read for locating is the entry's text

    def get(self, key: Any) -> Any:
        return self.store.lookup(self.entry, key)

    def verify(self, raw: bytes) -> None:
        """Trust positions computed from ``raw`` only if they are the bytes of the entry."""
        cache = self.store.cache()
        self.trusted = cache is not None and cache.entry_name(raw) == self.entry

    def put(self, key: Any, value: Any) -> None:
        if self.trusted:
            self.store.add(self.entry, key, value)


def position_key(span_key: tuple[bool, int, int], path: tuple[Any, ...], value: bool) -> tuple[Any, ...]:
    """A memo key: the document, the field path with each part's type (``1``, ``True`` and
    ``1.0`` are different keys, though Python compares them equal), and which position."""
    return (span_key, tuple((type(part).__name__, part) for part in path), value)


def save_positions(sources: Iterable[Source]) -> None:
    """Write the positions the run added for ``sources``."""
    stores: list[PositionStore] = []
    for source in sources:
        memo = source.memo
        if memo is not None and memo.store not in stores:
            stores.append(memo.store)
    for store in stores:
        store.save()
        store.close()
