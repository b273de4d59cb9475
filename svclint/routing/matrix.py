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


def _escape(pattern: str) -> str:
    """``[`` and ``]`` literal: ``[Kind]`` is part of a name, never a character class."""
    return "".join(f"[{c}]" if c in "[]" else c for c in pattern)


def name_matches(name: str, pattern: str) -> bool:
    """``pattern`` against the forms of ``name``: exactly, or as a glob when it holds ``*`` or ``?``."""
    forms = _name_forms(name)
    if "*" in pattern or "?" in pattern:
        glob = _escape(pattern)
        return any(fnmatchcase(form, glob) for form in forms)
    return pattern in forms


def source_matches(source: Source, pattern: str) -> bool:
    return name_matches(source.name, pattern)


def split_destination(pattern: str) -> tuple[str, str]:
    """``SVC[:PORT]`` -> (Service pattern, port or ""); ``[Service]`` may precede the port."""
    bracket = pattern.rfind("]")
    head, tail = pattern[: bracket + 1], pattern[bracket + 1 :]
    name, colon, port = tail.partition(":")
    return head + name, port


def port_matches(column: Column, port: str) -> bool:
    if not port:
        return True
    names = {str(column.port)}
    if column.service_port is not None and column.service_port.name:
        names.add(column.service_port.name)
    return port in names


def column_matches(column: Column, pattern: str) -> bool:
    """``ns/name``, ``name``, ``ns/name[Service]``, with an optional ``:port`` (number or name)."""
    name, port = split_destination(pattern)
    return port_matches(column, port) and name_matches(column.destination, name)


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
