"""``svclint check --statistics``: how many findings each rule made, instead of the findings
(as ``ruff check --statistics``), to size a clean-up or choose what to ignore first."""

from __future__ import annotations

import json
from collections import Counter

from svclint.findings import LintReport, Severity
from svclint.report.options import DEFAULT_OPTIONS, FormatOptions

STATISTICS_FORMATS = ("text", "json")


def rule_counts(report: LintReport) -> list[tuple[int, str, str, Severity]]:
    """(count, id, name, highest severity) per rule with findings: most findings first, then by id."""
    counts = Counter(f.rule_id for f in report.findings)
    names = {f.rule_id: f.rule_name for f in report.findings}
    worst: dict[str, Severity] = {}
    for finding in report.findings:
        worst[finding.rule_id] = max(worst.get(finding.rule_id, finding.severity), finding.severity)
    return sorted(((n, rule, names[rule], worst[rule]) for rule, n in counts.items()), key=lambda row: (-row[0], row[1]))


def format_statistics(report: LintReport, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    rows = rule_counts(report)
    width = len(str(rows[0][0])) if rows else 1
    return "".join(f"{count:>{width}}\t{rule}\t{name}\t{severity}\n" for count, rule, name, severity in rows)


def format_statistics_json(report: LintReport, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    rows = [{"rule": rule, "name": name, "count": count, "severity": str(severity)} for count, rule, name, severity in rule_counts(report)]
    return json.dumps(rows, indent=2) + "\n"
