"""The user's own directories (never the project's): where the cache's secret key and the
daemon's socket live. Kept apart so that the console script can find a running daemon
without importing the rest of svclint."""

from __future__ import annotations

import os


def user_cache_dir() -> str | None:
    """``$XDG_CACHE_HOME/svclint``, else ``~/.cache/svclint``; None without an absolute home."""
    home = os.path.expanduser("~")
    base = os.environ.get("XDG_CACHE_HOME") or (os.path.join(home, ".cache") if home != "~" else "")
    return os.path.join(base, "svclint") if base and os.path.isabs(base) else None


def user_runtime_dir() -> str | None:
    """Where a socket of this user's goes: ``$XDG_RUNTIME_DIR/svclint`` (the directory meant
    for them: private, and short enough for a socket's path), else the user's cache directory."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime):
        return os.path.join(runtime, "svclint")
    return user_cache_dir()
