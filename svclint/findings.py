"""The data every layer shares: severities, locations, object references, findings, and
the plain-data report (rules, crashes, counts, input files) the formatters take.

This module imports nothing from svclint but ``escape`` (the one module below it), so the
loader, the Kubernetes model, the rules, the routing engine, the formatters and the CLI can
all speak of a finding without importing each other.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from svclint.escape import visible


class Severity(enum.IntEnum):
    NOTE = 1
    WARNING = 2
    ERROR = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or note)") from None


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based position in a file, as editors and SARIF count."""

    path: str
    line: int
    column: int = 1


@dataclass(frozen=True, order=True)
class ObjectRef:
    """``kind namespace/name`` identity used in messages, JSON and SARIF."""

    kind: str
    namespace: str | None
    name: str
    group: str = ""

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name}" if self.namespace else f"{self.kind} {self.name}"

    @property
    def qualified(self) -> str:
        """``ns/name[Kind]`` as netpol-analyzer prints workloads: the name the matrix, explain,
        calls and generated policies print, so it is kept on one line (``escape.visible``)."""
        prefix = f"{visible(self.namespace)}/" if self.namespace else ""
        return f"{prefix}{visible(self.name)}[{visible(self.kind)}]"


@dataclass(frozen=True)
class Fix:
    """A finding's did-you-mean as an edit: ``old`` written at ``location``, to become ``new``.

    Only the language server offers it (a code action); no report format writes it."""

    location: Location
    old: str
    new: str


@dataclass(frozen=True)
class Finding:
    """A stamped, located, reportable result."""

    rule_id: str
    rule_name: str
    severity: Severity
    message: str
    location: Location
    field_path: str = ""
    object: ObjectRef | None = None
    related: tuple[tuple[Location, str], ...] = ()
    units: tuple[str, ...] = ()  # the deployment units it was found in (runs of several units)
    fix: Fix | None = field(default=None, compare=False)  # the did-you-mean, for the language server

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.location.path,
            self.location.line,
            self.location.column,
            self.rule_id,
            self.message,
        )


@dataclass(frozen=True)
class RuleCrash:
    """A rule raised: reported naming the rule (exit 2), never as a bare traceback."""

    rule_id: str
    rule_name: str
    error: str
    traceback: str


@dataclass(frozen=True)
class RuleOptionInfo:
    """One option a rule declares, as `svclint rules -f json` lists it."""

    name: str
    type: str  # the Python type's name: "int", "str", ...
    default: Any
    help: str


@dataclass(frozen=True)
class RuleInfo:
    """What the formatters know of a rule: its metadata and documentation, as plain data.

    ``severity`` is the one the run uses (the config may change it); ``default_severity``
    is the rule's own. The lint layer fills in the documentation, the section SARIF uses as
    the full description, and the address of the rule in the published catalog.
    """

    id: str
    name: str
    summary: str
    severity: Severity
    default_severity: Severity
    enabled_by_default: bool = True
    origin: str = "builtin"
    tags: tuple[str, ...] = ()
    precision: str = "high"
    options: tuple[RuleOptionInfo, ...] = ()
    documentation: str = ""  # Markdown, ``## What it does`` ...
    description: str = ""  # the ``## What it does`` section on one line ("" when absent)
    help_uri: str | None = None  # None: not in rules/README.md (plugins, local rule files)


@dataclass(frozen=True)
class InputFile:
    """One loaded file as the formatters see it.

    ``text`` is the file's exact text when a finding is located in it (SARIF fingerprints
    its lines), else None: unread, unreadable, or not the file's bytes.
    """

    path: str  # the display path findings use
    stdin: bool = False
    text: str | None = None


@dataclass(frozen=True)
class LintReport:
    """Everything a formatter needs from a run, and nothing that needs the run."""

    findings: tuple[Finding, ...] = ()
    crashes: tuple[RuleCrash, ...] = ()
    rules: tuple[RuleInfo, ...] = ()  # the rules that ran, in catalog order
    inputs: tuple[InputFile, ...] = ()  # one per display path
    files: int = 0
    objects: int = 0
    skipped_documents: int = 0  # documents that are not Kubernetes objects
    suppressed: int = 0
    notes: tuple[str, ...] = ()  # said once on stderr (symlinks not followed), not findings

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)
