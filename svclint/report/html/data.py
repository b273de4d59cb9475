"""The report page's data: the findings by unit and file with their lines in context, and
the reachability data ``routing.pagedata`` made (plain data: formatters import no engine)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from svclint.escape import visible
from svclint.findings import Finding, LintReport

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


def page_data(report: LintReport, routing: dict[str, Any] | None, title: str, map_note: str = "") -> dict[str, Any]:
    """Everything the page shows; ``routing`` is ``routing.pagedata.routing_data`` (None: no map)."""
    return {
        "title": visible(title),
        "summary": {"files": report.files, "objects": report.objects, "findings": len(report.findings)},
        "units": findings_data(report),
        "routing": routing,
        "mapNote": visible(map_note),
    }
