"""The cached-resolution composer gives exactly the nodes, tags and marks of CSafeLoader."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from svclint.loading.composer import Loader
from svclint.loading.nesting import COMPOSE_SAFE_DEPTH, nesting_error

from .conftest import FIXTURES

REFERENCE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Plain scalars whose YAML 1.1 type is not a string, the same texts quoted, explicit and
# non-specific tags, and each scalar twice so the second answer comes from the cache.
TRICKY = """\
plain: [yes, No, on, OFF, y, n, ~, null, 0755, 0o755, 1e3, 1_000, 0x1F, 2024-01-01, .5, +1, 1:30,
        .inf, -.Inf, .NaN, true, False, 12:30:45.5, 2001-12-14t21:59:43.10-05:00, <<, =, "", '']
again: [yes, No, on, OFF, y, n, ~, null, 0755, 0o755, 1e3, 1_000, 0x1F, 2024-01-01, .5, +1, 1:30]
quoted: ["yes", 'on', "0755", '1:30', "null", "2024-01-01"]
tagged: [!!str 1, !!int "2", ! yes, !custom on, !!float 3]
block: |
  yes
folded: >-
  on
yes: on
1: 2
? [a, b]
: complex key
---
- &anchor {port: 80, on: off}
- *anchor
- <<: *anchor
  extra: 1
"""


def _tree(loader_class: Any, text: str) -> list[Any]:
    """Every node once, in document order; a node reached again (an alias) is named, not
    expanded, so an alias bomb stays linear."""
    out: list[Any] = []
    seen: dict[int, int] = {}
    alive: list[Any] = []  # keeps visited nodes alive so their ids stay unique
    loader = loader_class(text)
    try:
        while loader.check_node():
            stack = [loader.get_node()]
            while stack:
                node = stack.pop()
                if id(node) in seen:
                    out.append(("alias of", seen[id(node)]))
                    continue
                seen[id(node)] = len(out)
                alive.append(node)
                out.append((type(node).__name__, node.tag, node.start_mark.line, node.start_mark.column))
                if isinstance(node, yaml.MappingNode):
                    for key, value in node.value:
                        stack += [key, value]
                elif isinstance(node, yaml.SequenceNode):
                    stack += node.value
                else:
                    out.append(node.value)
    except yaml.YAMLError as error:
        out.append(("error", str(error)))
    finally:
        loader.dispose()
    return out


def test_tricky_scalars_get_the_reference_tags() -> None:
    expected = _tree(REFERENCE, TRICKY)
    assert ("ScalarNode", "tag:yaml.org,2002:bool", 0, 8) in expected  # the comparison is not vacuous
    assert _tree(Loader, TRICKY) == expected
    assert _tree(Loader, TRICKY) == expected  # now answered from the cache


@pytest.mark.parametrize("path", sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".yaml", ".yml", ".json") and p.is_file()), ids=str)
def test_every_fixture_composes_identically(path: Any) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    if nesting_error(text, COMPOSE_SAFE_DEPTH) is not None:
        pytest.skip("nested deeper than libyaml's composer can take (svclint never composes it)")
    assert _tree(Loader, text) == _tree(REFERENCE, text)
