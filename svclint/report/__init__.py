"""Formatters: pure functions of a LintResult; no I/O, no exit codes."""

from __future__ import annotations

from collections.abc import Callable

from svclint.lint.engine import LintResult
from svclint.report.github import format_github
from svclint.report.json import format_json
from svclint.report.junit import format_junit
from svclint.report.sarif import format_sarif
from svclint.report.text import format_text

Formatter = Callable[[LintResult], str]

FORMATTERS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,  # the CLI passes SarifOptions (--sarif-root, --sarif-category)
    "github": format_github,
    "junit": format_junit,
}
