"""``svclint diff`` written out: text, json, markdown (a pull-request comment), sarif (new findings only).

Every path, name and message goes through ``svclint.escape`` (docs/security.md); the Markdown
also escapes what would end a table cell or open HTML, since a PR comment renders both.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from svclint import __version__
from svclint.escape import json_text, visible
from svclint.findings import Finding
from svclint.report.json import finding_to_dict
from svclint.report.options import FormatOptions
from svclint.report.sarif import format_sarif
from svclint.review.compare import Diff
from svclint.review.connectivity import CellChange

DIFF_JSON_VERSION = 1


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(diff: Diff) -> str:
    """One line: what changed, and what of it fails by default."""
    if diff.empty:
        return f"no connectivity change, no new or fixed finding ({_plural(diff.unchanged_findings, 'finding')} unchanged)"
    cells = _plural(len(diff.cells), "connectivity change")
    closed = f"{diff.closed} closed" + (f", {_plural(diff.broken_calls, 'call')} the app makes broken" if diff.broken_calls else "")
    detail = [closed, f"{diff.exposures} newly exposed"]
    return (
        f"{cells} ({', '.join(detail)}), {_plural(len(diff.new_findings), 'new finding')}, "
        f"{len(diff.fixed_findings)} fixed, {diff.unchanged_findings} unchanged"
    )


def _source(change: CellChange, diff: Diff) -> str:
    return f"{change.unit}: {change.source}" if diff.several_units else change.source


def _finding_line(f: Finding) -> str:
    loc = f.location
    return visible(f"{loc.path}:{loc.line}:{loc.column}: {f.rule_id} {f.rule_name} {f.message}")


def format_text(diff: Diff, options: FormatOptions) -> str:
    lines = [visible(f"svclint diff {diff.old} -> {diff.new}: {summary(diff)}")]
    if diff.cells:
        lines += ["", "Connectivity (source -> Service port: before -> after):"]
        for change in diff.cells:
            lines.append(visible(f"  {_source(change, diff)} -> {change.destination}: {change.before} -> {change.after}"))
            lines += [visible(f"      {c.path}:{c.line}: {c.what}") for c in change.causes]
            if change.breaks_call:
                lines += [visible(f"      breaks the call {c.origin}: {c.text}  [{c.path}:{c.line}]") for c in change.calls]
    for title, findings in (("New findings:", diff.new_findings), ("Fixed findings (as they were):", diff.fixed_findings)):
        if findings:
            lines += ["", title] + [f"  {_finding_line(f)}" for f in findings]
    return "\n".join(lines) + "\n"


def _change_dict(change: CellChange) -> dict[str, Any]:
    return {
        "unit": change.unit,
        "source": change.source,
        "destination": change.destination,
        "before": change.before,
        "after": change.after,
        "opens_exposure": change.opens_exposure,
        "closes_call": change.closes_call,
        "breaks_call": change.breaks_call,
        "causes": [{"file": c.path, "line": c.line, "what": c.what} for c in change.causes],
        "calls": [{"file": c.path, "line": c.line, "origin": c.origin, "text": c.text} for c in change.calls],
    }


def format_json(diff: Diff, options: FormatOptions) -> str:
    document = {
        "version": DIFF_JSON_VERSION,
        "tool": {"name": "svclint", "version": __version__},
        "old": diff.old,
        "new": diff.new,
        "summary": {
            "connectivity_changes": len(diff.cells),
            "closed": diff.closed,
            "broken_calls": diff.broken_calls,
            "exposed": diff.exposures,
            "new_findings": len(diff.new_findings),
            "fixed_findings": len(diff.fixed_findings),
            "unchanged_findings": diff.unchanged_findings,
        },
        "connectivity": [_change_dict(c) for c in diff.cells],
        "findings": {
            "new": [finding_to_dict(f) for f in diff.new_findings],
            "fixed": [finding_to_dict(f) for f in diff.fixed_findings],
        },
    }
    return json_text(json.dumps(document, indent=2)) + "\n"


def _md(text: str) -> str:
    """A table cell's text: one line, no HTML, no cell break, no emphasis markers."""
    out = visible(text)
    for char, escaped in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;"), ("*", "\\*"), ("_", "\\_"), ("`", "'")):
        out = out.replace(char, escaped)
    return out


def _code(text: str) -> str:
    """``text`` as inline code (backticks cannot occur inside; | still ends a cell in GFM tables)."""
    return "`" + visible(text).replace("`", "'").replace("|", "\\|") + "`"


def _verdict(change: CellChange, after: bool) -> str:
    word = _md(change.after if after else change.before)
    return f"**{word}**" if after and (change.closes_call or change.opens_exposure) else word


def format_markdown(diff: Diff, options: FormatOptions) -> str:
    """A pull-request comment: a summary line, one collapsible section per kind of change."""
    marker = "&#x274C;" if diff.closed or diff.exposures or diff.new_findings else "&#x2705;"
    lines = [f"### {marker} svclint: {_md(summary(diff))}", ""]
    if diff.cells:
        lines += [
            f"<details open><summary>Connectivity changes ({len(diff.cells)})</summary>",
            "",
            "| source | Service port | before | after | because of |",
            "|---|---|---|---|---|",
        ]
        for change in diff.cells:
            causes = "<br>".join(f"{_md(c.what)} ({_code(f'{c.path}:{c.line}')})" for c in change.causes) or "-"
            if change.breaks_call:
                causes += "".join(f"<br>breaks the call {_md(c.origin)}: {_code(c.text)} ({_code(f'{c.path}:{c.line}')})" for c in change.calls)
            lines.append(
                f"| {_code(_source(change, diff))} | {_code(change.destination)} | {_verdict(change, False)} | {_verdict(change, True)} | {causes} |"
            )
        lines += ["", "</details>", ""]
    for title, findings, opened in (("New findings", diff.new_findings, True), ("Fixed findings", diff.fixed_findings, False)):
        if not findings:
            continue
        lines += [
            f"<details{' open' if opened else ''}><summary>{title} ({len(findings)})</summary>",
            "",
            "| rule | severity | where | message |",
            "|---|---|---|---|",
        ]
        for f in findings:
            where = _code(f"{f.location.path}:{f.location.line}")
            lines.append(f"| {f.rule_id} {_md(f.rule_name)} | {f.severity} | {where} | {_md(f.message)} |")
        lines += ["", "</details>", ""]
    lines.append(f"<sub>svclint {__version__}: {_code(f'svclint diff {diff.old} {diff.new}')}</sub>")
    return "\n".join(lines) + "\n"


def format_sarif_new(diff: Diff, options: FormatOptions) -> str:
    """SARIF of the new findings only: an upload shows what the change brings."""
    return format_sarif(diff.report, options)


FORMATS: dict[str, Callable[[Diff, FormatOptions], str]] = {
    "text": format_text,
    "json": format_json,
    "markdown": format_markdown,
    "sarif": format_sarif_new,
}
