"""Declarative single-object rules: YAML files with metadata, docs and a JSON Schema."""

from __future__ import annotations

from typing import Sequence

from .rule import Rule


def load_rule_dirs(dirs: Sequence[str]) -> list[type[Rule]]:
    """Rules defined by ``*.yaml`` files in ``dirs`` (the built-in ``rules/`` is always read)."""
    return []
