"""Run the enabled rules over the graph: decide, stamp, locate, suppress, sort.

Which rules run, with which severity and options, is ``selection``'s decision; how the work
is spread over processes is ``parallel``'s. Rules marked ``after_suppression`` run last, with
a context that tells which suppressions were used.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from svclint.findings import Finding, Fix, RuleCrash, Severity
from svclint.kube.graph import ManifestGraph
from svclint.kube.model import K8sObject
from svclint.kube.objects import LoadResult
from svclint.lint.catalog import Catalog
from svclint.lint.perobject import check_keeping
from svclint.lint.replay import Keeper
from svclint.lint.rule import RuleContext, Violation
from svclint.lint.selection import ActiveRule, decide
from svclint.lint.suppress import SuppressionContext, Suppressions
from svclint.loading.positions import save_positions
from svclint.parallel import fork_split, jobs_for_checking
from svclint.settings import Settings

__all__ = ["ActiveRule", "LintResult", "RuleCrash", "decide", "run"]


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
        severity=min(active.severity, Severity.NOTE) if violation.uncertain else active.severity,
        message=_bounded(violation.message),
        location=location,
        field_path=violation.field_path,
        object=obj.ref if obj is not None else None,
        related=related,
        fix=_fix(violation),
    )


def _fix(violation: Violation) -> Fix | None:
    """Where the did-you-mean's text is: the key of a field, or its value."""
    fix, obj = violation.fix, violation.obj
    if fix is None or obj is None:
        return None
    location = obj.location(fix.at) if fix.key else obj.value_location(fix.at)
    return Fix(location, fix.old, fix.new)


Outcome: TypeAlias = "list[tuple[Finding, K8sObject | None]] | RuleCrash"


def _outside(violation: Violation, focus: frozenset[str]) -> bool:
    """A violation at a plain object of a file outside the focus: not worth locating."""
    obj = violation.obj
    if violation.location is not None or obj is None or obj.attribution is not None or obj.source.segments:
        return False
    return obj.source.path not in focus


def _check_one(entry: ActiveRule, ctx: RuleContext) -> Outcome:
    """Run one rule and locate its findings; a rule that raises becomes a RuleCrash."""
    try:
        violations = list(entry.rule().check(ctx))
        if ctx.focus is not None:
            focus = ctx.focus
            violations = [v for v in violations if not _outside(v, focus)]
        return [(_finding(entry, v), v.obj) for v in violations]
    except Exception as error:  # noqa: BLE001 - reported as a crash naming the rule
        return RuleCrash(entry.rule.id, entry.rule.name, f"{type(error).__name__}: {error}", traceback.format_exc())


def _check_all(
    entries: list[ActiveRule], graph: ManifestGraph, load: LoadResult, settings: Settings, focus: frozenset[str] | None = None
) -> list[Outcome]:
    """Every rule's outcome, in rule order, on two cores when the input is large.

    Rules only read the graph, so a forked process runs the second half of the rules (whole
    families stay together, and with them the models they share, such as SVC4xx's routing
    model) and locates their findings, while this process does the first half. Findings
    come back as plain data, each finding's object as its index in the load; the result is
    the same as with one process.
    """

    def check(entry: ActiveRule) -> Outcome:
        return _check_one(entry, RuleContext(graph, load, settings, entry.options, focus))

    def encode(outcomes: list[Outcome]) -> list[Any]:  # in the child
        save_positions(load.sources)  # what the child located, for the next run (loading.positions)
        position = {id(obj): i for i, obj in enumerate(load.objects)}
        # An object outside the load cannot carry a suppression annotation: None is the same.
        return [
            outcome
            if isinstance(outcome, RuleCrash)
            else [(finding, position.get(id(obj)) if obj is not None else None) for finding, obj in outcome]
            for outcome in outcomes
        ]

    def decode(returned: list[Any]) -> list[Outcome]:
        return [
            outcome
            if isinstance(outcome, RuleCrash)
            else [(finding, load.objects[i] if i is not None else None) for finding, i in outcome]
            for outcome in returned
        ]

    jobs = jobs_for_checking(settings.jobs, len(load.objects))
    return fork_split(entries, check, jobs, encode, decode)


TEMPLATE_RULE = "SVC005"


def _in_template(finding: Finding, templates: dict[str, list[tuple[int, int]]]) -> bool:
    """The finding is in a template document, or rests on one (a related location in it):
    what a template's placeholders will be is unknown, so the finding cannot be trusted."""
    for location in (finding.location, *(related for related, _ in finding.related)):
        if any(first <= location.line <= last for first, last in templates.get(location.path, ())):
            return True
    return False


def run(
    load: LoadResult,
    catalog: Catalog,
    settings: Settings,
    report_only: Iterable[str] | None = None,
    prepare: Callable[[ManifestGraph], object] | None = None,
    focus: frozenset[str] | None = None,
    graph: ManifestGraph | None = None,
    keeper: Keeper | None = None,
) -> LintResult:
    """Check everything loaded; ``report_only`` limits findings to those display paths.

    ``prepare`` runs on the graph before the rules, so what it caches on the graph (``svclint
    diff``: the routing model) is built once, and the forked half of the rules inherits it.

    ``focus`` (display paths) asks only for the findings located in those files (the language
    server's edited file): rules may skip the subjects elsewhere (``RuleContext.focused``) while
    reading the whole graph; ``graph`` is the load's graph when the caller built it already.

    ``keeper`` (``lint.replay``) takes the rules' findings for the next cached run and gives
    back those of files a change cannot reach."""
    if graph is None:
        graph = ManifestGraph(load.objects, settings.pod_sources)
    if prepare is not None:
        prepare(graph)
    active = decide(catalog, settings)
    suppressions = Suppressions.collect(load.objects, load.comments)
    findings: list[Finding] = []
    crashes: list[RuleCrash] = []
    suppressed = 0
    checked = [entry for entry in active if not entry.rule.after_suppression]
    # A focused run (the language server) checks its own few files: no per-object record.
    outcomes = (
        _check_all(checked, graph, load, settings, focus)
        if focus is not None
        else check_keeping(checked, graph, load, settings, catalog, _check_all if keeper is None else keeper.around(_check_all))
    )
    for outcome in outcomes:
        if isinstance(outcome, RuleCrash):
            crashes.append(outcome)
            continue
        for finding, obj in outcome:
            if suppressions.silences(finding.rule_id, finding.rule_name, finding.location.path, finding.location.line, obj):
                suppressed += 1
            else:
                findings.append(finding)
    rules = tuple(catalog)
    enabled_ids = frozenset(entry.rule.id for entry in active)
    all_rules_ran = not crashes
    for entry in active:
        if entry.rule.after_suppression:
            ctx = SuppressionContext(
                graph,
                load,
                settings,
                entry.options,
                suppressions=suppressions,
                rules=rules,
                enabled_ids=enabled_ids,
                all_rules_ran=all_rules_ran,
                focus=focus,
            )
            outcome = _check_one(entry, ctx)
            if isinstance(outcome, RuleCrash):
                crashes.append(outcome)
            else:
                findings.extend(finding for finding, _ in outcome)
    if load.templates:  # a template document gets SVC005 only (loading.templates)
        findings = [f for f in findings if f.rule_id == TEMPLATE_RULE or not _in_template(f, load.templates)]
    for only in (report_only, focus):
        if only is not None:
            keep = set(only)
            findings = [f for f in findings if f.location.path in keep]
    findings.sort(key=Finding.sort_key)
    save_positions(load.sources)
    return LintResult(findings, load, graph, active, catalog, crashes, suppressed)
