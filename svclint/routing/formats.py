"""Matrix output formats. Each writer streams to a text stream; none holds the whole text.

csv is the stable contract: ``source,destination,port,protocol,verdict``, rows sorted.
table and markdown collapse sources with identical rows, so they hold one row of verdicts
per distinct source behaviour.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TextIO

from svclint.routing.connlist import connlist_lines
from svclint.routing.explain import cell_reasons
from svclint.routing.matrix import (
    MatrixFilter,
    MatrixFilterError,
    Selection,
    column_matches,
    name_matches,
    rows,
    selected,
)
from svclint.routing.model import DNS_BLOCKED, RoutingModel, Source
from svclint.routing.services import Column

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


def write_csv(model: RoutingModel, selection: Selection, out: TextIO) -> None:
    """One block of rows per source, built from per-column text pairs chosen by one bit test."""
    out.write(CSV_HEADER)
    columns = selection.columns
    tables: dict[tuple[bool, bool], list[tuple[int, tuple[str, str] | None, Column]]] = {}
    for source in selection.sources:
        cells = selection.cells(source)
        if not cells:  # no row: writing the bare name would corrupt the CSV
            continue
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


def write_json(model: RoutingModel, flt: Selection, out: TextIO) -> None:
    out.write('{"version": 1,\n "assumptions": ' + json.dumps(list(model.assumptions)) + ',\n "cells": [')
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


def symbol(verdict: str | None) -> str:
    if verdict is None:  # a cell --namespace leaves out
        return "·"
    word, _, rest = verdict.partition(" ")
    mark = dict(SYMBOLS).get(word, "?")
    if word == "partial":
        mark += rest.split(" ")[0]
    if verdict.endswith("dns-blocked"):
        mark += "+d"
    return mark


def _grid(model: RoutingModel, selection: Selection) -> tuple[list[Column], list[tuple[list[str], list[str | None]]]]:
    """Columns and (source names, verdicts) with identical rows collapsed, in first-seen order.

    A cell the namespace filter leaves out (neither end in NS) has no verdict (None).
    """
    columns = selection.shown_columns()
    grouped: dict[tuple[str | None, ...], list[str]] = {}
    for source in selection.sources:
        key = tuple(model.verdict(source, c) if selection.keeps(source, c) else None for c in columns)
        grouped.setdefault(key, []).append(source.name)
    return columns, [(names, list(key)) for key, names in grouped.items()]


def write_table(model: RoutingModel, flt: Selection, out: TextIO) -> None:
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
    out.write("\n" + LEGEND + ("  · neither end in --namespace" if flt.namespaces else "") + "\n")
    out.write("assumptions: " + "; ".join(model.assumptions) + "\n")


def _source_label(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{names[0]} (+{len(names) - 1})"


def write_markdown(model: RoutingModel, flt: Selection, out: TextIO) -> None:
    columns, grid = _grid(model, flt)
    out.write("| source | " + " | ".join(f"`{c.label}`" for c in columns) + " |\n")
    out.write("|---|" + "---|" * len(columns) + "\n")
    for names, verdicts in grid:
        label = "<br>".join(f"`{n}`" for n in names)
        out.write(f"| {label} | " + " | ".join(v or "" for v in verdicts) + " |\n")
    out.write("\n" + "Assumptions: " + "; ".join(model.assumptions) + ".\n")


DOT_STYLES = {  # verdict word -> edge attributes; a deny is not drawn (the grid formats show it)
    "allow": 'color="#1a7f37"',
    "partial": 'color="#bf8700", style=dashed',
    "external": 'color="#0969da"',
    "no-endpoints": 'color="#8250df", style=dotted, fontcolor="#8250df"',
    "bad-target-port": 'color="#8250df", style=dotted, fontcolor="#8250df"',
}
_BROKEN = ("no-endpoints", "bad-target-port")


def _dot_id(text: str) -> str:
    """A DOT quoted string: JSON's escaping of quotes and backslashes, characters kept as
    they are (DOT reads no \\u escapes; the CLI's writer escapes control and bidi ones)."""
    return json.dumps(text, ensure_ascii=False)


def _dot_legend(out: TextIO) -> None:
    out.write('  subgraph cluster_legend {\n    label="legend (deny: not drawn, see -f table)"; fontname=Helvetica; style=dashed;\n')
    out.write('    node [shape=plaintext, label=""];\n')
    for index, word in enumerate(("allow", "partial", "external", "no-endpoints")):
        out.write(f'    legend_a{index} -> legend_b{index} [label="{word}", {DOT_STYLES[word]}];\n')
    out.write("  }\n")


def write_dot(model: RoutingModel, flt: Selection, out: TextIO) -> None:
    """Sources and Services as nodes, grouped in one cluster per namespace (entry points
    outside); one edge per (source, Service) that reaches it, its ports merged into the label.

    A broken Service (no pods, a targetPort no container has) is drawn in purple with a
    dotted edge to a "no pods" or "bad targetPort" node, once, not from every source.
    Denied pairs are not drawn: every pair a default-deny isolates would bury the picture.
    """
    labels: dict[tuple[str, str], list[str]] = {}
    words: dict[tuple[str, str], set[str]] = {}
    broken: dict[str, list[str]] = {}
    namespaces: dict[str | None, dict[str, str]] = {}
    sources = {s.name: s for s in model.sources}
    for source, column, verdict in rows(model, flt):
        word = verdict.split(" ")[0]
        if word in _BROKEN:
            note = f"{column.port}/{column.protocol} {word}"
            if note not in broken.setdefault(column.destination, []):
                broken[column.destination].append(note)
            namespaces.setdefault(column.namespace, {})[column.destination] = "broken"
            continue
        if word not in DOT_STYLES:
            continue
        namespaces.setdefault(sources[source.name].namespace, {}).setdefault(source.name, "source")
        namespaces.setdefault(column.namespace, {}).setdefault(column.destination, "service")
        key = (source.name, column.destination)
        labels.setdefault(key, []).append(f"{column.port}/{column.protocol}" + (f" {verdict}" if word != "allow" else ""))
        words.setdefault(key, set()).add(word)
    out.write("digraph svclint {\n  rankdir=LR;\n  node [shape=box, fontname=Helvetica];\n  edge [fontname=Helvetica, fontsize=10];\n")
    for namespace in sorted(namespaces, key=lambda n: (n is not None, n or "")):
        indent = "  " if namespace is None else "    "
        if namespace is not None:
            out.write(f"  subgraph {_dot_id('cluster_' + namespace)} {{\n    label={_dot_id(namespace)}; fontname=Helvetica;\n")
        for name, role in sorted(namespaces[namespace].items()):
            if role == "source":
                out.write(f"{indent}{_dot_id(name)} [shape=box];\n")
            elif role == "service":
                out.write(f"{indent}{_dot_id(name)} [shape=ellipse];\n")
            else:
                out.write(f'{indent}{_dot_id(name)} [shape=ellipse, color="#8250df", fontcolor="#8250df", penwidth=2];\n')
        if namespace is not None:
            out.write("  }\n")
    for (source_name, destination), ports in labels.items():
        kinds = words[(source_name, destination)]
        word = "allow" if kinds == {"allow"} else "external" if kinds == {"external"} else "partial"
        out.write(f"  {_dot_id(source_name)} -> {_dot_id(destination)} [label={_dot_id(', '.join(ports))}, {DOT_STYLES[word]}];\n")
    for destination, notes in broken.items():
        target = _dot_id(destination + " (broken)")
        what = "no pods" if all(n.endswith("no-endpoints") for n in notes) else "bad targetPort" if all(n.endswith("bad-target-port") for n in notes) else "broken"
        out.write(f'  {target} [shape=plaintext, label={_dot_id("∅ " + what)}, fontcolor="#8250df"];\n')
        out.write(f"  {_dot_id(destination)} -> {target} [label={_dot_id(', '.join(notes))}, {DOT_STYLES['no-endpoints']}];\n")
    _dot_legend(out)
    out.write("}\n")


def _peer_namespace(peer: str) -> str | None:
    """``ns/name[Kind]`` -> ``ns``; outside ranges and ``{ingress-controller}`` have none."""
    return peer.split("/", 1)[0] if "/" in peer and not peer.endswith("[External]") else None


def connlist_selected(model: RoutingModel, flt: MatrixFilter) -> list[str]:
    """The connlist lines the filters keep, validated like every format (``selected()``) first.

    ``--from`` picks the source peer (``external`` the ``[External]`` ranges,
    ``ingress-controller`` the ``{ingress-controller}`` lines); ``--to SVC[:PORT]`` keeps
    lines whose destination workload is an endpoint of a selected Service port (the line still
    lists every port allowed between the pair); ``--namespace`` keeps lines with either peer in NS.
    """
    selected(model, flt)
    lines = connlist_lines(model)
    if not flt:
        return lines
    wanted = [s for s in model.sources if any(name_matches(s.name, p) for p in flt.sources)] if flt.sources else None
    workloads = {s.name for s in wanted if s.template is not None} if wanted is not None else set()
    external = wanted is not None and any(s.template is None and s.name == "external" for s in wanted)
    controller = wanted is not None and any(s.template is None and s.name == "ingress-controller" for s in wanted)
    targets: set[str] | None = None
    if flt.destinations:
        columns = [c for c in model.columns if any(column_matches(c, p) for p in flt.destinations)]
        targets = {e.template.workload.qualified for c in columns for e in c.endpoints if e.port is not None}
    namespaces = set(flt.namespaces)
    kept = []
    for line in lines:
        src, _, rest = line.partition(" => ")
        dst = rest.split(" : ", 1)[0]
        if wanted is not None and not (
            src in workloads or (external and src.endswith("[External]")) or (controller and src == "{ingress-controller}")
        ):
            continue
        if targets is not None and dst not in targets:
            continue
        if namespaces and _peer_namespace(src) not in namespaces and _peer_namespace(dst) not in namespaces:
            continue
        kept.append(line)
    if not kept:
        raise MatrixFilterError(f"{flt.describe()}: the filters match no connlist line")
    return kept


def prepare(fmt: str, model: RoutingModel, flt: MatrixFilter) -> Callable[[TextIO], None]:
    """Resolve and validate the filters, then return the writer: no output before an error."""
    if fmt == "connlist":
        lines = connlist_selected(model, flt)

        def write_lines(out: TextIO) -> None:
            for line in lines:
                out.write(line + "\n")

        return write_lines
    selection = selected(model, flt)
    writer = _SELECTION_WRITERS[fmt]
    return lambda out: writer(model, selection, out)


_SELECTION_WRITERS: dict[str, Callable[[RoutingModel, Selection, TextIO], None]] = {
    "table": write_table,
    "csv": write_csv,
    "json": write_json,
    "markdown": write_markdown,
    "dot": write_dot,
}


def _writer(fmt: str) -> Callable[[RoutingModel, MatrixFilter, TextIO], None]:
    def write(model: RoutingModel, flt: MatrixFilter, out: TextIO) -> None:
        prepare(fmt, model, flt)(out)

    return write


WRITERS: dict[str, Callable[[RoutingModel, MatrixFilter, TextIO], None]] = {
    fmt: _writer(fmt) for fmt in ("table", "csv", "json", "markdown", "dot", "connlist")
}

__all__ = ["WRITERS", "Source", "prepare"]
