"""Files git ignores: not read when a directory inside a git work tree is walked.

git itself answers (``git ls-files --others --ignored --exclude-standard --directory``), so
every source of ignore rules counts exactly as git counts it: nested ``.gitignore`` files,
``.git/info/exclude``, the global ``core.excludesFile``, negations, and the rule that a
tracked file is never ignored. Re-implementing that with pathspec would miss the last three.
One call per work tree lists the untracked ignored files, an ignored directory (a ``venv/``
of 17,000 files) as one entry. Without git on PATH, or outside a work tree, nothing is
ignored (as before). Files named on the command line are always read (``discovery``).
"""

from __future__ import annotations

import os
import shutil
import subprocess

GIT_TIMEOUT_SECONDS = 60
# A repository's .git/config can name a command that `git ls-files` runs (core.fsmonitor): a
# checked tree with a crafted .git (an unpacked archive) must not make svclint run it.
_NO_CONFIG_COMMANDS = ("-c", "core.fsmonitor=false")


def _git(args: list[str], cwd: str) -> bytes | None:
    git = shutil.which("git")
    if git is None:
        return None
    try:
        done = subprocess.run(
            [git, *_NO_CONFIG_COMMANDS, *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT_SECONDS, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def work_tree(root: str) -> str | None:
    """The work tree holding ``root``: the nearest directory with a ``.git`` entry (a
    directory, or a file in linked worktrees and submodules), as git looks for it."""
    current = os.path.realpath(root if os.path.isdir(root) else os.path.dirname(root) or ".")
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


class GitIgnored:
    """The test "does git ignore this path?" for one work tree (``ignored_in``)."""

    def __init__(self, top: str, ignored: frozenset[str]) -> None:
        self.prefix = top.rstrip(os.sep) + os.sep
        self.ignored = ignored

    def __call__(self, path: str) -> bool:
        return self.resolved(os.path.realpath(path))

    def resolved(self, current: str) -> bool:
        """The same test for a path whose symlinks are already resolved (a walk knows its
        directories' real paths: no ``lstat`` of every parent per file)."""
        if not current.startswith(self.prefix):
            return False  # another tree (a symlink out): not ours to judge
        while len(current) >= len(self.prefix):
            if current in self.ignored:
                return True
            current = os.path.dirname(current)
        return False


def ignored_in(root: str) -> GitIgnored | None:
    """A test "does git ignore this path?" for paths under ``root``, or None outside a work
    tree (or without git). One git call per walked directory given, none per file."""
    top = work_tree(root)
    if top is None:
        return None
    listed = _git(["ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory"], top)
    entries = listed.decode("utf-8", "surrogateescape").split("\0") if listed else []
    ignored = frozenset(os.path.normpath(os.path.join(top, e)) for e in entries if e)
    if not ignored:
        return None
    return GitIgnored(top, ignored)
