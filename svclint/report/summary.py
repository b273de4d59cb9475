"""Counts shared by the formatters."""

from __future__ import annotations

from svclint.findings import Severity
from svclint.lint.engine import LintResult


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_counts(result: LintResult) -> dict[str, int]:
    return {
        "files": result.load.files,
        "objects": len(result.load.objects),
        "skipped_documents": result.load.skipped_documents,
        "findings": len(result.findings),
        "errors": result.count(Severity.ERROR),
        "warnings": result.count(Severity.WARNING),
        "notes": result.count(Severity.NOTE),
        "suppressed": result.suppressed,
        "rules": len(result.active),
    }


def summary_line(result: LintResult) -> str:
    counts = summary_counts(result)
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
