"""The two sides of ``svclint diff``: a directory or file as it is, or a git revision.

A revision is read without touching the work tree or the index: ``git ls-tree`` lists its
blobs and ``git cat-file --batch`` writes them into a temporary directory, removed when the
run ends. Neither command runs a filter, a hook or a textconv, and ``.gitattributes``
(``export-ignore``, ``export-subst``, which ``git archive`` would apply) cannot hide or
rewrite a file of the revision. Every git call runs with ``core.fsmonitor`` off, as
``loading/gitignore.py`` does (docs/security.md). Symlinks and submodules are not written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from svclint.settings import Settings

GIT_TIMEOUT_SECONDS = 300
_NO_CONFIG_COMMANDS = ("-c", "core.fsmonitor=false")
_BLOB_MODES = {b"100644", b"100755"}


class TreeError(ValueError):
    """OLD or NEW is neither a path nor a revision git knows: a usage error."""


@dataclass(frozen=True)
class Tree:
    """What one side runs on: ``paths`` relative to ``cwd``, so both sides show the same paths."""

    label: str  # as the user named it
    cwd: str
    paths: tuple[str, ...]


def _git(args: Sequence[str], cwd: str, stdin: bytes | None = None) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise TreeError("git is not on PATH: name OLD and NEW as directories")
    try:
        done = subprocess.run(
            [git, *_NO_CONFIG_COMMANDS, *args], cwd=cwd, input=stdin, capture_output=True, timeout=GIT_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise TreeError(f"git {args[0]} failed: {error}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise TreeError(f"git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout


def _commit(revision: str, cwd: str) -> str | None:
    """The commit ``revision`` names in the repository holding ``cwd``, or None."""
    if revision.startswith("-"):
        return None
    try:
        return _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], cwd).decode().strip() or None
    except TreeError:
        return None


def _safe(path: bytes) -> str | None:
    """A tree path as a relative file path, or None for one that could leave the directory."""
    text = path.decode("utf-8", "surrogateescape")
    parts = text.split("/")
    if os.path.isabs(text) or any(p in ("", ".", "..", ".git") for p in parts):
        return None
    return os.path.join(*parts)


def _write_revision(commit: str, cwd: str, prefix: str, into: str) -> None:
    """The blobs of ``commit`` under ``prefix`` (the repository path of ``cwd``) into ``into``."""
    spec = ["--", prefix] if prefix else []
    listing = _git(["ls-tree", "-r", "-z", "--full-tree", commit, *spec], cwd)
    entries = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, kind, oid = meta.split(b" ")
        relative = _safe(path[len(prefix):] if prefix else path)
        if kind == b"blob" and mode in _BLOB_MODES and relative is not None:
            entries.append((oid, relative))
    if not entries:
        return
    data = _git(["cat-file", "--batch"], cwd, stdin=b"".join(oid + b"\n" for oid, _ in entries))
    offset = 0
    for oid, relative in entries:
        header_end = data.index(b"\n", offset)
        header = data[offset:header_end].split(b" ")
        if header[0] != oid or len(header) != 3:  # "<oid> missing", or not the object asked for
            raise TreeError(f"git cat-file: cannot read {relative} ({header[-1].decode(errors='replace')})")
        size = int(header[2])
        start = header_end + 1
        target = os.path.join(into, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(data[start : start + size])
        offset = start + size + 1


def _scratch_parent() -> str | None:
    """Where a revision is written: $TMPDIR when set, else /dev/shm when it is a writable
    directory (memory: writing and removing 7,000 files there takes 0.5 s, on a disk 7 s),
    else the system's temporary directory."""
    if os.environ.get("TMPDIR"):
        return None
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def _relative(paths: Sequence[str], cwd: str) -> tuple[str, ...]:
    """PATHS as paths relative to ``cwd`` (they must lie under it to exist in a revision)."""
    out = []
    for path in paths:
        relative = os.path.relpath(os.path.abspath(path), cwd)
        if relative == ".." or relative.startswith(".." + os.sep):
            raise TreeError(f"{path}: outside the current directory; run svclint diff from a directory that holds every PATH")
        out.append(relative)
    return tuple(out) or (".",)


@contextmanager
def opened(spec: str | None, paths: Sequence[str], cwd: str) -> Iterator[Tree]:
    """The side ``spec`` names: None (the working tree), a directory or file, or a git revision."""
    if spec is None:
        yield Tree("working tree", cwd, _relative(paths, cwd))
        return
    if os.path.isdir(spec):
        yield Tree(spec, os.path.abspath(spec), tuple(paths) or (".",))
        return
    if os.path.isfile(spec):
        if paths:
            raise TreeError(f"{spec} is a file: PATHS apply only to directories and revisions")
        yield Tree(spec, os.path.dirname(os.path.abspath(spec)), (os.path.basename(spec),))
        return
    commit = _commit(spec, cwd)
    if commit is None:
        raise TreeError(f"{spec!r} is neither a file, a directory, nor a git revision of the repository here")
    relative = _relative(paths, cwd)
    prefix = _git(["rev-parse", "--show-prefix"], cwd).decode("utf-8", "surrogateescape").strip()
    scratch = tempfile.mkdtemp(prefix="svclint-diff-", dir=_scratch_parent())
    try:
        _write_revision(commit, cwd, prefix, scratch)
        yield Tree(spec, scratch, relative)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def settings_for(tree: Tree, settings: Settings, cwd: str) -> Settings:
    """``settings`` with the config's directory moved into ``tree`` (excludes and units are
    relative to it), when the config lies under ``cwd``; the run's paths become absolute."""
    def moved(path: str | None) -> str | None:
        if path is None or tree.cwd == cwd:
            return path
        relative = os.path.relpath(path, cwd)
        return path if relative.startswith("..") else os.path.normpath(os.path.join(tree.cwd, relative))

    return replace(settings, exclude_root=moved(settings.exclude_root), config_path=moved(settings.config_path))


def absolute_paths(tree: Tree) -> list[str]:
    return [os.path.normpath(os.path.join(tree.cwd, p)) for p in tree.paths]
