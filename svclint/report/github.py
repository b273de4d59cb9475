"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` per finding.

GitHub shows at most 10 error and 10 warning annotations per step (50 per job) and drops
the rest silently, so the most severe findings come first. Escaping follows
actions/toolkit ``packages/core/src/command.ts``: ``%``, CR and LF in the message, and
also ``:`` and ``,`` in property values. Before that, paths and messages pass
``svclint.escape.visible`` (no raw ESC, bidi or zero-width characters in the log).
"""

from __future__ import annotations

from svclint.escape import visible
from svclint.findings import Finding, LintReport, Severity
from svclint.report.options import DEFAULT_OPTIONS, FormatOptions
from svclint.report.summary import summary_line

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}


def escape_data(text: str) -> str:
    """A message as data: ``%``, CR, LF encoded (the message's own line breaks)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, properties: dict[str, str | int], message: str) -> str:
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{command}{' ' + rendered if rendered else ''}::{escape_data(message)}"


def _annotation(finding: Finding, stdin: set[str]) -> str:
    loc = finding.location
    properties: dict[str, str | int] = {}
    if loc.path not in stdin:
        properties.update(file=visible(loc.path), line=loc.line, col=loc.column)
    properties["title"] = f"{finding.rule_id} {finding.rule_name}"
    message = visible(finding.message)
    if loc.path in stdin:
        message = f"{visible(loc.path)}:{loc.line}:{loc.column}: {message}"
    for related, text in finding.related:  # each on a line of its own in the annotation
        message += f"\n{visible(related.path)}:{related.line}:{related.column}: {visible(text)}"
    if finding.units:
        message += f"\n(in {'units' if len(finding.units) > 1 else 'unit'} {visible(', '.join(finding.units))})"
    return workflow_command(COMMANDS[finding.severity], properties, message)


def format_github(report: LintReport, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    stdin = {file.path for file in report.inputs if file.stdin}  # no file= property: nothing to annotate
    findings = sorted(report.findings, key=lambda f: (-f.severity, f.sort_key()))
    lines = [_annotation(f, stdin) for f in findings]
    for crash in report.crashes:
        lines.append(workflow_command("error", {"title": "svclint rule crashed"}, f"rule {crash.rule_id} ({crash.rule_name}) crashed: {visible(crash.error)}"))
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
