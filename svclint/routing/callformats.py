"""``svclint calls`` output: one row per (workload, Service port) the app's references name.

csv is the stable contract: ``source,destination,port,protocol,verdict,reference``, rows
sorted by source, destination, port. ``reference`` is ``file:line origin``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from typing import TextIO

from svclint.routing.calls import Call, calls
from svclint.routing.explain import cell_reasons
from svclint.routing.matrix import MatrixFilter, MatrixFilterError, column_matches, source_matches, split_destination
from svclint.routing.model import RoutingModel

CSV_HEADER = ("source", "destination", "port", "protocol", "verdict", "reference")


def selected_calls(model: RoutingModel, flt: MatrixFilter) -> list[Call]:
    """The calls the filters keep (the same --from/--to/--namespace as ``matrix``); none kept is an error."""
    for pattern in flt.destinations:
        try:
            split_destination(pattern)
        except MatrixFilterError as error:
            raise MatrixFilterError(f"--to {error}") from None
    found = []
    for call in calls(model):
        if flt.sources and not any(source_matches(call.source, p) for p in flt.sources):
            continue
        if flt.destinations and not any(column_matches(c, p) for c in call.columns for p in flt.destinations):
            continue
        if flt.namespaces and call.source.namespace not in flt.namespaces and (call.service.namespace or "") not in flt.namespaces:
            continue
        found.append(call)
    if flt and not found:
        raise MatrixFilterError(f"{flt.describe()}: the filters match no call")
    return found


def _cells(call: Call) -> tuple[str, str, str, str, str, str]:
    return (call.source.name, call.destination, call.port, call.protocol, call.verdict, call.reference_text)


def write_csv(found: Iterable[Call], out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for call in found:
        writer.writerow(_cells(call))


def write_table(found: list[Call], out: TextIO) -> None:
    rows = [("SOURCE", "DESTINATION", "PORT", "VERDICT", "REFERENCE")]
    rows += [(c.source.name, c.destination, f"{c.port}/{c.protocol}" if c.port else c.protocol, c.verdict, c.reference_text) for c in found]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        out.write("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4] + "\n")
    out.write(f"\n{len(found)} call(s); `svclint explain SOURCE DESTINATION:PORT` shows why a verdict\n")


def write_markdown(found: list[Call], out: TextIO) -> None:
    out.write("| source | destination | port | verdict | reference |\n| --- | --- | --- | --- | --- |\n")
    for c in found:
        cells = (c.source.name, c.destination, f"{c.port}/{c.protocol}" if c.port else c.protocol, c.verdict, c.reference_text)
        out.write("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |\n")


def write_dot(found: list[Call], out: TextIO) -> None:
    out.write("digraph calls {\n  rankdir=LR;\n  node [shape=box];\n")
    for c in found:
        style = "" if c.verdict == "allow" else ', color=red, fontcolor=red'
        label = f"{c.port} {c.verdict}".strip()
        out.write(f"  {json.dumps(c.source.name)} -> {json.dumps(c.destination)} [label={json.dumps(label)}{style}];\n")
    out.write("}\n")


def write_json(model: RoutingModel, found: list[Call], out: TextIO) -> None:
    items = []
    for c in found:
        ref = c.checked.reference
        loc = ref.holder.location(ref.path)
        items.append({
            "source": c.source.name,
            "destination": c.destination,
            "port": int(c.port) if c.port.isdigit() else None,
            "protocol": c.protocol or None,
            "verdict": c.verdict,
            "reference": {"file": loc.path, "line": loc.line, "column": loc.column, "origin": ref.origin, "host": ref.host, "value": ref.text},
            "reasons": [r.as_dict() for r in cell_reasons(model, c.source, c.columns[0])],
        })
    json.dump({"calls": items, "assumptions": list(model.assumptions)}, out, indent=2, ensure_ascii=False)
    out.write("\n")


def prepare_calls(fmt: str, model: RoutingModel, flt: MatrixFilter) -> Callable[[TextIO], None]:
    """Resolve the filters first (errors before any output), then return the writer."""
    found = selected_calls(model, flt)
    if fmt == "csv":
        return lambda out: write_csv(found, out)
    if fmt == "json":
        return lambda out: write_json(model, found, out)
    if fmt == "markdown":
        return lambda out: write_markdown(found, out)
    if fmt == "dot":
        return lambda out: write_dot(found, out)
    return lambda out: write_table(found, out)
