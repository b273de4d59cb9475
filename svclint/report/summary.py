"""Counts shared by the formatters."""

from __future__ import annotations

from svclint.findings import LintReport, Severity


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_counts(report: LintReport) -> dict[str, int]:
    return {
        "files": report.files,
        "objects": report.objects,
        "skipped_documents": report.skipped_documents,
        "findings": len(report.findings),
        "errors": report.count(Severity.ERROR),
        "warnings": report.count(Severity.WARNING),
        "notes": report.count(Severity.NOTE),
        "suppressed": report.suppressed,
        "rules": len(report.rules),
    }


def summary_line(report: LintReport) -> str:
    counts = summary_counts(report)
    if counts["findings"]:
        head = (
            f"Found {plural(counts['findings'], 'problem')} "
            f"({plural(counts['errors'], 'error')}, {plural(counts['warnings'], 'warning')}, "
            f"{plural(counts['notes'], 'note')})"
        )
    else:
        head = "No problems found"
    tail = f" in {plural(counts['files'], 'file')}, {plural(counts['objects'], 'object')}"
    extras = []
    if counts["skipped_documents"]:
        extras.append(f"{plural(counts['skipped_documents'], 'non-Kubernetes document')} skipped")
    if counts["suppressed"]:
        extras.append(f"{counts['suppressed']} suppressed")
    return head + tail + (f"; {'; '.join(extras)}" if extras else "") + "."
