"""``# svclint: ignore[...]`` comments, found while a file is read (the engine applies them).

``# svclint: ignore[...]`` at the end of a line covers that line; ``# svclint:
ignore-next-line[...]`` covers the line after it (ESLint's ``eslint-disable-next-line``,
yamllint's ``disable-line`` on its own line), for a line with no room for a comment."""

from __future__ import annotations

import re

from svclint.loading.source import split_lines

# 1-based line and column of the comment, its names, and the 1-based line it covers
Directive = tuple[int, int, tuple[str, ...], int]

COMMENT = re.compile(r"#\s*svclint:\s*ignore(-next-line)?(?:\[([^\]]*)\])?(?=\s|$|#)")


def parse_names(text: str | None) -> tuple[str, ...]:
    """``"SVC101, nodeport-conflict"`` -> ("SVC101", "nodeport-conflict"); None/empty = all."""
    if not text:
        return ("all",)
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    return names or ("all",)


def find_comment_directives(text: str) -> list[Directive]:
    """(line, column, names, covered line) for every ``# svclint: ignore`` comment in ``text``."""
    if "svclint:" not in text:
        return []
    out = []
    for number, line in enumerate(split_lines(text), 1):
        if "svclint:" in line:
            match = COMMENT.search(line)
            if match:
                covered = number + 1 if match.group(1) else number
                out.append((number, match.start() + 1, parse_names(match.group(2)), covered))
    return out
