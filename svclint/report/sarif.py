"""SARIF 2.1.0 for GitHub code scanning (and any other SARIF reader).

One run. ``tool.driver.rules`` lists every enabled rule with its documentation; each result
names its rule by id and index, carries an explicit level, a repository-relative URI, the
line and column of the offending field, the other objects of a cross-object finding as
``relatedLocations``, the object as a ``logicalLocation`` and GitHub's
``primaryLocationLineHash`` (see ``fingerprint``). The rules GitHub applies on ingestion
(``reference/sarif-github.md``) are kept here: non-empty texts, at most 1024 characters per
description, 10 tags, 25,000 results. No ``automationDetails`` unless a category is given,
so the upload action's ``category:`` input keeps working.

Suppressed findings are not written as SARIF ``suppressions``: the engine drops them and
only counts them, and a suppression comment in a manifest is a decision already reviewed
in the pull request that added it.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any
from urllib.parse import quote

import sarif_om as om  # no stubs (ignored in pyproject.toml); objects checked by schema tests

from svclint import HOMEPAGE, __version__
from svclint.escape import json_text
from svclint.findings import Finding, InputFile, LintReport, Location, RuleInfo, Severity
from svclint.fingerprint import line_hashes
from svclint.report.indented_json import dumps_indented
from svclint.report.options import DEFAULT_OPTIONS, FormatOptions
from svclint.report.sarif_json import to_sarif

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = HOMEPAGE
SRCROOT = "%SRCROOT%"

# GitHub's limits ("SARIF support for code scanning"); over them an upload is rejected or cut.
MAX_TEXT = 1024  # shortDescription / fullDescription
MAX_NAME = 255
MAX_TAGS = 10  # 20 accepted, 10 shown
MAX_RELATED = 100

PROBLEM_SEVERITY = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "recommendation"}
# GitHub: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low. Only for rules tagged "security".
SECURITY_SEVERITY = {Severity.ERROR: "7.5", Severity.WARNING: "5.0", Severity.NOTE: "2.0"}


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _descriptor(rule: RuleInfo) -> om.ReportingDescriptor:
    help_uri = rule.help_uri
    body = rule.documentation or rule.summary
    link_md = f"\n\n[{rule.id} {rule.name} in the svclint rule catalog]({help_uri})" if help_uri else ""
    link_text = f"\n\nDocumentation: {help_uri}" if help_uri else ""
    tags = list(dict.fromkeys(rule.tags))[:MAX_TAGS]
    properties: dict[str, Any] = {
        "tags": tags,
        "precision": rule.precision,
        "problem.severity": PROBLEM_SEVERITY[rule.default_severity],
    }
    if "security" in tags:
        properties["security-severity"] = SECURITY_SEVERITY[rule.default_severity]
    return om.ReportingDescriptor(
        id=rule.id,
        name=_clip(rule.name, MAX_NAME),
        short_description=om.MultiformatMessageString(text=_clip(rule.summary, MAX_TEXT)),
        full_description=om.MultiformatMessageString(text=_clip(rule.description or rule.summary, MAX_TEXT)),
        help=om.MultiformatMessageString(text=body + link_text, markdown=body + link_md),
        help_uri=help_uri,
        default_configuration=om.ReportingConfiguration(level=str(rule.default_severity)),
        properties=properties,
    )


class _Artifacts:
    """URIs and line hashes of the input files, each file hashed at most once."""

    def __init__(self, inputs: tuple[InputFile, ...], options: FormatOptions) -> None:
        self._texts = {file.path: file.text for file in inputs if file.text}
        self._stdin = {file.path for file in inputs if file.stdin}
        self._options = options
        self._hashes: dict[str, dict[int, str]] = {}

    def location(self, path: str) -> om.ArtifactLocation:
        if path in self._stdin:  # "%3Cstdin%3E": stable, and never the name of a repository file
            return om.ArtifactLocation(uri=quote(path))
        options = self._options
        absolute = path if PurePath(path).is_absolute() else None
        if options.sarif_root is not None and options.cwd is not None:
            absolute = absolute or os.path.join(options.cwd, path)
            relative = os.path.relpath(absolute, options.sarif_root).replace(os.sep, "/")
            if relative != ".." and not relative.startswith("../"):
                return om.ArtifactLocation(uri=quote(relative), uri_base_id=SRCROOT)
        if absolute is not None:
            return om.ArtifactLocation(uri=PurePath(absolute).as_uri())
        return om.ArtifactLocation(uri=quote(posixpath.normpath(path)), uri_base_id=SRCROOT)

    def line_hash(self, location: Location) -> str | None:
        """None when the text is unknown (an unreadable file): the upload action then hashes
        the file itself, instead of keeping a value computed from nothing."""
        text = self._texts.get(location.path)
        if text is None:
            return None
        hashes = self._hashes.get(location.path)
        if hashes is None:
            hashes = self._hashes[location.path] = line_hashes(text)
        return hashes.get(location.line)

    def physical(self, location: Location) -> om.PhysicalLocation:
        return om.PhysicalLocation(
            artifact_location=self.location(location.path),
            region=om.Region(start_line=max(1, location.line), start_column=max(1, location.column)),
        )


def _escape_brackets(text: str) -> str:
    """SARIF §3.11.6: literal brackets are escaped where a message holds embedded links."""
    return re.sub(r"([\\\[\]])", r"\\\1", text)


def _message(finding: Finding) -> str:
    """The finding's message; related places become embedded links GitHub renders."""
    related = finding.related[:MAX_RELATED]
    if not related:
        return finding.message
    links = ", ".join(f"[{_escape_brackets(message)}]({number})" for number, (_, message) in enumerate(related, 1))
    return f"{_escape_brackets(finding.message)} (see {links})"


def _logical_location(finding: Finding) -> list[om.LogicalLocation] | None:
    obj = finding.object
    if obj is None:
        return None
    qualified = "/".join(part for part in (obj.kind, obj.namespace, obj.name) if part)
    return [om.LogicalLocation(name=obj.name, fully_qualified_name=qualified, kind=obj.kind)]


def _result(finding: Finding, rule_index: dict[str, int], artifacts: _Artifacts) -> om.Result:
    related = [
        om.Location(id=number, message=om.Message(text=message), physical_location=artifacts.physical(location))
        for number, (location, message) in enumerate(finding.related[:MAX_RELATED], 1)
    ]
    line_hash = artifacts.line_hash(finding.location)
    return om.Result(
        rule_id=finding.rule_id,
        rule_index=rule_index.get(finding.rule_id, -1),
        level=str(finding.severity),
        message=om.Message(text=_message(finding)),
        locations=[
            om.Location(
                physical_location=artifacts.physical(finding.location),
                logical_locations=_logical_location(finding),
            )
        ],
        related_locations=related or None,
        partial_fingerprints={"primaryLocationLineHash": line_hash} if line_hash else None,
        properties={"units": list(finding.units)} if finding.units else None,  # runs of several units
    )


def _kept(findings: Sequence[Finding], limit: int) -> tuple[Sequence[Finding], int]:
    """The ``limit`` most severe findings in their original order, and how many were cut."""
    if len(findings) <= limit:
        return findings, 0
    ranked = sorted(range(len(findings)), key=lambda i: (-findings[i].severity, i))[:limit]
    return [findings[i] for i in sorted(ranked)], len(findings) - limit


def _invocation(report: LintReport, rule_index: dict[str, int], omitted: int, limit: int) -> om.Invocation:
    notifications = [
        om.Notification(
            level="error",
            message=om.Message(text=f"rule {crash.rule_id} ({crash.rule_name}) crashed: {crash.error}"),
            associated_rule=om.ReportingDescriptorReference(id=crash.rule_id, index=rule_index.get(crash.rule_id, -1)),
        )
        for crash in report.crashes
    ]
    if omitted:
        notifications.append(
            om.Notification(
                level="warning",
                message=om.Message(
                    text=f"{omitted} less severe results left out: GitHub code scanning rejects more than {limit} per run"
                ),
            )
        )
    overrides = [
        om.ConfigurationOverride(
            configuration=om.ReportingConfiguration(level=str(rule.severity)),
            descriptor=om.ReportingDescriptorReference(id=rule.id, index=rule_index[rule.id]),
        )
        for rule in report.rules
        if rule.severity != rule.default_severity
    ]
    return om.Invocation(
        execution_successful=not report.crashes,
        tool_execution_notifications=notifications or None,
        rule_configuration_overrides=overrides or None,
    )


def build_sarif_log(report: LintReport, options: FormatOptions = DEFAULT_OPTIONS) -> om.SarifLog:
    rule_index = {rule.id: i for i, rule in enumerate(report.rules)}
    artifacts = _Artifacts(report.inputs, options)
    findings, omitted = _kept(report.findings, options.sarif_max_results)
    driver = om.ToolComponent(
        name="svclint",
        version=__version__,
        semantic_version=__version__,
        information_uri=INFORMATION_URI,
        rules=[_descriptor(rule) for rule in report.rules],
    )
    category = options.sarif_category
    run = om.Run(
        tool=om.Tool(driver=driver),
        results=[_result(f, rule_index, artifacts) for f in findings],
        invocations=[_invocation(report, rule_index, omitted, options.sarif_max_results)],
        column_kind="unicodeCodePoints",
        original_uri_base_ids={
            SRCROOT: om.ArtifactLocation(
                description=om.Message(text="The repository root: the directory svclint ran in, or --sarif-root.")
            )
        },
        automation_details=om.RunAutomationDetails(id=category if category.endswith("/") else f"{category}/")
        if category
        else None,
    )
    return om.SarifLog(version="2.1.0", schema_uri=SCHEMA_URI, runs=[run])


def format_sarif(report: LintReport, options: FormatOptions = DEFAULT_OPTIONS) -> str:
    document = to_sarif(build_sarif_log(report, options))
    ordered = {"$schema": document.pop("$schema"), "version": document.pop("version"), **document}
    return json_text(dumps_indented(ordered, ensure_ascii=False)) + "\n"
