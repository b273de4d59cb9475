"""Matrix rows, streamed: one (source, Service port, verdict) at a time, already sorted.

Sources are sorted by name and columns by (destination, port, protocol), so the nested loop
yields rows in sorted order without holding them. Filters narrow both loops up front.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase

from svclint.routing.model import RoutingModel, Source
from svclint.routing.services import Column


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
    """``SVC[:PORT]`` -> (Service pattern, port or ""); ``[Service]`` may precede the port.

    Malformed forms raise MatrixFilterError naming the problem: no Service (``:80``), an
    empty port (``api:``), more than one port (``api:80:1``), a port number out of range.
    """
    bracket = pattern.rfind("]")
    head, tail = pattern[: bracket + 1], pattern[bracket + 1 :]
    name, colon, port = tail.partition(":")
    name = head + name
    if not name:
        raise MatrixFilterError(f"{pattern!r} names no Service (expected SVC[:PORT], e.g. api:80)")
    if colon and not port:
        raise MatrixFilterError(f"{pattern!r} has an empty port after ':' (leave out ':' for every port)")
    if ":" in port:
        raise MatrixFilterError(f"{pattern!r} has more than one ':' (expected SVC[:PORT], one port)")
    if port.isdigit() and not 1 <= int(port) <= 65535:
        raise MatrixFilterError(f"{pattern!r}: port {port} is out of range 1-65535")
    return name, port


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

    def __bool__(self) -> bool:
        return bool(self.sources or self.destinations or self.namespaces)

    def describe(self) -> str:
        parts = [f"--from {', '.join(self.sources)}"] if self.sources else []
        if self.destinations:
            parts.append(f"--to {', '.join(self.destinations)}")
        if self.namespaces:
            parts.append(f"--namespace {', '.join(self.namespaces)}")
        return " ".join(parts)


@dataclass
class Selection:
    """What a filter keeps: the sources (each with at least one cell) and the Service ports.

    ``--namespace`` keeps a cell when its source or its destination is in one of the
    namespaces: a source inside gets every selected column, a source outside only the
    columns inside (``local``). Every format uses this one rule.
    """

    sources: list[Source]
    columns: list[Column]
    local: list[Column]
    namespaces: frozenset[str]

    def cells(self, source: Source) -> list[Column]:
        """The columns of ``source``'s row (``columns`` itself when the row is complete)."""
        if not self.namespaces or source.namespace in self.namespaces:
            return self.columns
        return self.local

    def keeps(self, source: Source, column: Column) -> bool:
        return not self.namespaces or source.namespace in self.namespaces or column.namespace in self.namespaces

    def shown_columns(self) -> list[Column]:
        """The union of every row's columns, in column order."""
        if not self.namespaces or any(s.namespace in self.namespaces for s in self.sources):
            return self.columns
        return self.local


def selected(model: RoutingModel, flt: MatrixFilter) -> Selection:
    """Resolve and validate every filter; a filter (combination) that keeps no cell is an error."""
    sources = model.sources
    if flt.sources:
        sources = [s for s in sources if any(source_matches(s, p) for p in flt.sources)]
        if not sources:
            raise MatrixFilterError(f"--from {', '.join(flt.sources)} matches no workload (nor external / ingress-controller)")
    columns = model.columns
    if flt.destinations:
        for pattern in flt.destinations:
            try:
                split_destination(pattern)
            except MatrixFilterError as error:
                raise MatrixFilterError(f"--to {error}") from None
        columns = [c for c in columns if any(column_matches(c, p) for p in flt.destinations)]
        if not columns:
            raise MatrixFilterError(f"--to {', '.join(flt.destinations)} matches no Service port")
    namespaces = frozenset(flt.namespaces)
    local = [c for c in columns if c.namespace in namespaces] if namespaces else columns
    selection = Selection(sources, columns, local, namespaces)
    if namespaces:
        selection.sources = [s for s in sources if selection.cells(s)]
    if flt and not (selection.sources and selection.shown_columns()):
        raise MatrixFilterError(f"{flt.describe()}: the filters match no (source, Service port) cell")
    return selection


def rows(model: RoutingModel, flt: MatrixFilter | Selection = MatrixFilter()) -> Iterator[tuple[Source, Column, str]]:
    """Every (source, column, verdict) the filter keeps, in sorted order."""
    selection = flt if isinstance(flt, Selection) else selected(model, flt)
    verdict = model.verdict
    for source in selection.sources:
        for column in selection.cells(source):
            yield source, column, verdict(source, column)
