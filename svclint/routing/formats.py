"""Matrix output formats. Each writer streams to a text stream; none holds the whole text.

csv is the stable contract: ``source,destination,port,protocol,verdict``, rows sorted.
table and markdown collapse sources with identical rows, so they hold one row of verdicts
per distinct source behaviour.
"""

from __future__ import annotations

import json
from typing import Callable, Iterable, TextIO

from .connlist import connlist_lines
from .explain import cell_reasons
from .matrix import MatrixFilter, rows, selected
from .model import ASSUMPTIONS, DNS_BLOCKED, RoutingModel, Source
from .services import Column

CSV_HEADER = "source,destination,port,protocol,verdict\n"
SYMBOLS = (("allow", "✓"), ("deny", "✗"), ("partial", "◐"), ("no-endpoints", "∅"), ("bad-target-port", "!"), ("external", "↗"))
LEGEND = (
    "legend: ✓ allow  ✗ deny  ◐k/n partial: k of n endpoint workloads reachable  ∅ no-endpoints  "
    "! bad-target-port  ↗ external (ExternalName / manual endpoints, egress allowed)  "
    "+d dns-blocked (the source cannot reach kube-dns on UDP 53)"
)


def _csv_entries(model: RoutingModel, columns: list[Column], dns_blocked: bool) -> list[tuple[int, tuple[str, str] | None, Column]]:
    """Per column: (allowed source bits, (text if not allowed, text if allowed)) or None (slow path)."""
    suffix = " " + DNS_BLOCKED if dns_blocked else ""
    entries: list[tuple[int, tuple[str, str] | None, Column]] = []
    for column in columns:
        head = f",{column.destination},{column.port},{column.protocol},"
        plan = model.plan(column)
        if plan.structural is not None:
            text = head + plan.structural + "\n"
            entries.append((0, (text, text), column))
        elif not plan.groups:
            entries.append((plan.external_bits, (head + "deny\n", head + "external" + suffix + "\n"), column))
        elif len(plan.groups) == 1 and plan.groups[0][1] == plan.total:
            entries.append((plan.groups[0][0], (head + "deny\n", head + "allow" + suffix + "\n"), column))
        else:
            entries.append((0, None, column))
    return entries


def write_csv(model: RoutingModel, flt: MatrixFilter, out: TextIO) -> None:
    """One block of rows per source, built from per-column text pairs chosen by one bit test."""
    out.write(CSV_HEADER)
    sources, columns = selected(model, flt)
    namespaces = set(flt.namespaces)
    local = [c for c in columns if c.namespace in namespaces] if namespaces else columns
    tables: dict[tuple[bool, bool], list[tuple[int, tuple[str, str] | None, Column]]] = {}
    for source in sources:
        cells = columns if not namespaces or source.namespace in namespaces else local
        name = source.name
        if source.template is None:  # external, ingress-controller: two rows, the general path
            for column in cells:
                out.write(f"{name},{column.destination},{column.port},{column.protocol},{model.verdict(source, column)}\n")
            continue
        assert source.cls is not None
        blocked = model.dns_blocked(source.cls)
        key = (cells is columns, blocked)
        entries = tables.get(key)
        if entries is None:
            entries = tables[key] = _csv_entries(model, cells, blocked)
        index = source.cls.index
        parts = [
            pair[(bits >> index) & 1] if pair is not None else f",{col.destination},{col.port},{col.protocol},{model.verdict(source, col)}\n"
            for bits, pair, col in entries
        ]
        out.write(name + name.join(parts))


def write_json(model: RoutingModel, flt: MatrixFilter, out: TextIO) -> None:
    out.write('{"version": 1,\n "assumptions": ' + json.dumps(list(ASSUMPTIONS)) + ',\n "cells": [')
    first = True
    for source, column, verdict in rows(model, flt):
        cell = {
            "source": source.name,
            "destination": column.destination,
            "port": column.port,
            "protocol": column.protocol,
            "verdict": verdict,
            "reasons": [r.as_dict() for r in cell_reasons(model, source, column)],
        }
        out.write(("\n  " if first else ",\n  ") + json.dumps(cell, ensure_ascii=False))
        first = False
    out.write("\n ]\n}\n")


def symbol(verdict: str) -> str:
    word, _, rest = verdict.partition(" ")
    mark = dict(SYMBOLS).get(word, "?")
    if word == "partial":
        mark += rest.split(" ")[0]
    if verdict.endswith("dns-blocked"):
        mark += "+d"
    return mark


def _grid(model: RoutingModel, flt: MatrixFilter) -> tuple[list[Column], list[tuple[list[str], list[str]]]]:
    """Columns and (source names, verdicts) with identical rows collapsed, in first-seen order."""
    sources, columns = selected(model, flt)
    namespaces = set(flt.namespaces)
    if namespaces:
        sources = [s for s in sources if s.namespace in namespaces] or sources
        columns = [c for c in columns if c.namespace in namespaces] or columns
    grouped: dict[tuple[str, ...], list[str]] = {}
    for source in sources:
        key = tuple(model.verdict(source, c) for c in columns)
        grouped.setdefault(key, []).append(source.name)
    return columns, [(names, list(key)) for key, names in grouped.items()]


def write_table(model: RoutingModel, flt: MatrixFilter, out: TextIO) -> None:
    columns, grid = _grid(model, flt)
    headers = [f"[{i + 1}]" for i in range(len(columns))]
    cells = [[symbol(v) for v in verdicts] for _, verdicts in grid]
    labels = [_source_label(names) for names, _ in grid]
    width = max([len("source")] + [len(x) for x in labels])
    widths = [max([len(h)] + [len(row[i]) for row in cells]) for i, h in enumerate(headers)]
    out.write(f"{'source':<{width}}  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths)).rstrip() + "\n")
    for label, row in zip(labels, cells):
        out.write(f"{label:<{width}}  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() + "\n")
    out.write("\n")
    for label, (names, _) in zip(labels, grid):
        if len(names) > 1:
            out.write(f"{label} = {', '.join(names)}\n")
    for header, column in zip(headers, columns):
        out.write(f"{header} {column.label}\n")
    out.write("\n" + LEGEND + "\n")
    out.write("assumptions: " + "; ".join(ASSUMPTIONS) + "\n")


def _source_label(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1})"


def write_markdown(model: RoutingModel, flt: MatrixFilter, out: TextIO) -> None:
    columns, grid = _grid(model, flt)
    out.write("| source | " + " | ".join(f"`{c.label}`" for c in columns) + " |\n")
    out.write("|---|" + "---|" * len(columns) + "\n")
    for names, verdicts in grid:
        label = "<br>".join(f"`{n}`" for n in names)
        out.write(f"| {label} | " + " | ".join(verdicts) + " |\n")
    out.write("\n" + "Assumptions: " + "; ".join(ASSUMPTIONS) + ".\n")


def write_dot(model: RoutingModel, flt: MatrixFilter, out: TextIO) -> None:
    """Sources and Services as nodes; an edge per reachable Service port, labelled with it."""
    out.write("digraph svclint {\n  rankdir=LR;\n  node [shape=box, fontname=Helvetica];\n")
    nodes: set[str] = set()
    edges: list[str] = []
    for source, column, verdict in rows(model, flt):
        if verdict.startswith(("allow", "partial", "external")):
            for name, shape in ((source.name, "box"), (column.destination, "ellipse")):
                if name not in nodes:
                    nodes.add(name)
                    out.write(f"  {json.dumps(name)} [shape={shape}];\n")
            style = "" if verdict.startswith("allow") else ", style=dashed"
            edges.append(f"  {json.dumps(source.name)} -> {json.dumps(column.destination)} [label={json.dumps(f'{column.port}/{column.protocol} {verdict}')}{style}];\n")
    for edge in edges:
        out.write(edge)
    out.write("}\n")


def write_connlist(model: RoutingModel, flt: MatrixFilter, out: TextIO) -> None:
    lines: Iterable[str] = connlist_lines(model)
    if flt.sources or flt.destinations or flt.namespaces:
        lines = [line for line in lines if _connlist_keep(line, flt)]
    for line in lines:
        out.write(line + "\n")


def _connlist_keep(line: str, flt: MatrixFilter) -> bool:
    from fnmatch import fnmatchcase

    src, _, rest = line.partition(" => ")
    dst = rest.split(" : ", 1)[0]

    def forms(name: str) -> tuple[str, ...]:
        bare = name.split("[", 1)[0]
        return (name, bare, bare.split("/", 1)[-1])

    if flt.sources and not any(fnmatchcase(f, p) for p in flt.sources for f in forms(src)):
        return False
    if flt.destinations and not any(fnmatchcase(f, p.split(":")[0]) for p in flt.destinations for f in forms(dst)):
        return False
    if flt.namespaces and not any(n.split("/", 1)[0] in flt.namespaces for n in (src, dst)):
        return False
    return True


WRITERS: dict[str, Callable[[RoutingModel, MatrixFilter, TextIO], None]] = {
    "table": write_table,
    "csv": write_csv,
    "json": write_json,
    "markdown": write_markdown,
    "dot": write_dot,
    "connlist": write_connlist,
}

__all__ = ["WRITERS", "Source"]
