"""Formatters: pure functions of a LintReport (plain data); no I/O, no exit codes.

Every format has the same signature, so the CLI picks one from this table and passes
the options (colour, SARIF root and category) to whichever it picked.
"""

from __future__ import annotations

from collections.abc import Callable

from svclint.findings import LintReport
from svclint.report.github import format_github
from svclint.report.json import format_json
from svclint.report.junit import format_junit
from svclint.report.options import FormatOptions
from svclint.report.sarif import format_sarif
from svclint.report.text import format_text

Formatter = Callable[[LintReport, FormatOptions], str]

# Formats that show each rule's documentation. The others get a report without it: the
# examples come from fixture files, and reading them all costs milliseconds a run.
DOCUMENTED_FORMATS = frozenset({"sarif"})

FORMATTERS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
    "junit": format_junit,
}
