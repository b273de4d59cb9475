"""Run the enabled rules over the graph: decide, stamp, locate, suppress, sort.

Selection follows flake8: ``select`` (or the rules enabled by default) and ``ignore`` take
ids, prefixes and names; when a rule matches both, the longer (more specific) entry wins;
``rules: {ID: off|on}`` in the config has the last word. A rule that is off by default is
turned on only by naming it (its id, its name, or ``ALL``), never by a prefix.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass, field
from typing import Any, Iterable

from .graph import ManifestGraph
from .loader import LoadResult
from .registry import Catalog
from .rule import Finding, Related, Rule, RuleContext, Severity, Violation
from .settings import Settings
from .suppress import Suppressions

UNUSED_SUPPRESSION_ID = "SVC007"


@dataclass(frozen=True)
class ActiveRule:
    rule: type[Rule]
    severity: Severity
    options: dict[str, Any]


@dataclass(frozen=True)
class RuleCrash:
    """A rule raised: reported naming the rule (exit 2), never as a bare traceback."""

    rule_id: str
    rule_name: str
    error: str
    traceback: str


@dataclass
class LintResult:
    findings: list[Finding]
    load: LoadResult
    graph: ManifestGraph
    active: list[ActiveRule]
    catalog: Catalog
    crashes: list[RuleCrash] = field(default_factory=list)
    suppressed: int = 0

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


def _specificity(entry: str, rule: type[Rule]) -> int | None:
    """How specifically a select/ignore entry names ``rule`` (None: not at all)."""
    if entry.upper() == "ALL":
        return 0
    if entry == rule.name or entry.upper() == rule.id:
        return 100
    if rule.id.startswith(entry.upper()):
        return len(entry)
    return None


def decide(catalog: Catalog, settings: Settings) -> list[ActiveRule]:
    """The rules that run, each with its severity and options."""
    active = []
    for rule in catalog:
        best_select = 0 if settings.select is None and rule.enabled_by_default else -1
        for entry_text in (settings.select or ()) + settings.extend_select:
            spec = _specificity(entry_text, rule)
            if spec is None or (not rule.enabled_by_default and spec not in (0, 100)):
                continue
            best_select = max(best_select, spec)
        best_ignore = max((_specificity(s, rule) or 0 for s in settings.ignore if _specificity(s, rule) is not None), default=-1)
        enabled = best_select >= 0 and best_select > best_ignore
        entry = settings.rule_config.get(rule.id) or settings.rule_config.get(rule.name) or {}
        if "enabled" in entry:
            enabled = bool(entry["enabled"])
        if not enabled:
            continue
        severity = Severity.parse(entry["severity"]) if "severity" in entry else rule.severity
        options = rule.default_options()
        options.update({k: v for k, v in entry.items() if k not in ("severity", "enabled")})
        active.append(ActiveRule(rule, severity, options))
    return active


MAX_MESSAGE_CHARS = 1000
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _bounded(message: str) -> str:
    """Messages quote values from the input: a 10 MB label value must not make a 10 MB
    report line, and a name with terminal escapes ("\\e]0;...") must not reach a terminal."""
    if _CONTROL.search(message):
        message = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", message)
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return f"{message[:MAX_MESSAGE_CHARS]}... [message of {len(message)} characters shortened]"


def _finding(active: ActiveRule, violation: Violation) -> Finding:
    obj = violation.obj
    if violation.location is not None:
        location = violation.location
    elif obj is not None:
        location = obj.location(violation.at)
    else:
        raise ValueError(f"{active.rule.id} yielded a violation without object or location")
    related = tuple((r.resolve(), _bounded(r.message)) for r in violation.related)
    return Finding(
        rule_id=active.rule.id,
        rule_name=active.rule.name,
        severity=active.severity,
        message=_bounded(violation.message),
        location=location,
        field_path=violation.field_path,
        object=obj.ref if obj is not None else None,
        related=related,
    )


def run(
    load: LoadResult,
    catalog: Catalog,
    settings: Settings,
    report_only: Iterable[str] | None = None,
) -> LintResult:
    """Check everything loaded; ``report_only`` limits findings to those display paths."""
    graph = ManifestGraph(load.objects)
    active = decide(catalog, settings)
    suppressions = Suppressions.collect(load.objects, load.comments)
    findings: list[Finding] = []
    crashes: list[RuleCrash] = []
    suppressed = 0
    for entry in active:
        if entry.rule.id == UNUSED_SUPPRESSION_ID:
            continue
        ctx = RuleContext(graph, load, settings, entry.options)
        try:
            violations = list(entry.rule().check(ctx))
            stamped = [_finding(entry, v) for v in violations]
        except Exception as error:  # noqa: BLE001 - reported as a crash naming the rule
            crashes.append(
                RuleCrash(entry.rule.id, entry.rule.name, f"{type(error).__name__}: {error}", traceback.format_exc())
            )
            continue
        for violation, finding in zip(violations, stamped):
            if suppressions.silences(finding.rule_id, finding.rule_name, finding.location.path, finding.location.line, violation.obj):
                suppressed += 1
            else:
                findings.append(finding)
    unused_rule = next((a for a in active if a.rule.id == UNUSED_SUPPRESSION_ID), None)
    if unused_rule is not None and not crashes:
        enabled = {a.rule.id for a in active}
        for suppression in suppressions.unused(catalog, enabled):
            names = ", ".join(suppression.names)
            kind = "annotation" if suppression.obj is not None else "comment"
            unknown = [n for n in suppression.names if n.lower() != "all" and not catalog.matching(n)]
            detail = f"names no rule ({', '.join(unknown)})" if unknown else "suppresses nothing here"
            violation = Violation(
                f"svclint ignore {kind} [{names}] {detail}; remove it",
                suppression.obj,
                location=suppression.location,
            )
            findings.append(_finding(unused_rule, violation))
    if report_only is not None:
        keep = set(report_only)
        findings = [f for f in findings if f.location.path in keep]
    findings.sort(key=Finding.sort_key)
    return LintResult(findings, load, graph, active, catalog, crashes, suppressed)
