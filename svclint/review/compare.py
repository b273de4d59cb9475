"""``svclint diff`` as data: the changed cells, the findings new, fixed and unchanged, and whether it fails."""

from __future__ import annotations

from dataclasses import dataclass, replace

from svclint.api import Review
from svclint.findings import Finding, LintReport, Severity
from svclint.lint.baseline import entries_of, finding_keys, match
from svclint.review.connectivity import CellChange, connectivity_changes
from svclint.settings import Settings


@dataclass(frozen=True)
class Diff:
    """What a change does. ``old``/``new`` are the sides as the user named them."""

    old: str
    new: str
    cells: tuple[CellChange, ...]
    new_findings: tuple[Finding, ...]
    fixed_findings: tuple[Finding, ...]  # as they were located on the old side
    unchanged_findings: int
    report: LintReport  # the new side's report, holding only the new findings (SARIF, crashes)
    several_units: bool = False

    @property
    def exposures(self) -> int:
        return sum(1 for c in self.cells if c.opens_exposure)

    @property
    def closed(self) -> int:
        return sum(1 for c in self.cells if c.closes_call)

    @property
    def broken_calls(self) -> int:
        """Closed cells the app's own containers call (``svclint calls``): calls the change breaks."""
        return sum(1 for c in self.cells if c.breaks_call)

    @property
    def empty(self) -> bool:
        return not (self.cells or self.new_findings or self.fixed_findings)


@dataclass(frozen=True)
class FailWhen:
    """Which changes make ``diff`` exit 1 (each one a flag)."""

    exposure: bool = True
    closed: bool = True
    severity: Severity | None = Severity.ERROR  # new findings at or above it; None: never


def compare(old_label: str, new_label: str, old: Review, new: Review, settings: Settings) -> Diff:
    """Both sides' findings matched by fingerprint (``lint.baseline``) and their matrices compared."""
    old_keys, new_keys = finding_keys(old.report), finding_keys(new.report)
    forward = match(new.report, entries_of(old.report, old_keys), new_keys)
    backward = match(old.report, entries_of(new.report, new_keys), old_keys)
    cells = connectivity_changes(old.units, new.units, settings)
    return Diff(
        old_label,
        new_label,
        tuple(cells),
        forward.new,
        backward.new,
        len(forward.unchanged),
        replace(new.report, findings=forward.new, crashes=tuple({c.rule_id: c for c in old.report.crashes + new.report.crashes}.values())),
        several_units=len(old.units) > 1 or len(new.units) > 1,
    )


def fails(diff: Diff, when: FailWhen) -> bool:
    if when.exposure and diff.exposures:
        return True
    if when.closed and diff.closed:
        return True
    return when.severity is not None and any(f.severity >= when.severity for f in diff.new_findings)
