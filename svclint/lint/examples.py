"""A rule's Example and Use instead: its fixtures ``fixtures/rules/<ID>/bad.yaml`` and ``good.yaml``.

The fixtures are the one copy: the tests lint them, the documentation shows them with the
``# expect:`` test markers taken out. A wheel ships the folder as ``svclint/_rule_examples``.
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

PACKAGED_DIR = "_rule_examples"
MARKER = re.compile(r"[ \t]*#[ \t]*expect:[^\n]*")


def examples_dir() -> Path | None:
    """``svclint/_rule_examples`` in a wheel; the repository's ``fixtures/rules`` in a source or editable install."""
    packaged = resources.files("svclint").joinpath(PACKAGED_DIR)
    if packaged.is_dir():
        return Path(str(packaged))
    source = Path(__file__).resolve().parents[2] / "fixtures" / "rules"
    return source if source.is_dir() else None


def strip_markers(text: str) -> str:
    """A fixture as users see it: no ``# expect:`` comments, no line that held only one."""
    lines = []
    for line in text.splitlines(keepends=True):
        bare = MARKER.sub("", line)
        if bare.strip() or not line.strip():
            lines.append(bare)
    return "".join(lines)


def _yaml_block(text: str) -> str:
    text = strip_markers(text)
    if not text.endswith("\n"):
        text += "\n"
    return f"```yaml\n{text}```"


def example_sections(rule_id: str) -> str:
    """``## Example`` and ``## Use instead`` from the rule's fixtures ("" without both files)."""
    folder = examples_dir()
    if folder is None:
        return ""
    try:
        bad = (folder / rule_id / "bad.yaml").read_text(encoding="utf-8")
        good = (folder / rule_id / "good.yaml").read_text(encoding="utf-8")
    except OSError:
        return ""
    return f"\n\n## Example\n{_yaml_block(bad)}\n\n## Use instead\n{_yaml_block(good)}"
