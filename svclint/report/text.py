"""Human output: ``path:line:col: SVC101 service-selects-nothing message``.

Lines sort by file, so a file's findings stay together; on a terminal the CLI asks for
colour and a blank line between files. Related locations follow, indented.
"""

from __future__ import annotations

from svclint.escape import visible
from svclint.findings import LintReport, Severity
from svclint.report.options import DEFAULT_OPTIONS, FormatOptions
from svclint.report.summary import summary_line

_COLOURS = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.NOTE: "\x1b[36m"}
_BOLD, _DIM, _RESET = "\x1b[1m", "\x1b[2m", "\x1b[0m"


def format_text(report: LintReport, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    colour = options.colour
    lines: list[str] = []
    previous_path = None
    for finding in report.findings:
        loc = finding.location
        if colour and previous_path is not None and loc.path != previous_path:
            lines.append("")
        previous_path = loc.path
        where = f"{visible(loc.path)}:{loc.line}:{loc.column}:"
        message = visible(finding.message)
        if colour:
            code = f"{_COLOURS[finding.severity]}{_BOLD}{finding.rule_id}{_RESET}"
            lines.append(f"{_BOLD}{where}{_RESET} {code} {_DIM}{finding.rule_name}{_RESET} {message}")
        else:
            lines.append(f"{where} {finding.rule_id} {finding.rule_name} {message}")
        for related, text in finding.related:
            lines.append(f"    {visible(related.path)}:{related.line}:{related.column}: {visible(text)}")
        if finding.units:  # a run of several deployment units (docs/inputs.md)
            lines.append(f"    in {'units' if len(finding.units) > 1 else 'unit'} {visible(', '.join(finding.units))}")
    for crash in report.crashes:
        lines.append(f"error: rule {crash.rule_id} ({crash.rule_name}) crashed: {visible(crash.error)}")
    if lines:
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
