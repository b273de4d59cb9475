"""Machine output, versioned. The schema is documented in the README ("JSON output")."""

from __future__ import annotations

from typing import Any

from svclint import __version__
from svclint.escape import json_text
from svclint.findings import Finding, LintReport, Location
from svclint.report.indented_json import dumps_indented
from svclint.report.options import DEFAULT_OPTIONS, FormatOptions
from svclint.report.summary import summary_counts

JSON_FORMAT_VERSION = 1


def _location(location: Location) -> dict[str, Any]:
    return {"file": location.path, "line": location.line, "column": location.column}


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    obj = finding.object
    return {
        "rule": finding.rule_id,
        "name": finding.rule_name,
        "severity": str(finding.severity),
        "message": finding.message,
        **_location(finding.location),
        "field": finding.field_path,
        "object": None
        if obj is None
        else {"group": obj.group, "kind": obj.kind, "namespace": obj.namespace, "name": obj.name},
        "related": [{**_location(loc), "message": message} for loc, message in finding.related],
        **({"units": list(finding.units)} if finding.units else {}),  # only in runs of several units
    }


def format_json(report: LintReport, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    document = {
        "version": JSON_FORMAT_VERSION,
        "tool": {"name": "svclint", "version": __version__},
        "summary": summary_counts(report),
        "findings": [finding_to_dict(f) for f in report.findings],
        "errors": [
            {"rule": c.rule_id, "name": c.rule_name, "message": f"rule crashed: {c.error}"} for c in report.crashes
        ],
    }
    return json_text(dumps_indented(document)) + "\n"
