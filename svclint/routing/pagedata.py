"""The reachability part of `svclint report`'s page, as plain data: per namespace the grid
(sources with identical verdicts collapsed, as `svclint matrix` does), its Services with the
workloads they select, and every cell's explain chain. Reasons repeat across cells (the same
Service, the same policy), so they are stored once in a table and cells hold indexes.

A namespace's grid holds its own workloads and the two entry points (``external``,
``ingress-controller``) against its own Service ports; traffic between namespaces is in
`svclint matrix` (the page says so). Names are as written: the page escapes them."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from svclint.routing.explain import cell_reasons
from svclint.routing.model import RoutingModel, Source
from svclint.routing.services import Column


class _Reasons:
    """A table of distinct reasons ([hop, text, depth, file, line]); cells hold indexes."""

    def __init__(self) -> None:
        self.table: list[list[Any]] = []
        self._index: dict[tuple[Any, ...], int] = {}

    def add(self, hop: str, text: str, depth: int, file: str | None, line: int | None) -> int:
        key = (hop, text, depth, file, line)
        if key not in self._index:
            self._index[key] = len(self.table)
            self.table.append([hop, text, depth, file, line])
        return self._index[key]


def _namespace(model: RoutingModel, namespace: str, sources: list[Source], columns: list[Column], reasons: _Reasons) -> dict[str, Any]:
    groups: dict[tuple[str, ...], list[Source]] = {}
    for source in sources:
        # entry points keep rows of their own: `external` is no workload, even when it reaches the same
        key = (source.name if source.template is None else "", *(model.verdict(source, column) for column in columns))
        groups.setdefault(key, []).append(source)
    rows = []
    for verdicts, members in groups.items():
        first = members[0]
        cells = []
        for column, verdict in zip(columns, verdicts[1:]):
            chain = [reasons.add(r.hop, r.text, r.depth, r.file, r.line) for r in cell_reasons(model, first, column)]
            cells.append({"verdict": verdict, "reasons": chain})
        rows.append({"sources": [s.name for s in members], "entry": first.template is None, "cells": cells})
    services: dict[str, dict[str, Any]] = {}
    for index, column in enumerate(columns):
        service = services.setdefault(column.destination, {
            "name": column.destination,
            "kind": column.kind,
            "ports": [],
            "backends": sorted({e.template.workload.qualified for e in column.endpoints}),
        })
        service["ports"].append(index)
    return {
        "namespace": namespace,
        "columns": [{"service": c.destination, "port": c.port, "protocol": c.protocol, "label": c.label} for c in columns],
        "rows": rows,
        "services": list(services.values()),
    }


def routing_data(model: RoutingModel) -> dict[str, Any]:
    """Per namespace with Service ports: its grid and its Services (with their backends)."""
    reasons = _Reasons()
    by_namespace: dict[str, list[Column]] = defaultdict(list)
    for column in model.columns:
        by_namespace[column.namespace].append(column)
    entry = [s for s in model.sources if s.template is None]
    namespaces = []
    for namespace in sorted(by_namespace):
        local = [s for s in model.sources if s.template is not None and s.namespace == namespace]
        namespaces.append(_namespace(model, namespace, entry + local, by_namespace[namespace], reasons))
    return {"namespaces": namespaces, "reasons": reasons.table, "assumptions": list(model.assumptions)}
