"""Where the declarative rule files are: apart from ``declarative``, which reads them.

The run key (``lint.rerun``) hashes these files without loading them, so finding them
must not import jsonschema and the YAML readers the rules are built with.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def builtin_rules_dir() -> Path | None:
    """``svclint/_rules`` in a wheel; the repository's ``rules/`` in a source or editable install."""
    packaged = resources.files("svclint").joinpath("_rules")
    if packaged.is_dir():
        return Path(str(packaged))
    source = Path(__file__).resolve().parents[2] / "rules"
    return source if source.is_dir() else None


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
