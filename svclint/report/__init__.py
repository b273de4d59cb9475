"""Formatters: pure functions of a LintReport (plain data); no I/O, no exit codes.

Every format has the same signature, so the CLI picks one from this table and passes
the options (colour, SARIF root and category) to whichever it picked.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from svclint.findings import LintReport
from svclint.report.options import FormatOptions

Formatter = Callable[[LintReport, FormatOptions], str]


def _lazy(module: str, function: str) -> Formatter:
    """The formatter ``module.function``, imported on first use: SARIF needs sarif-om (and
    its pbr and setuptools), 80 ms a process that writes text should not pay."""

    def format_report(report: LintReport, options: FormatOptions) -> str:
        formatter: Formatter = getattr(importlib.import_module(module), function)
        return formatter(report, options)

    format_report.__name__ = function
    return format_report

# Formats that show each rule's documentation. The others get a report without it: the
# examples come from fixture files, and reading them all costs milliseconds a run.
DOCUMENTED_FORMATS = frozenset({"sarif"})

FORMATTERS: dict[str, Formatter] = {
    "text": _lazy("svclint.report.text", "format_text"),
    "json": _lazy("svclint.report.json", "format_json"),
    "sarif": _lazy("svclint.report.sarif", "format_sarif"),
    "github": _lazy("svclint.report.github", "format_github"),
    "junit": _lazy("svclint.report.junit", "format_junit"),
}
