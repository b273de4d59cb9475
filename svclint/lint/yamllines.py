"""Lines of keys in ruamel.yaml trees: where config and rule-file errors are reported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def yaml_line_of(root: Any) -> Callable[[tuple[Any, ...]], int]:
    def line_of(path: tuple[Any, ...]) -> int:
        node, line = root, 1
        for part in path:
            lc = getattr(node, "lc", None)
            if lc is None:
                break
            try:
                if isinstance(node, dict) and part in node:
                    line = lc.key(part)[0] + 1
                    node = node[part]
                elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                    line = lc.item(part)[0] + 1
                    node = node[part]
                else:
                    break
            except (KeyError, IndexError, TypeError):
                break
        return line

    return line_of
