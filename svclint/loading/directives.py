"""``# svclint: ignore[...]`` comments, found while a file is read (the engine applies them)."""

from __future__ import annotations

import re

from svclint.loading.source import split_lines

Directive = tuple[int, int, tuple[str, ...]]  # 1-based line, 1-based column, names

COMMENT = re.compile(r"#\s*svclint:\s*ignore(?:\[([^\]]*)\])?(?=\s|$|#)")


def parse_names(text: str | None) -> tuple[str, ...]:
    """``"SVC101, nodeport-conflict"`` -> ("SVC101", "nodeport-conflict"); None/empty = all."""
    if not text:
        return ("all",)
    names = tuple(part.strip() for part in text.split(",") if part.strip())
    return names or ("all",)


def find_comment_directives(text: str) -> list[Directive]:
    """(line, column, names) for every ``# svclint: ignore`` comment in ``text``."""
    if "svclint:" not in text:
        return []
    out = []
    for number, line in enumerate(split_lines(text), 1):
        if "svclint:" in line:
            match = COMMENT.search(line)
            if match:
                out.append((number, match.start() + 1, parse_names(match.group(1))))
    return out
