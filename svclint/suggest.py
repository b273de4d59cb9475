"""Nearest-name suggestions for messages ("did you mean ...?")."""

from __future__ import annotations

from collections.abc import Iterable


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions and substitutions cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name`` (ties: alphabetical), or None when there are none."""
    best: tuple[int, str] | None = None
    for candidate in sorted(set(candidates)):
        if candidate == name:
            continue
        if best is not None and abs(len(candidate) - len(name)) > best[0]:
            continue  # the length difference alone is farther than the best so far
        distance = edit_distance(name, candidate)
        if best is None or distance < best[0]:
            best = (distance, candidate)
    return best[1] if best else None


def is_close(name: str, candidate: str) -> bool:
    """Close enough to be a likely typo: at most a third of the name differs (at least 2 edits)."""
    return edit_distance(name, candidate) <= max(2, len(name) // 3)


TYPO_EDITS = 2  # a did-you-mean names only what is this close: 'allow-remote' is no typo of 'allow-empty'


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` when a candidate is a likely typo of ``name`` (at most
    ``TYPO_EDITS`` edits, and ``is_close``), else ""; a wrong guess misleads more than none."""
    candidates = list(candidates)
    best = nearest(name, candidates)
    if best is None or not is_close(name, best) or edit_distance(name, best) > TYPO_EDITS:
        best = next((c for c in sorted(set(candidates)) if c.lower() == name.lower() and c != name), None)
    return f"; did you mean {best!r}?" if best else ""


def known(candidates: Iterable[str], limit: int = 12) -> str:
    """``"known: a, b, c"`` (at most ``limit``, then ``"and N more"``), for an error naming what exists."""
    names = sorted(set(candidates))
    if not names:
        return "none exist"
    shown = ", ".join(names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"known: {shown}{more}"
