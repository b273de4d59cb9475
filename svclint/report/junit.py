"""JUnit XML for CI test reports (GitLab ``artifacts:reports:junit``, Jenkins ``junit``).

One testsuite per file, one testcase per (file, enabled rule): the testcase fails, with
every finding of that rule in that file in the failure text, or passes. GitLab and Jenkins
track a test across pipelines by its classname and name, so keying on (file, rule) rather
than on a finding's line keeps a problem the same "test" when lines move, and shows it as
fixed when it goes away. Passing testcases keep the report from being empty (GitLab hides
an empty report) and show what was checked.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from svclint.findings import Finding, LintReport
from svclint.report.escape import visible
from svclint.report.options import DEFAULT_OPTIONS, FormatOptions

# Characters XML 1.0 cannot carry even escaped (U+FFFE/F; the C0 controls are made visible).
_NOT_XML = re.compile("[\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """Each line made visible (report.escape): XML 1.0 cannot carry most C0 controls, and
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


def format_junit(report: LintReport, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    by_file: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for finding in report.findings:
        by_file[finding.location.path][finding.rule_id].append(finding)
    paths = sorted({file.path for file in report.inputs} | set(by_file))
    root = _element(None, "testsuites", name="svclint", tests=0, failures=0, errors=0, time="0")
    total = failed = 0
    for path in paths:
        suite = _element(root, "testsuite", name=path, tests=len(report.rules), failures=0, errors=0, skipped=0, time="0")
        suite_failures = 0
        for rule in report.rules:
            case = _element(suite, "testcase", name=f"{rule.id} {rule.name}", classname=path, file=path, time="0")
            findings = by_file[path].get(rule.id, [])
            if findings:
                suite_failures += 1
                first = findings[0]
                summary = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}: {first.message}"
                failure = _element(case, "failure", message=summary, type=str(max(f.severity for f in findings)))
                failure.text = _xml_text("\n".join(_finding_text(f) for f in findings))
        suite.set("failures", str(suite_failures))
        total += len(report.rules)
        failed += suite_failures
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
