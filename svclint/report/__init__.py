"""Formatters: pure functions of a LintResult; no I/O, no exit codes."""

from __future__ import annotations

from typing import Callable

from ..engine import LintResult
from .json import format_json
from .text import format_text

Formatter = Callable[[LintResult], str]

FORMATTERS: dict[str, Formatter] = {
    "text": format_text,
    "json": format_json,
}
