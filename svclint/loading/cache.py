"""The parse cache: a file's parsed documents, kept under ``.svclint_cache/`` between runs.

A parse entry is what ``parsing`` would produce for one file's bytes (documents, YAML
problems, ignore comments), as marshal data: plain dicts, lists and scalars, never code or
pickle. It is named by a keyed hash of the file's bytes and of everything that changes
parsing (svclint's version, the source of the parsing modules, the Python and marshal
versions, the limits), so an edited file, an upgrade or other limits simply miss. Entries
are written in batches into pack files and found through an index (``loading.packs``);
the few records of a run (``lint.rerun``, ``lint.perobject``, ``loading.positions``) are
files of their own, named by keyed hashes too.

Why the hash is keyed (docs/security.md): a repository may commit a ``.svclint_cache``
directory. Without a secret, a pull request could add a bad manifest together with an entry
that describes it as harmless, and a CI run would believe the entry. The key lives in the
user's own cache directory (``$XDG_CACHE_HOME/svclint/key``), so a repository cannot name
an entry svclint will ever read, nor write an index that verifies. When there is no such
key and none can be made, there is no cache.

The directory itself is opened once without following a symlink and every file in it is
opened relative to it, without following a symlink, as a regular file of bounded size: a
repository cannot point the cache outside itself, at a FIFO, or at a huge file. Every entry
and record is checked against a checksum (an entry's is in the authenticated index), so a
run that reads what another run is still writing, or what a crash cut short, sees a miss;
a damaged entry is parsed again and written to a new pack.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import stat
import sys
from dataclasses import dataclass, field
from typing import Any

from svclint import distributions
from svclint.loading import packs
from svclint.settings import Limits
from svclint.userdirs import user_cache_dir

DIRECTORY_NAME = ".svclint_cache"
MAX_CACHE_BYTES = 512 * 1024 * 1024  # pruned to 3/4 of this, oldest entries first
_MAGIC = b"svclint-cache-1\n"
_SIGNED = b"svclint-signed-1\n"
_CHECKSUM_BYTES = 16
_KEY_BYTES = 32
# The modules whose code decides what an entry holds: a change to any of them is a new key.
_PARSING_MODULES = ("cache", "composer", "directives", "nesting", "parsing", "positions", "source", "yamlload")
_GITIGNORE = "# Created by svclint: this directory is a cache.\n*\n"
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by svclint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


def content_digest(raw: bytes) -> bytes:
    """A file's content hash (unkeyed): the run key's, and keyed once more, an entry's name."""
    return hashlib.blake2b(raw, digest_size=20).digest()


# The content digests the run key read (``lint.rerun``), by path, with the file's identity
# then: parsing an unchanged file takes its entry by this digest instead of reading and
# hashing the file a second time. A file changed since (other size, times, inode) is read.
_digests: dict[str, tuple[tuple[int, ...], bytes]] = {}


def file_identity(info: os.stat_result) -> tuple[int, ...]:
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def forget_digests() -> None:
    _digests.clear()


def remember_digest(path: str, info: os.stat_result, content: bytes) -> None:
    """``content`` is the digest of the bytes read from ``path`` when it was ``info``."""
    _digests[path] = (file_identity(info), content)


def _unchanged(path: str, identity: tuple[int, ...]) -> bool:
    try:
        info = os.stat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and file_identity(info) == identity


def user_key_path() -> str | None:
    """Where the secret key lives: the user's cache directory, never the project's."""
    directory = user_cache_dir()
    return os.path.join(directory, "key") if directory is not None else None


def _user_key() -> bytes | None:
    """The secret that names entries; made on first use (readable by the user only)."""
    path = user_key_path()
    if path is None:
        return None
    try:
        with open(path, "rb") as handle:
            key = handle.read(_KEY_BYTES + 1)
        if len(key) == _KEY_BYTES:
            return key
    except OSError:
        pass
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        key = os.urandom(_KEY_BYTES)
        temporary = f"{path}.{os.getpid()}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        os.replace(temporary, path)
    except OSError:
        return None
    # Two first runs at once: both wrote a key, the last rename won; use the one on disk.
    try:
        with open(path, "rb") as handle:
            key = handle.read(_KEY_BYTES + 1)
    except OSError:
        return None
    return key if len(key) == _KEY_BYTES else None


def _code_digest() -> bytes:
    """The svclint version and the parsing modules' source: an edited checkout is a new key."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update((distributions.version("svclint") or "unknown").encode())
    here = os.path.dirname(os.path.abspath(__file__))
    for name in _PARSING_MODULES:
        try:
            with open(os.path.join(here, f"{name}.py"), "rb") as handle:
                digest.update(handle.read())
        except OSError:
            digest.update(b"missing")
    digest.update(f"{sys.implementation.cache_tag} {marshal.version}".encode())
    return digest.digest()


_OPEN: dict[int, ParseCache] = {}  # by descriptor: the caches of this process (and, forked, of its workers)


@dataclass(eq=False)
class ParseCache:
    """One run's view of the cache directory (an open descriptor, inherited by workers).

    Parse entries go through ``get_entry`` and ``put_entry`` (packs and their index,
    ``loading.packs``); the few records of a run (whole run, per-object findings,
    positions) are files of their own (``get`` and ``put``).
    """

    directory: str
    descriptor: int
    key: bytes
    salt: bytes  # code digest and limits: the same for every entry of this run
    max_entry_bytes: int
    _index: packs.Index | None = field(default=None, repr=False)  # published entries, read once
    _pending: dict[str, bytes] = field(default_factory=dict, repr=False)  # not yet in a pack
    _unpublished: packs.Index = field(default_factory=dict, repr=False)  # in packs, not yet in the index
    _reader: packs.PackReader | None = field(default=None, repr=False)

    def __reduce__(self) -> tuple[Any, ...]:
        """Sent to a forked worker with each task: the worker's inherited copy of this cache
        (with the index already read) rather than a new one per task."""
        return (_inherited, (self.directory, self.descriptor, self.key, self.salt, self.max_entry_bytes))

    def entry_name(self, raw: bytes) -> str:
        return self.entry_name_of(content_digest(raw))

    def entry_name_of(self, content: bytes) -> str:
        """The entry name of the bytes whose ``content_digest`` is ``content``."""
        return hashlib.blake2b(self.salt + content, digest_size=20, key=self.key).hexdigest()

    def entry_name_of_path(self, path: str) -> str | None:
        """The entry name of the file at ``path`` as this run's key read it, if it did."""
        known = _digests.get(path)
        return None if known is None else self.entry_name_of(known[1])

    def derived_name(self, name: str, purpose: bytes) -> str:
        """The name of another entry about the same bytes as entry ``name`` (``positions``)."""
        digest = hashlib.blake2b(self.salt + purpose, digest_size=20, key=self.key)
        digest.update(name.encode())
        return digest.hexdigest()

    # -- parse entries: packs and their index --------------------------------------------

    def entry_of_unchanged(self, path: str) -> tuple[str, Any] | None:
        """(name, entry) of the file at ``path`` without reading it: the run key hashed it
        (``remember_digest``), there is an entry for that hash, and the file has not
        changed since. None otherwise (read it). The file is looked at only for a hit."""
        known = _digests.get(path)
        if known is None:
            return None
        name = self.entry_name_of(known[1])
        if name not in self._pending and name not in self.index():
            return None
        entry = self.get_entry(name) if _unchanged(path, known[0]) else None
        return None if entry is None else (name, entry)

    def index(self) -> packs.Index:
        """The published index as this process first read it, with what it added since."""
        if self._index is None:
            self._index = packs.read_index(self.descriptor, self.key)
        return self._index

    def get_entry(self, name: str) -> Any | None:
        """The parse entry ``name``, or None (not there, damaged, not ours)."""
        pending = self._pending.get(name)
        if pending is not None:
            return marshal.loads(pending)
        place = self.index().get(name)
        if place is None or not packs.valid_place(place, self.max_entry_bytes):
            return None
        if self._reader is None:
            self._reader = packs.PackReader(self.descriptor)
        data = self._reader.read(place)
        if data is None:
            return None
        try:
            return marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None

    def put_entry(self, name: str, value: Any) -> None:
        """Keep ``value`` (plain marshal data) as entry ``name``: written with the others of
        its batch by ``flush``, found by other runs once ``publish`` has indexed it."""
        try:
            data = marshal.dumps(value)
        except ValueError:  # not plain data: not cached
            return
        if len(data) <= self.max_entry_bytes:
            self._pending[name] = data
            if len(self._pending) >= packs.PACK_ENTRIES:  # (one process parsing everything: bounded packs)
                self.flush()

    def flush(self) -> None:
        """Write the entries kept since the last flush as one pack."""
        if not self._pending:
            return
        places = packs.write_pack(self.descriptor, self._pending)
        self._pending = {}
        self.index().update(places)
        self._unpublished.update(places)

    def take_unpublished(self) -> packs.Index:
        """A worker's new entries, handed to the run's process (``add_unpublished``)."""
        self.flush()
        taken, self._unpublished = self._unpublished, {}
        return taken

    def add_unpublished(self, places: packs.Index) -> None:
        self.index().update(places)
        self._unpublished.update(places)

    def publish(self, max_bytes: int | None = None) -> None:
        """Index this run's new entries for later runs, then keep the directory bounded."""
        self.flush()
        if self._unpublished:
            packs.publish(self.descriptor, self.key, self._unpublished, MAX_CACHE_BYTES if max_bytes is None else max_bytes)
            self._unpublished = {}

    def prune(self, max_bytes: int = MAX_CACHE_BYTES) -> None:
        """Keep the directory under ``max_bytes``: delete the oldest packs down to 3/4 of it
        (temporary files a crashed run left behind first)."""
        packs.prune(self.descriptor, self.key, max_bytes)

    # -- records: one file each ----------------------------------------------------------

    def get(self, name: str) -> Any | None:
        """The record stored under ``name``, or None (missing, damaged, not ours)."""
        data = packs.read_regular(self.descriptor, name, self.max_entry_bytes)
        header = len(_MAGIC) + _CHECKSUM_BYTES
        if data is None or not data.startswith(_MAGIC) or len(data) <= header:
            return None
        payload = data[header:]
        if hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES).digest() != data[len(_MAGIC) : header]:
            return None
        try:
            return marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return None

    def put(self, name: str, value: Any) -> None:
        """Store record ``value`` (plain marshal data) under ``name``; a failure only means
        no record.

        The record is created exclusively under its final name (no temporary file and
        rename: with hash-named files, ext4 spends 3-5x longer on rename than on the write).
        A run that reads it while it is being written sees a checksum that does not match
        and treats it as a miss; whatever already has the name (a damaged record, or one a
        concurrent run is writing) is unlinked and written again.
        """
        try:
            payload = marshal.dumps(value)
        except ValueError:  # not plain data: not cached
            return
        self._write(name, _MAGIC + hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES).digest() + payload)

    def get_signed(self, name: str) -> bytes | None:
        """The bytes ``put_signed`` stored under ``name``, if their MAC verifies with this
        user's key: only this user's svclint can have written them (not a repository)."""
        data = packs.read_regular(self.descriptor, name, self.max_entry_bytes)
        header = len(_SIGNED) + _KEY_BYTES
        if data is None or not data.startswith(_SIGNED) or len(data) < header:
            return None
        payload = data[header:]
        if not hmac.compare_digest(self._mac(payload), data[len(_SIGNED) : header]):
            return None
        return payload

    def put_signed(self, name: str, payload: bytes) -> int:
        """Store ``payload`` under ``name`` with a MAC keyed with the user's secret (``lint.replay``
        keeps pickled objects: they are read back only after the MAC verifies); the bytes
        written, 0 if it could not be stored."""
        return self._write(name, _SIGNED + self._mac(payload) + payload)

    def _mac(self, payload: bytes) -> bytes:
        return hashlib.blake2b(payload, digest_size=_KEY_BYTES, key=self.key, person=b"svclint-signed").digest()

    def _write(self, name: str, data: bytes) -> int:
        """Create record ``name`` holding ``data`` (see ``put``); the bytes written, 0 if none."""
        if len(data) > self.max_entry_bytes:
            return 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
        try:
            try:
                descriptor = os.open(name, flags, 0o644, dir_fd=self.descriptor)
            except FileExistsError:
                os.unlink(name, dir_fd=self.descriptor)  # never follows a symlink
                descriptor = os.open(name, flags, 0o644, dir_fd=self.descriptor)
            try:
                view = memoryview(data)
                while view:  # os.write, not a file object: no fstat, ioctl and buffer per entry
                    view = view[os.write(descriptor, view) :]
            finally:
                os.close(descriptor)
        except OSError:
            return 0
        return len(data)

    def keep_newest(self, prefix: str, count: int) -> None:
        """Of the records named ``prefix...`` (whole-run, per-object, positions), keep the
        ``count`` newest: each is one per setup, and old setups need not stay."""
        records: list[tuple[int, str]] = []
        try:
            with os.scandir(self.descriptor) as listing:
                for entry in listing:
                    if entry.name.startswith(prefix) and entry.is_file(follow_symlinks=False):
                        records.append((entry.stat(follow_symlinks=False).st_mtime_ns, entry.name))
        except OSError:
            return
        for _mtime, name in sorted(records, reverse=True)[count:]:
            try:
                os.unlink(name, dir_fd=self.descriptor)
            except OSError:
                continue

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        if _OPEN.get(self.descriptor) is self:
            del _OPEN[self.descriptor]
        try:
            os.close(self.descriptor)
        except OSError:
            pass


def _inherited(directory: str, descriptor: int, key: bytes, salt: bytes, max_entry_bytes: int) -> ParseCache:
    """The cache a task names: this process's own (a forked worker inherited it with the
    index read), or a new view of the same descriptor."""
    known = _OPEN.get(descriptor)
    if known is not None and (known.directory, known.key, known.salt) == (directory, key, salt):
        return known
    cache = ParseCache(directory, descriptor, key, salt, max_entry_bytes)
    _OPEN[descriptor] = cache
    return cache


def open_cache(directory: str, limits: Limits) -> ParseCache | None:
    """The cache in ``directory`` (made if missing), or None when it cannot be used: no user
    key, the directory is a symlink or not a directory, or it cannot be created."""
    key = _user_key()
    if key is None:
        return None
    created = False
    try:
        if not os.path.lexists(directory):
            os.makedirs(directory, exist_ok=True)
            created = True
        descriptor = os.open(directory, os.O_RDONLY | _DIRECTORY | _NOFOLLOW)
    except OSError:  # a symlink (O_NOFOLLOW), a file, or no permission
        return None
    if not stat.S_ISDIR(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        return None
    if created or not _has(descriptor, ".gitignore"):
        _write_small(descriptor, ".gitignore", _GITIGNORE)
        _write_small(descriptor, "CACHEDIR.TAG", _CACHEDIR_TAG)
    salt = _code_digest() + repr(limits).encode()
    # An entry holds at most what a file may hold, parsed: bounded like the file itself.
    max_entry = 16 * limits.max_document_bytes + 1024 * 1024
    cache = ParseCache(directory, descriptor, key, salt, max_entry)
    _OPEN[descriptor] = cache
    return cache


def _has(descriptor: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=descriptor, follow_symlinks=False)
    except OSError:
        return False
    return True


def _write_small(descriptor: int, name: str, text: str) -> None:
    """The cache's own .gitignore and CACHEDIR.TAG (replacing whatever was at that name)."""
    temporary = f".{name}.{os.getpid()}.tmp"
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o644, dir_fd=descriptor)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, name, src_dir_fd=descriptor, dst_dir_fd=descriptor)
    except OSError:
        pass
