"""The labels an input that could not be rendered writes literally, for findings elsewhere.

Without helm (or kustomize), a chart is not checked (SVC009), and that should cost only
what it renders. But a Service kept beside the chart (openfaas/faas-netes' cloud/gateway-lb.yml
selects ``app: gateway``, the pods of chart/openfaas) would then "select nothing". The chart's
templates still write most pod labels as plain text (``app: gateway``), so the loader collects
every literal ``key: value`` line of the input's files: a selector whose every label is among
them may well match the input's pods once rendered (lint/checks/otherunits.py).

Text only: nothing is rendered or evaluated, symlinks are not followed, and the files read
are bounded in number and size.
"""

from __future__ import annotations

import os
import re

# ``key: value`` on one line, optionally as a list item; the value a plain label value.
_LABEL_LINE = re.compile(r"""^\s*(?:-\s+)?([A-Za-z0-9][\w./-]{0,252}):\s+["']?([A-Za-z0-9](?:[\w.-]{0,61}[A-Za-z0-9])?)["']?\s*(?:#.*)?$""")
_TEXT_SUFFIXES = (".yaml", ".yml", ".tpl", ".json")
MAX_FILES = 2_000
MAX_BYTES = 20 * 1024 * 1024

Labels = frozenset[tuple[str, str]]


def written_labels(directory: str) -> Labels:
    """Every literal ``key: value`` pair in the text files under ``directory``."""
    found: set[tuple[str, str]] = set()
    files = read = 0
    for root, dirs, names in os.walk(directory):  # symlinked directories are not entered
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            path = os.path.join(root, name)
            if name.startswith(".") or not name.endswith(_TEXT_SUFFIXES) or os.path.islink(path):
                continue
            files += 1
            try:
                size = os.path.getsize(path)
                if files > MAX_FILES or read + size > MAX_BYTES:
                    return frozenset(found)
                read += size
                with open(path, encoding="utf-8", errors="replace") as handle:
                    text = handle.read()
            except OSError:
                continue
            for line in text.splitlines():
                match = _LABEL_LINE.match(line)
                if match:
                    found.add((match.group(1), match.group(2)))
    return frozenset(found)
