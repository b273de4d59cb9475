"""Matrix rows, streamed: one (source, Service port, verdict) at a time, already sorted.

Sources are sorted by name and columns by (destination, port, protocol), so the nested loop
yields rows in sorted order without holding them. Filters narrow both loops up front.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Iterator

from .model import RoutingModel, Source
from .services import Column


class MatrixFilterError(ValueError):
    """A --from/--to pattern that matches nothing: usage error, named in the message."""


def _name_forms(qualified: str) -> tuple[str, ...]:
    """``ns/name[Kind]`` -> the forms a user may type: itself, ``ns/name``, ``name``."""
    bare = qualified.split("[", 1)[0]
    return (qualified, bare, bare.split("/", 1)[-1])


def source_matches(source: Source, pattern: str) -> bool:
    return any(fnmatchcase(form, pattern) for form in _name_forms(source.name))


def column_matches(column: Column, pattern: str) -> bool:
    """``ns/name``, ``name``, ``ns/name[Service]``, with an optional ``:port`` (number or name)."""
    name, _, port = pattern.partition(":") if not pattern.endswith("]") else (pattern, "", "")
    if "]:" in pattern:
        name, _, port = pattern.rpartition(":")
    if port:
        names = {str(column.port)}
        if column.service_port is not None and column.service_port.name:
            names.add(column.service_port.name)
        if port not in names:
            return False
    return any(fnmatchcase(form, name) for form in _name_forms(column.destination))


@dataclass(frozen=True)
class MatrixFilter:
    sources: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()


def selected(model: RoutingModel, flt: MatrixFilter) -> tuple[list[Source], list[Column]]:
    sources = model.sources
    if flt.sources:
        sources = [s for s in sources if any(source_matches(s, p) for p in flt.sources)]
        if not sources:
            raise MatrixFilterError(f"--from {', '.join(flt.sources)} matches no workload (nor external / ingress-controller)")
    columns = model.columns
    if flt.destinations:
        columns = [c for c in columns if any(column_matches(c, p) for p in flt.destinations)]
        if not columns:
            raise MatrixFilterError(f"--to {', '.join(flt.destinations)} matches no Service port")
    return sources, columns


def rows(model: RoutingModel, flt: MatrixFilter = MatrixFilter()) -> Iterator[tuple[Source, Column, str]]:
    """Every (source, column, verdict) the filter keeps, in sorted order."""
    sources, columns = selected(model, flt)
    namespaces = set(flt.namespaces)
    local = [c for c in columns if c.namespace in namespaces] if namespaces else columns
    verdict = model.verdict
    for source in sources:
        cells = columns if not namespaces or source.namespace in namespaces else local
        for column in cells:
            yield source, column, verdict(source, column)
