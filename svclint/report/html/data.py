"""The report page's data: findings by unit and file with their lines in context, and per
namespace the reachability grid (identical sources collapsed, as `svclint matrix` does) with
every cell's explain chain. Reasons repeat across cells (the same Service, the same policy),
so they are stored once in a table and cells point at them: that keeps a 10k-object tree's
page a few megabytes.

A namespace's grid holds its own workloads and the two entry points (``external``,
``ingress-controller``) against its own Service ports; traffic between namespaces is in
`svclint matrix` (the page says so)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from svclint.findings import Finding, LintReport
from svclint.report.escape import visible

if TYPE_CHECKING:
    from svclint.routing.model import RoutingModel, Source
    from svclint.routing.services import Column

CONTEXT_LINES = 2  # lines shown before and after a finding's line


def _snippet(lines: list[str], line: int) -> dict[str, Any]:
    first = max(1, line - CONTEXT_LINES)
    last = min(len(lines), line + CONTEXT_LINES)
    return {"first": first, "lines": [visible(text) for text in lines[first - 1 : last]]}


def _finding(finding: Finding, lines: list[str] | None) -> dict[str, Any]:
    loc = finding.location
    out: dict[str, Any] = {
        "rule": finding.rule_id,
        "name": finding.rule_name,
        "severity": str(finding.severity),
        "message": visible(finding.message),
        "line": loc.line,
        "column": loc.column,
        "object": str(finding.object) if finding.object else "",
        "related": [{"file": visible(r.path), "line": r.line, "text": visible(t)} for r, t in finding.related],
    }
    if lines is not None and 1 <= loc.line <= len(lines):
        out["context"] = _snippet(lines, loc.line)
    return out


def findings_data(report: LintReport) -> list[dict[str, Any]]:
    """``[{unit, files: [{file, findings}]}]``: units in name order ("" when the run had one)."""
    texts = {i.path: i.text.split("\n") for i in report.inputs if i.text is not None}
    grouped: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in report.findings:
        for unit in finding.units or ("",):
            grouped[unit][finding.location.path].append(finding)
    return [
        {
            "unit": visible(unit),
            "files": [
                {"file": visible(path), "findings": [_finding(f, texts.get(path)) for f in found]}
                for path, found in sorted(grouped[unit].items())
            ],
        }
        for unit in sorted(grouped)
    ]


class _Reasons:
    """A table of distinct reasons ([hop, text, depth, file, line]); cells hold indexes."""

    def __init__(self) -> None:
        self.table: list[list[Any]] = []
        self._index: dict[tuple[Any, ...], int] = {}

    def add(self, hop: str, text: str, depth: int, file: str | None, line: int | None) -> int:
        key = (hop, text, depth, file, line)
        if key not in self._index:
            self._index[key] = len(self.table)
            self.table.append([hop, visible(text), depth, visible(file) if file else None, line])
        return self._index[key]


def _namespace(model: RoutingModel, namespace: str, sources: list[Source], columns: list[Column], reasons: _Reasons) -> dict[str, Any]:
    from svclint.routing.explain import cell_reasons

    groups: dict[tuple[str, ...], list[Source]] = {}
    for source in sources:
        key = tuple(model.verdict(source, column) for column in columns)
        groups.setdefault(key, []).append(source)
    rows = []
    for verdicts, members in groups.items():
        first = members[0]
        cells = []
        for column, verdict in zip(columns, verdicts):
            chain = [reasons.add(r.hop, r.text, r.depth, r.file, r.line) for r in cell_reasons(model, first, column)]
            cells.append({"verdict": verdict, "reasons": chain})
        rows.append({"sources": [visible(s.name) for s in members], "entry": first.template is None, "cells": cells})
    services: dict[str, dict[str, Any]] = {}
    for index, column in enumerate(columns):
        service = services.setdefault(column.destination, {
            "name": visible(column.destination),
            "kind": column.kind,
            "ports": [],
            "backends": sorted({visible(e.template.workload.qualified) for e in column.endpoints}),
        })
        service["ports"].append(index)
    return {
        "namespace": visible(namespace),
        "columns": [{"service": visible(c.destination), "port": c.port, "protocol": c.protocol, "label": visible(c.label)} for c in columns],
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
    return {"namespaces": namespaces, "reasons": reasons.table, "assumptions": [visible(a) for a in model.assumptions]}


def page_data(report: LintReport, model: RoutingModel | None, title: str, map_note: str = "") -> dict[str, Any]:
    return {
        "title": visible(title),
        "summary": {"files": report.files, "objects": report.objects, "findings": len(report.findings)},
        "units": findings_data(report),
        "routing": routing_data(model) if model is not None else None,
        "mapNote": visible(map_note),
    }
