"""Formatters: pure functions of a LintResult; no I/O, no exit codes."""

from __future__ import annotations

from typing import Callable

from ..engine import LintResult
from .github import format_github
from .json import format_json
from .junit import format_junit
from .sarif import format_sarif
from .text import format_text

Formatter = Callable[[LintResult], str]

FORMATTERS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
    "sarif": format_sarif,  # the CLI passes SarifOptions (--sarif-root, --sarif-category)
    "github": format_github,
    "junit": format_junit,
}
