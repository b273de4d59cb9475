"""The data every layer shares: severities, locations, object references and findings.

This module imports nothing from svclint, so the loader, the Kubernetes model, the rules,
the routing engine, the formatters and the CLI can all speak of a finding without
importing each other.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


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
        """``ns/name[Kind]`` as netpol-analyzer prints workloads."""
        prefix = f"{self.namespace}/" if self.namespace else ""
        return f"{prefix}{self.name}[{self.kind}]"


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

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.location.path,
            self.location.line,
            self.location.column,
            self.rule_id,
            self.message,
        )
