"""JUnit XML for CI test reports (GitLab ``artifacts:reports:junit``, Jenkins ``junit``).

One testsuite per enabled rule. In it, one testcase for the rule itself, and one per
(rule, file, object) that has findings. CI servers track a test across pipelines by its
classname and name, so neither holds a line number: a problem stays the same "test" when
lines move. The rule's own testcase always exists; it passes when the rule found nothing
and fails with a count otherwise, so a rule whose problems are all fixed shows as fixed.
A testcase per (file, rule), the old layout, gave 313k testcases and 73 MB on a 10k-object
tree, over GitLab's limits; per failing object it is one case per problem a person fixes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from svclint.escape import visible
from svclint.findings import Finding, LintReport, ObjectRef, RuleInfo
from svclint.report.options import DEFAULT_OPTIONS, FormatOptions

# Characters XML 1.0 cannot carry even escaped (U+FFFE/F; the C0 controls are made visible).
_NOT_XML = re.compile("[\ufffe\uffff]")

# A group of findings a CI server shows as one test: the rule, the file, the object (or none).
_GroupKey = tuple[str, ObjectRef | None]


def _xml_text(text: str) -> str:
    """Each line made visible (svclint.escape): XML 1.0 cannot carry most C0 controls, and
    CI pages show this text; the line breaks between lines are kept."""
    return _NOT_XML.sub("\ufffd", "\n".join(visible(line) for line in text.split("\n")))


def _finding_text(finding: Finding) -> str:
    loc = finding.location
    lines = [f"{visible(loc.path)}:{loc.line}:{loc.column}: {finding.severity}: {visible(finding.message)}"]
    lines.extend(f"    {visible(r.path)}:{r.line}:{r.column}: {visible(message)}" for r, message in finding.related)
    return "\n".join(lines)


def _element(parent: ET.Element | None, tag: str, **attributes: str | int) -> ET.Element:
    values = {key: _NOT_XML.sub("\ufffd", visible(str(value))) for key, value in attributes.items()}
    return ET.Element(tag, values) if parent is None else ET.SubElement(parent, tag, values)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def _fail(case: ET.Element, findings: list[Finding], summary: str) -> None:
    failure = _element(case, "failure", message=summary, type=str(max(f.severity for f in findings)))
    failure.text = _xml_text("\n".join(_finding_text(f) for f in findings))


def _sort_key(key: _GroupKey) -> tuple[str, tuple[str, str, str, str]]:
    path, ref = key
    return path, ("", "", "", "") if ref is None else (ref.kind, ref.namespace or "", ref.name, ref.group)


def _rule_suite(root: ET.Element, rule: RuleInfo, findings: list[Finding]) -> int:
    """The rule's testsuite; returns how many of its testcases fail."""
    title = f"{rule.id} {rule.name}"
    groups: dict[_GroupKey, list[Finding]] = defaultdict(list)
    for finding in findings:
        groups[(finding.location.path, finding.object)].append(finding)
    suite = _element(root, "testsuite", name=title, tests=len(groups) + 1, failures=0, errors=0, skipped=0, time="0")
    case = _element(suite, "testcase", name=title, classname="svclint", time="0")
    failures = 0
    if findings:
        failures += 1
        files = len({path for path, _ in groups})
        detail = f"{_plural(len(findings), 'finding')} in {_plural(len(groups), 'object')} of {_plural(files, 'file')}"
        failure = _element(case, "failure", message=f"{detail}; each object is its own testcase", type=str(max(f.severity for f in findings)))
        failure.text = _xml_text(detail)
    for key in sorted(groups, key=_sort_key):
        path, ref = key
        group = groups[key]
        name = f"{rule.id} {ref}" if ref is not None else f"{rule.id} {path}"
        case = _element(suite, "testcase", name=name, classname=path, file=path, time="0")
        summary = f"{_plural(len(group), 'finding')}: {group[0].message}"
        _fail(case, group, summary)
        failures += 1
    suite.set("failures", str(failures))
    return failures


def format_junit(report: LintReport, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        by_rule[finding.rule_id].append(finding)
    root = _element(None, "testsuites", name="svclint", tests=0, failures=0, errors=0, time="0")
    total = failed = 0
    for rule in report.rules:
        findings = by_rule.get(rule.id, [])
        failed += _rule_suite(root, rule, findings)
        total += 1 + len({(f.location.path, f.object) for f in findings})
    if report.crashes:
        suite = _element(root, "testsuite", name="svclint", tests=len(report.crashes), failures=0, errors=len(report.crashes), skipped=0, time="0")
        for crash in report.crashes:
            case = _element(suite, "testcase", name=f"{crash.rule_id} {crash.rule_name}", classname="svclint", time="0")
            error = _element(case, "error", message=f"rule crashed: {crash.error}", type="crash")
            error.text = _xml_text(crash.traceback)
        total += len(report.crashes)
    root.set("tests", str(total))
    root.set("failures", str(failed))
    root.set("errors", str(len(report.crashes)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
