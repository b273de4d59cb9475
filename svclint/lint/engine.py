"""Run the enabled rules over the graph: decide, stamp, locate, suppress, sort.

Which rules run, with which severity and options, is ``selection``'s decision. Rules marked
``after_suppression`` run last, with a context that tells which suppressions were used.
"""

from __future__ import annotations

import os
import pickle
import re
import sys
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from svclint.findings import Finding, Severity
from svclint.kube.graph import ManifestGraph
from svclint.kube.objects import LoadResult
from svclint.lint.catalog import Catalog
from svclint.lint.rule import RuleContext, Violation
from svclint.lint.selection import ActiveRule, decide
from svclint.lint.suppress import SuppressionContext, Suppressions
from svclint.settings import Settings

__all__ = ["ActiveRule", "LintResult", "RuleCrash", "decide", "run"]


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


Outcome = "list[tuple[Finding, K8sObject | None]] | RuleCrash"
PARALLEL_MIN_OBJECTS = 2000  # below this, forking costs more than the rules


def _check_one(entry: ActiveRule, ctx: RuleContext) -> Outcome:
    """Run one rule and locate its findings; a rule that raises becomes a RuleCrash."""
    try:
        violations = list(entry.rule().check(ctx))
        return [(_finding(entry, v), v.obj) for v in violations]
    except Exception as error:  # noqa: BLE001 - reported as a crash naming the rule
        return RuleCrash(entry.rule.id, entry.rule.name, f"{type(error).__name__}: {error}", traceback.format_exc())


def _check_share(
    entries: list[ActiveRule], indexes: list[int], graph: ManifestGraph, load: LoadResult, settings: Settings
) -> bytes:
    """Outcomes of some rules as a pickle, each finding's object sent as its index in the load."""
    position = {id(obj): i for i, obj in enumerate(load.objects)}
    out: list[Any] = []
    for index in indexes:
        outcome = _check_one(entries[index], RuleContext(graph, load, settings, entries[index].options))
        if not isinstance(outcome, RuleCrash):
            # An object outside the load cannot carry a suppression annotation: None is the same.
            outcome = [(finding, position.get(id(obj)) if obj is not None else None) for finding, obj in outcome]
        out.append(outcome)
    return pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)


def _check_all(entries: list[ActiveRule], graph: ManifestGraph, load: LoadResult, settings: Settings) -> list[Outcome]:
    """Every rule's outcome, in rule order, on two cores when the input is large.

    Rules only read the graph, so a forked process runs the second half of the rules (whole
    families stay together, and with them the models they share, such as SVC4xx's routing
    model) and locates their findings, while this process does the first half. Findings
    come back as plain data; the result is the same as with one process.
    """
    jobs = settings.jobs
    if jobs == 0:
        jobs = 2 if len(load.objects) >= PARALLEL_MIN_OBJECTS and (os.cpu_count() or 1) > 1 else 1
    if jobs <= 1 or len(entries) < 2 or sys.platform == "win32":
        return [_check_one(entry, RuleContext(graph, load, settings, entry.options)) for entry in entries]
    half = len(entries) // 2
    theirs = list(range(half, len(entries)))
    returned: list[Any] | None = None
    try:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)

        def work() -> None:  # runs in the forked child, which sees this process's graph
            try:
                payload = _check_share(entries, theirs, graph, load, settings)
            except Exception:  # noqa: BLE001 - e.g. a finding that does not pickle: redone here
                payload = b""
            send.send_bytes(payload)
            send.close()

        sys.stdout.flush()
        sys.stderr.flush()
        process = context.Process(target=work, daemon=True)
        process.start()
        send.close()
    except (OSError, RuntimeError):  # no fork: everything here
        return [_check_one(entry, RuleContext(graph, load, settings, entry.options)) for entry in entries]
    mine = [_check_one(entry, RuleContext(graph, load, settings, entry.options)) for entry in entries[:half]]
    try:
        payload = receive.recv_bytes()
        returned = pickle.loads(payload) if payload else None  # noqa: S301 - our own child
    except (EOFError, OSError):  # the child died
        returned = None
    finally:
        receive.close()
        process.join()
    if returned is None:
        return mine + [_check_one(entries[i], RuleContext(graph, load, settings, entries[i].options)) for i in theirs]
    rebuilt: list[Outcome] = []
    for outcome in returned:
        if not isinstance(outcome, RuleCrash):
            outcome = [(finding, load.objects[i] if i is not None else None) for finding, i in outcome]
        rebuilt.append(outcome)
    return mine + rebuilt


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
    checked = [entry for entry in active if not entry.rule.after_suppression]
    for outcome in _check_all(checked, graph, load, settings):
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
                graph, load, settings, entry.options, suppressions, rules, enabled_ids, all_rules_ran
            )
            outcome = _check_one(entry, ctx)
            if isinstance(outcome, RuleCrash):
                crashes.append(outcome)
            else:
                findings.extend(finding for finding, _ in outcome)
    if report_only is not None:
        keep = set(report_only)
        findings = [f for f in findings if f.location.path in keep]
    findings.sort(key=Finding.sort_key)
    return LintResult(findings, load, graph, active, catalog, crashes, suppressed)
