"""Which files a run reads: paths, directories walked, excludes, kustomizations.

Explicit files are always taken; directories are walked recursively for manifests, in a
stable order, skipping hidden entries, excluded globs and symlink loops. A directory holding
a kustomization is one unit (rendered, not walked).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from svclint.loading.gitignore import GitIgnored
from svclint.loading.gitignore import ignored_in as gitignore_in
from svclint.loading.render import helm, kustomize

if TYPE_CHECKING:  # imported by the runs that exclude something (``_exclude_spec``)
    import pathspec

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


class DiscoveryError(Exception):
    """A path given on the command line does not exist."""


@dataclass
class Skipped:
    """What a walk did not read, for the caller to report: symlinks that lead outside the
    checked directories (a pull request must not make svclint read the runner's files),
    and directories that could not be listed (display path, reason)."""

    outside_links: list[str] = field(default_factory=list)
    unlistable: list[tuple[str, str]] = field(default_factory=list)
    test_data: list[str] = field(default_factory=list)  # ``testdata`` directories a walk passed by


# A directory of test fixtures, as Go's tooling names it ("The go tool will ignore a directory
# named testdata", go help packages): golden files and deliberately broken inputs, never
# deployed (linkerd2's cli/cmd/testdata: 17 errors and 68 warnings about test inputs). A walk
# passes it by; naming it on the command line checks it.
TEST_DATA_DIRECTORY = "testdata"


def _inside(real: str, roots: Sequence[str]) -> bool:
    return not roots or any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _is_hidden(name: str) -> bool:
    return name.startswith(".") and name not in (".", "..")


def display_path(path: str, cwd: str) -> str:
    """Repository-style path: relative to ``cwd`` when inside it, with forward slashes.

    Asked three times per input file by a run (units, the reader, the report): remembered
    per (path, cwd, the process's working directory, which a relative ``path`` is against)."""
    return _display_path(path, cwd, "" if os.path.isabs(path) else os.getcwd())


@functools.lru_cache(maxsize=1 << 16)
def _display_path(path: str, cwd: str, process_cwd: str) -> str:
    absolute = os.path.abspath(path)  # against process_cwd: this process's working directory
    try:
        rel = os.path.relpath(absolute, cwd)
    except ValueError:
        rel = absolute
    if rel.startswith(".."):
        rel = absolute
    return rel.replace(os.sep, "/")


def discover(
    paths: Sequence[str],
    exclude: Iterable[str] = (),
    cwd: str | None = None,
    exclude_root: str | None = None,
    cli_exclude: Iterable[str] = (),
    skipped: Skipped | None = None,
    follow_symlinks: bool = False,
    gitignore: bool = False,
) -> list[str]:
    """Manifest files under ``paths`` in a stable order; ``-`` stands for stdin.

    Explicit files are always taken; directories are walked recursively for .yaml, .yml
    and .json, skipping hidden directories and files, excluded globs (gitignore syntax) and
    symlink loops. ``exclude`` patterns (from a config file) are relative to
    ``exclude_root``, the config's directory; ``cli_exclude`` (``--exclude``) to ``cwd``.

    A symlink found in a walk is followed only when its target is inside a checked
    directory (a directory of ``paths``, or ``cwd``); a symlink given as a path, only when
    its target is inside one of those or its own directory (``follow_symlinks``, from
    ``--follow-symlinks``: every symlink). The others, and directories that cannot be
    listed, go to ``skipped``.
    With ``gitignore``, what git ignores is not walked (``loading.gitignore``).
    """
    cwd = cwd or os.getcwd()
    skipped = skipped if skipped is not None else Skipped()
    roots: list[str] = []  # no roots: every target is inside
    if not follow_symlinks:
        roots = [os.path.realpath(cwd)] + [os.path.realpath(p) for p in paths if p != "-" and os.path.isdir(p) and not os.path.islink(p)]
    specs = [
        (base, _exclude_spec(patterns))
        for base, patterns in ((exclude_root or cwd, list(exclude)), (cwd, list(cli_exclude)))
        if patterns
    ]
    found: list[str] = []
    seen: set[str] = set()

    walk_git: GitIgnored | None = None  # git's ignore test in the current walk

    def excluded(path: str, is_dir: bool = False, real: str | None = None) -> bool:
        """``real``: the path with every symlink resolved, when the walk knows it."""
        suffix = "/" if is_dir else ""
        if walk_git is not None and (walk_git.resolved(real) if real is not None else walk_git(path)):
            return True
        return any(spec.match_file(display_path(path, base) + suffix) for base, spec in specs)

    def add(path: str, real: str | None = None) -> None:
        key = real or (os.path.realpath(path) if path != "-" else "-")
        if key not in seen:
            seen.add(key)
            found.append(path)

    for path in paths:
        walk_git = None
        if path == "-":
            add(path)
            continue
        if not os.path.exists(path) and not os.path.islink(path):
            raise DiscoveryError(f"{path}: no such file or directory")
        own = [os.path.realpath(os.path.dirname(os.path.abspath(path)))] if roots else []
        if os.path.islink(path) and not _inside(os.path.realpath(path), roots + own):
            skipped.outside_links.append(display_path(path, cwd))
            continue
        if os.path.basename(path) in (*kustomize.KUSTOMIZATION_FILES, "Chart.yaml") and os.path.isfile(path):
            path = os.path.dirname(path) or "."  # stands for its kustomization or chart
        if not os.path.isdir(path):
            if not excluded(path):
                add(path)
            continue
        walk_git = gitignore_in(path) if gitignore else None
        if walk_git is not None and walk_git(path):
            walk_git = None  # a directory named on the command line is read, like a named file
        visited: set[tuple[int, int]] = set()
        in_directory: list[str] = []
        real_paths: dict[str, str] = {}
        overlays: list[str] = []  # kustomization directories: rendered, not walked
        charts: list[str] = []  # Helm chart directories (Chart.yaml): rendered, not walked

        def unlistable(error: OSError, top: str = path) -> None:
            skipped.unlistable.append((display_path(error.filename or top, cwd), error.strerror or str(error)))

        for root, real_root, dirs, files in _walk(path, unlistable):
            try:
                stat = os.stat(root)
            except OSError:
                continue
            if (stat.st_dev, stat.st_ino) in visited:
                dirs[:] = []
                continue
            visited.add((stat.st_dev, stat.st_ino))
            holds_overlay = _holds(files, kustomize.KUSTOMIZATION_FILES)
            if holds_overlay or (holds_overlay is None and kustomize.kustomization_file(root)):
                overlays.append(root)
                dirs[:] = []
                continue
            holds_chart = _holds(files, ("Chart.yaml",))
            if holds_chart or (holds_chart is None and helm.is_chart(root)):
                charts.append(root)
                dirs[:] = []
                continue
            dirs[:] = sorted(
                (d for d in dirs if not _is_hidden(d.name) and not excluded(d.path, True, _real(d, real_root))),
                key=lambda d: d.name,
            )
            skipped.test_data.extend(display_path(d.path, cwd) for d in dirs if d.name == TEST_DATA_DIRECTORY)
            dirs[:] = [d for d in dirs if d.name != TEST_DATA_DIRECTORY]
            for d in [d for d in dirs if d.is_symlink()]:
                if not _inside(os.path.realpath(d.path), roots):
                    skipped.outside_links.append(display_path(d.path, cwd))
                    dirs.remove(d)
            for entry in sorted(files, key=lambda e: e.name):
                name, full = entry.name, entry.path
                if _is_hidden(name) or not name.endswith(MANIFEST_SUFFIXES):
                    continue
                link = entry.is_symlink()
                if excluded(full, False, None if link else os.path.join(real_root, name)):
                    continue
                if link and not _inside(os.path.realpath(full), roots):
                    skipped.outside_links.append(display_path(full, cwd))
                    continue
                if not _regular_or_missing(entry):
                    continue  # a FIFO, socket or device named *.yaml: reading it could block
                in_directory.append(full)
                if not link:  # its realpath, without resolving every parent again
                    real_paths[full] = os.path.join(real_root, name)
        for full in sorted(in_directory, key=lambda p: p.split(os.sep)):
            add(full, real_paths.get(full))
        # A base (or component) is rendered through the overlays that use it, not again alone.
        used = {os.path.realpath(d) for o in overlays for d in kustomize.referenced_directories(o)}
        for overlay in overlays:
            if os.path.realpath(overlay) not in used:
                add(overlay)
        for chart in charts:
            add(chart)
    # A file inside a kustomization or chart of the run is read through its render (pre-commit
    # passes `kustomization.yaml` and its resources as files): reading it again would duplicate it.
    rendered = tuple(os.path.realpath(f) + os.sep for f in found if f != "-" and os.path.isdir(f))
    if rendered:
        found = [f for f in found if f == "-" or os.path.isdir(f) or not os.path.realpath(f).startswith(rendered)]
    if skipped.test_data:  # a testdata directory named on the command line (or inside one) is read
        named = [os.path.realpath(p) + os.sep for p in paths if p != "-"]
        skipped.test_data = [
            d for d in skipped.test_data if not any(n.startswith(os.path.realpath(os.path.join(cwd, d)) + os.sep) for n in named)
        ]
    return found


def _exclude_spec(patterns: list[str]) -> pathspec.PathSpec[Any]:
    """Exclude globs in git's syntax. pathspec is imported only here: 25 ms (50 ms without
    bytecode) of every run's start-up, a tenth of a run that reprints a recorded report."""
    import pathspec

    # pathspec >= 0.12.1 names git's own semantics "gitignore"; older releases only "gitwildmatch".
    try:
        return pathspec.PathSpec.from_lines("gitignore", patterns)
    except (KeyError, LookupError):  # pragma: no cover - older pathspec
        return pathspec.PathSpec.from_lines("gitwildmatch", patterns)


def _walk(
    top: str, onerror: Callable[[OSError], None]
) -> Iterator[tuple[str, str, list[os.DirEntry[str]], list[os.DirEntry[str]]]]:
    """``os.walk(top, followlinks=True)`` with the directory entries themselves and each
    directory's real path: one ``scandir`` per directory, and no ``stat`` per file where the
    listing already says what an entry is (the caller prunes ``dirs`` in place, top-down)."""
    stack: list[tuple[str, str]] = [(top, os.path.realpath(top))]
    while stack:
        root, real_root = stack.pop()
        try:
            with os.scandir(root) as listing:
                entries = list(listing)
        except OSError as error:
            onerror(error)
            continue
        dirs: list[os.DirEntry[str]] = []
        files: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry)
        yield root, real_root, dirs, files
        stack.extend((d.path, _real(d, real_root)) for d in reversed(dirs))


def _real(entry: os.DirEntry[str], real_parent: str) -> str:
    """The real path of a directory entry, resolving only when it is a symlink itself."""
    return os.path.realpath(entry.path) if entry.is_symlink() else os.path.join(real_parent, entry.name)


def _holds(files: list[os.DirEntry[str]], names: tuple[str, ...]) -> bool | None:
    """Whether the directory listed holds one of ``names`` as a file, from its listing;
    None when the listing has such a name only in another case (a case-insensitive file
    system finds ``Chart.yaml`` as ``chart.yaml``): then the caller asks the file system."""
    wanted = {name.lower() for name in names}
    unsure = False
    for entry in files:
        if entry.name.lower() in wanted:
            if entry.name in names and _is_file(entry):
                return True
            unsure = True
    return None if unsure else False


def _is_file(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _regular_or_missing(entry: os.DirEntry[str]) -> bool:
    """``not (os.path.exists and not os.path.isfile)``: a regular file, or a symlink that
    leads nowhere (gone, a loop: reading it reports the error); not a FIFO, socket or device."""
    try:
        if entry.is_file():
            return True
    except OSError:
        pass
    try:
        os.stat(entry.path)
    except OSError:
        return True
    return False


# -- parsing (runs in worker processes) -------------------------------------------------
