"""The libyaml composer, with PyYAML's YAML 1.1 tag resolution made cheap.

libyaml composes nodes in C, but calls back into PyYAML's pure-Python resolver for every
node: ``descend_resolver`` and ``ascend_resolver`` (path resolvers, which svclint never
registers) and ``resolve``, which for a plain scalar tries the implicit-type regexps and
builds a new list of them each time. On the benchmark tree these callbacks were a fifth of
the parsing time. Manifests repeat the same plain scalars (keys, kinds, label values)
thousands of times, so the tag of a plain scalar is remembered by its text: it depends on
nothing else. The tags are exactly those of ``yaml.CSafeLoader``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_CACHE_LIMIT = 200_000  # distinct plain scalars remembered per process (then start over)
_CACHE_MAX_LENGTH = 128  # longer scalars are resolved each time (they rarely repeat)


class Loader(_Base):  # type: ignore[misc]
    """``yaml.CSafeLoader`` with the same tags and no path resolvers."""

    DEFAULT_SCALAR_TAG: ClassVar[str]  # set by PyYAML's resolver; declared for the type checker
    DEFAULT_SEQUENCE_TAG: ClassVar[str]
    DEFAULT_MAPPING_TAG: ClassVar[str]
    yaml_path_resolvers: dict[Any, Any] = {}
    _plain_tags: dict[str, str] = {}

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            if not implicit[0]:
                return self.DEFAULT_SCALAR_TAG  # quoted or block scalar: a string
            tag = self._plain_tags.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= _CACHE_MAX_LENGTH:
                    if len(self._plain_tags) >= _CACHE_LIMIT:
                        self._plain_tags.clear()
                    self._plain_tags[value] = tag
            return tag
        if kind is SequenceNode:
            return self.DEFAULT_SEQUENCE_TAG
        if kind is MappingNode:
            return self.DEFAULT_MAPPING_TAG
        return super().resolve(kind, value, implicit)  # type: ignore[no-any-return]
