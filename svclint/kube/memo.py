"""Facts read from one object alone, worked out once and kept on the object.

The language server builds the graph again after each edit, from mostly the same objects
(those of the files not edited). A rule that must look at every Service or pod template to
find a conflict (two Services requesting one nodePort) asks each for a fact that depends on
nothing but that object: kept here, it is read once per object rather than once per edit.
Only for facts of the object alone (never of the graph, the settings or other objects).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def kept(holder: Any, name: str, compute: Callable[[], T]) -> T:
    """``compute()``, the first time ``name`` is asked of ``holder`` (a K8sObject or PodTemplate)."""
    facts: dict[str, Any] = holder.__dict__.setdefault("_facts", {})
    if name in facts:
        return facts[name]  # type: ignore[no-any-return]
    found = facts[name] = compute()
    return found
