"""Findings as the Language Server Protocol speaks of them: diagnostics and code actions.

Pure functions of a finding and the text of its file. A finding's 1-based line and column
(in characters) become a 0-based range in UTF-16 code units, spanning the key or value the
finding points at.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import unquote, urlparse
from urllib.request import pathname2url

from lsprotocol import types

from svclint.findings import Finding, Location, Severity
from svclint.loading.directives import COMMENT

SOURCE = "svclint"
SEVERITIES = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Information,
}
_STOP = set(" \t,[]{}#")


def path_to_uri(fs_path: str) -> str:
    return "file://" + pathname2url(os.path.abspath(fs_path))


def uri_to_path(uri: str) -> str | None:
    """The file a ``file:`` URI names (None for other schemes: untitled buffers, git views)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return os.path.abspath(unquote(parsed.path))


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def token_end(line: str, start: int) -> int:
    """Where the key or scalar starting at ``start`` (0-based, characters) ends."""
    if start >= len(line):
        return start
    quote = line[start]
    if quote in "\"'":
        close = line.find(quote, start + 1)
        return close + 1 if close != -1 else len(line)
    end = start
    while end < len(line) and line[end] not in _STOP:
        if line[end] == ":" and (end + 1 == len(line) or line[end + 1] in " \t"):
            break
        end += 1
    return end if end > start else min(len(line), start + 1)


def location_range(location: Location, lines: Sequence[str]) -> types.Range:
    """The range of the token at ``location`` (the whole line when it is past the text)."""
    line_index = max(0, location.line - 1)
    if line_index >= len(lines):
        return types.Range(types.Position(line_index, 0), types.Position(line_index, 0))
    line = lines[line_index]
    start = min(max(0, location.column - 1), len(line))
    end = token_end(line, start)
    return types.Range(types.Position(line_index, _utf16(line[:start])), types.Position(line_index, _utf16(line[:end])))


def diagnostic(
    finding: Finding, lines: Sequence[str], lines_of: Callable[[str], Sequence[str]], uri_of: Callable[[str], str],
    help_uri: str | None,
) -> types.Diagnostic:
    """One finding as a diagnostic of its file; ``lines_of``/``uri_of`` reach its related files."""
    related = [
        types.DiagnosticRelatedInformation(
            types.Location(uri_of(where.path), location_range(where, lines_of(where.path))), message
        )
        for where, message in finding.related
    ]
    return types.Diagnostic(
        range=location_range(finding.location, lines),
        message=finding.message,
        severity=SEVERITIES[finding.severity],
        code=finding.rule_id,
        code_description=types.CodeDescription(href=help_uri) if help_uri else None,
        source=SOURCE,
        related_information=related or None,
        data={"rule": finding.rule_id, "name": finding.rule_name},
    )


def suppression_edit(uri: str, lines: Sequence[str], line: int, rule_id: str) -> types.WorkspaceEdit:
    """``# svclint: ignore-next-line[RULE]`` above 1-based ``line``, indented like it; a
    comment already there names the rule too."""
    index = max(0, line - 1)
    target = lines[index] if index < len(lines) else ""
    above = lines[index - 1] if index > 0 else ""
    match = COMMENT.search(above)
    if match is not None and match.group(1) and match.group(2) is not None and above.strip().startswith("#"):
        names = [n.strip() for n in match.group(2).split(",") if n.strip()]
        if rule_id not in names:
            names.append(rule_id)
        start, end = match.span(2)
        edit = types.TextEdit(
            types.Range(types.Position(index - 1, _utf16(above[:start])), types.Position(index - 1, _utf16(above[:end]))),
            ", ".join(names),
        )
    else:
        indent = target[: len(target) - len(target.lstrip(" \t"))]
        edit = types.TextEdit(
            types.Range(types.Position(index, 0), types.Position(index, 0)),
            f"{indent}# svclint: ignore-next-line[{rule_id}]\n",
        )
    return types.WorkspaceEdit(changes={uri: [edit]})


def replacement_edit(uri: str, lines: Sequence[str], finding: Finding) -> types.WorkspaceEdit | None:
    """The finding's did-you-mean as an edit, if the text still says what the rule read."""
    fix = finding.fix
    if fix is None:
        return None
    index = fix.location.line - 1
    if not 0 <= index < len(lines):
        return None
    line = lines[index]
    start = fix.location.column - 1
    if line[start : start + 1] in ("'", '"'):
        start += 1
    if line[start : start + len(fix.old)] != fix.old:
        return None
    end = start + len(fix.old)
    edit = types.TextEdit(
        types.Range(types.Position(index, _utf16(line[:start])), types.Position(index, _utf16(line[:end]))), fix.new
    )
    return types.WorkspaceEdit(changes={uri: [edit]})


def code_actions(
    uri: str, lines: Sequence[str], findings: Sequence[Finding], wanted: types.Range, diagnostics: Mapping[str, types.Diagnostic]
) -> list[types.CodeAction]:
    """For each finding on the lines of ``wanted``: its did-you-mean, then a suppression.

    ``diagnostics`` maps a finding's key (``finding_key``) to the diagnostic published for it,
    so the editor ties the action to the squiggle."""
    actions: list[types.CodeAction] = []
    for finding in findings:
        line = finding.location.line - 1
        if not wanted.start.line <= line <= wanted.end.line:
            continue
        shown = diagnostics.get(finding_key(finding))
        tied = [shown] if shown is not None else None
        fix = replacement_edit(uri, lines, finding)
        if fix is not None and finding.fix is not None:
            actions.append(
                types.CodeAction(
                    title=f"Replace {finding.fix.old!r} with {finding.fix.new!r} ({finding.rule_id})",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=tied,
                    edit=fix,
                    is_preferred=True,
                )
            )
        actions.append(
            types.CodeAction(
                title=f"Suppress {finding.rule_id} ({finding.rule_name}) on this line",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=tied,
                edit=suppression_edit(uri, lines, finding.location.line, finding.rule_id),
            )
        )
    return actions


def finding_key(finding: Finding) -> str:
    location = finding.location
    return f"{finding.rule_id}:{location.line}:{location.column}:{finding.message}"


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_text(text: str) -> list[str]:
    """Lines as an LSP client counts them (\\n, \\r\\n and \\r end a line)."""
    return _LINE_BREAK.split(text)
