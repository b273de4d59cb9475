"""Known findings: the baseline file of ``check --baseline`` and the matching ``svclint diff`` uses.

A finding is matched by its rule, file, object and the text from its line on, as SARIF's
``primaryLocationLineHash`` hashes it (``svclint.fingerprint``: the next 100 characters,
spaces ignored) without the ``:n`` that numbers repeated hashes: moving lines, editing lines
elsewhere in the file or adding an identical block above keeps the match. A finding on an
object that moved to another file (a file split or renamed) is matched by rule, object and
message when nothing matches in its file. Several findings with one key are
matched as a multiset, in report order. A finding whose file text is unknown (stdin,
rendered output) is keyed by its field path instead of its line.

The file is JSON, one entry per line, sorted, so a review sees which findings were added to
or dropped from it; messages are written for the reader and never matched.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from svclint.findings import Finding, LintReport
from svclint.fingerprint import hash_from, line_starts

BASELINE_VERSION = 1


class BaselineError(ValueError):
    """An unreadable or malformed baseline file: a usage error naming the file."""


@dataclass(frozen=True, order=True)
class Key:
    """What two runs must share for a finding to be the same one."""

    path: str
    rule: str
    object: str
    fingerprint: str


@dataclass(frozen=True, order=True)
class Entry:
    key: Key
    message: str = ""  # for the reader of the file


@dataclass(frozen=True)
class Matched:
    """One report against a baseline: which findings are new, which entries were fixed."""

    new: tuple[Finding, ...]
    unchanged: tuple[Finding, ...]
    fixed: tuple[Entry, ...]


def finding_keys(report: LintReport) -> list[Key]:
    """The key of each finding of ``report``, in its order (one window hashed per finding)."""
    texts = {i.path: i.text for i in report.inputs if i.text is not None}
    starts: dict[str, list[int]] = {}
    keys = []
    for finding in report.findings:
        path = finding.location.path
        text = texts.get(path)
        fingerprint = f"field:{finding.field_path or finding.message}"
        if text is not None:
            if path not in starts:
                starts[path] = line_starts(text)
            line = finding.location.line
            if 1 <= line <= len(starts[path]):
                fingerprint = hash_from(text, starts[path][line - 1])
        obj = str(finding.object) if finding.object is not None else ""
        keys.append(Key(path, finding.rule_id, obj, fingerprint))
    return keys


def entries_of(report: LintReport, keys: Sequence[Key] | None = None) -> list[Entry]:
    """The baseline entries of every finding in ``report`` (whose ``finding_keys`` may be given), sorted."""
    keys = finding_keys(report) if keys is None else keys
    return sorted(Entry(key, f.message) for key, f in zip(keys, report.findings))


def match(report: LintReport, known: Sequence[Entry], keys: Sequence[Key] | None = None) -> Matched:
    """Split ``report``'s findings into new and unchanged against ``known``; the rest of ``known`` is fixed."""
    left = Counter(entry.key for entry in known)
    unmatched: list[tuple[Key, Finding]] = []
    unchanged = []
    for key, finding in zip(finding_keys(report) if keys is None else keys, report.findings):
        if left[key] > 0:
            left[key] -= 1
            unchanged.append(finding)
        else:
            unmatched.append((key, finding))
    leftover = []  # entries pass one did not match
    for entry in sorted(known, key=lambda e: (e.key, e.message)):
        if left[entry.key] > 0:
            left[entry.key] -= 1
            leftover.append(entry)
    # Second pass: an object moved to another file (a file split or renamed) keeps its
    # findings, matched by rule, object and message (the line hash reads past the object's end).
    spare = Counter(_anywhere(e.key, e.message) for e in leftover if e.key.object)
    moved: Counter[tuple[str, str, str]] = Counter()
    new = []
    for key, finding in unmatched:
        wide = _anywhere(key, finding.message)
        if key.object and spare[wide] > 0:
            spare[wide] -= 1
            moved[wide] += 1
            unchanged.append(finding)
        else:
            new.append(finding)
    fixed = []
    for entry in leftover:
        wide = _anywhere(entry.key, entry.message)
        if entry.key.object and moved[wide] > 0:
            moved[wide] -= 1
        else:
            fixed.append(entry)
    unchanged.sort(key=lambda f: f.sort_key())
    return Matched(tuple(new), tuple(unchanged), tuple(fixed))


def _anywhere(key: Key, message: str) -> tuple[str, str, str]:
    """A finding wherever its object now lives: rule, object, message."""
    return (key.rule, key.object, message)


def apply(report: LintReport, known: Sequence[Entry], path: str) -> LintReport:
    """``report`` with only the findings ``known`` does not hold, and a note of what it left out."""
    matched = match(report, known)
    notes = list(report.notes)
    if matched.unchanged:
        count = len(matched.unchanged)
        notes.append(f"{count} finding{'s' if count != 1 else ''} recorded in the baseline {path} not reported")
    for entry in matched.fixed:
        notes.append(
            f"fixed since the baseline {path}: {entry.key.rule} in {entry.key.path}"
            f"{' (' + entry.key.object + ')' if entry.key.object else ''}; --write-baseline drops it"
        )
    return replace(report, findings=matched.new, notes=tuple(notes))


def dumps(entries: Sequence[Entry]) -> str:
    """The file's text: small, sorted, one entry per line."""
    lines = [
        json.dumps(
            {"rule": e.key.rule, "path": e.key.path, "object": e.key.object, "fingerprint": e.key.fingerprint, "message": e.message},
            ensure_ascii=False,
        )
        for e in sorted(entries, key=lambda e: (e.key, e.message))
    ]
    body = ",\n".join(f"    {line}" for line in lines)
    return f'{{\n  "version": {BASELINE_VERSION},\n  "findings": [\n{body}{chr(10) if lines else ""}  ]\n}}\n'


def loads(text: str, path: str) -> list[Entry]:
    """Entries of a baseline file's text; BaselineError names the file and what is wrong."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(f"{path}:{error.lineno}: not a baseline file: {error.msg}") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a baseline file (expected version {BASELINE_VERSION} and a findings list; write one with --write-baseline)")
    entries = []
    for index, item in enumerate(data["findings"]):
        fields = ("rule", "path", "object", "fingerprint")
        if not isinstance(item, dict) or not all(isinstance(item.get(f), str) for f in fields):
            raise BaselineError(f"{path}: findings[{index}] needs the strings {', '.join(fields)}")
        message = item.get("message", "")
        key = Key(item["path"], item["rule"], item["object"], item["fingerprint"])
        entries.append(Entry(key, message if isinstance(message, str) else ""))
    return entries


def read(path: str) -> list[Entry]:
    """The entries of the baseline file ``path``."""
    if not os.path.isfile(path):
        raise BaselineError(f"{path}: no such baseline file (write one with `svclint check --write-baseline {path}`)")
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"{path}: cannot read the baseline: {error}") from None
    return loads(text, path)
