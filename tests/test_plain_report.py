"""The output side works on plain data: formatters take a hand-built LintReport, the report
is built from a run on the lint side, and command-line flags layer over the config there."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET

import pytest

from svclint.api import lint_paths, lint_report
from svclint.findings import Finding, InputFile, LintReport, Location, ObjectRef, RuleCrash, RuleInfo, Severity
from svclint.lint.catalog import build_catalog
from svclint.lint.config import ConfigError, Flags, apply_flags
from svclint.lint.preflight import SetupError, check_setup
from svclint.lint.report_data import build_report, rule_info
from svclint.report import FORMATTERS
from svclint.report.options import FormatOptions
from svclint.settings import Settings

from .sarif_rules import schema_errors

RULE = RuleInfo(
    id="TST001",
    name="test-rule",
    summary="A test rule",
    severity=Severity.WARNING,
    default_severity=Severity.ERROR,
    tags=("security",),
    documentation="## What it does\nTests.",
    description="Tests.",
)
FINDING = Finding(
    "TST001",
    "test-rule",
    Severity.WARNING,
    "something is off",
    Location("app.yaml", 2, 3),
    object=ObjectRef("Service", "default", "web"),
    related=((Location("<stdin>", 1, 1), "the other one"),),
)
REPORT = LintReport(
    findings=(FINDING,),
    crashes=(RuleCrash("TST002", "test-crash", "RuntimeError: boom", "Traceback ..."),),
    rules=(RULE,),
    inputs=(InputFile("app.yaml", text="a: 1\nb: 2\n"), InputFile("<stdin>", stdin=True)),
    files=2,
    objects=1,
    suppressed=1,
)


@pytest.mark.parametrize("fmt", sorted(FORMATTERS))
def test_every_formatter_takes_plain_data(fmt: str) -> None:
    text = FORMATTERS[fmt](REPORT, FormatOptions(cwd=os.getcwd()))
    assert "something is off" in text
    if fmt in ("json", "sarif"):
        json.loads(text)
    elif fmt == "junit":
        ET.fromstring(text)


def test_sarif_from_plain_data() -> None:
    log = json.loads(FORMATTERS["sarif"](REPORT, FormatOptions(sarif_category="lint")))
    run = log["runs"][0]
    (rule,) = run["tool"]["driver"]["rules"]
    assert rule["fullDescription"] == {"text": "Tests."} and "helpUri" not in rule
    assert rule["defaultConfiguration"]["level"] == "error"
    assert rule["properties"]["security-severity"] == "7.5"  # from the rule's own severity
    (override,) = run["invocations"][0]["ruleConfigurationOverrides"]
    assert override["configuration"]["level"] == "warning"
    (result,) = run["results"]
    assert result["partialFingerprints"]["primaryLocationLineHash"].endswith(":1")
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "%3Cstdin%3E"}
    assert run["automationDetails"] == {"id": "lint/"}
    assert schema_errors(log) == []


def test_junit_has_a_suite_per_rule_and_a_case_per_failing_object() -> None:
    root = ET.fromstring(FORMATTERS["junit"](REPORT, FormatOptions()))
    assert [s.get("name") for s in root.findall("testsuite")] == ["TST001 test-rule", "svclint"]
    cases = [(c.get("classname"), c.get("name")) for c in root.iter("testcase")]
    assert cases == [("svclint", "TST001 test-rule"), ("app.yaml", "TST001 Service default/web"), ("svclint", "TST002 test-crash")]


def test_the_report_carries_what_the_run_found() -> None:
    settings = Settings(select=("ALL",))
    result = lint_paths(["fixtures/rules/SVC202/bad.yaml"], settings)
    report = build_report(result)
    assert report.findings == tuple(result.findings) and report.suppressed == result.suppressed
    assert [r.id for r in report.rules] == [a.rule.id for a in result.active]
    assert (report.files, report.objects) == (result.load.files, len(result.load.objects))
    (source,) = report.inputs
    assert source.path == "fixtures/rules/SVC202/bad.yaml" and not source.stdin
    with open(source.path, encoding="utf-8") as handle:
        assert source.text == handle.read()  # the file holds findings: SARIF hashes its lines
    assert lint_report(["fixtures/rules/SVC202/bad.yaml"], settings) == report


def test_a_file_without_findings_is_listed_without_its_text() -> None:
    report = lint_report(["fixtures/rules/SVC202/good.yaml"], Settings(select=("SVC202",)))
    assert report.findings == () and report.inputs == (InputFile("fixtures/rules/SVC202/good.yaml"),)


def test_rule_info_documents_builtin_rules_in_the_catalog() -> None:
    catalog = build_catalog(plugins=False)
    rule = catalog.get("SVC202")
    assert rule is not None
    info = rule_info(rule, Severity.NOTE)
    assert (info.severity, info.default_severity) == (Severity.NOTE, rule.severity)
    assert info.help_uri == "https://github.com/svclint/svclint/blob/main/rules/README.md#svc202-nodeport-conflict"
    assert info.documentation == rule.documentation() and info.description
    assert info.description in " ".join(info.documentation.split())



def test_formats_that_show_no_documentation_get_a_report_without_it() -> None:
    """Only SARIF shows rule documentation; the others skip reading every rule's examples."""
    settings = Settings(select=("SVC202",))
    bare = lint_report(["fixtures/rules/SVC202/bad.yaml"], settings, documentation=False)
    full = lint_report(["fixtures/rules/SVC202/bad.yaml"], settings)
    assert [(r.documentation, r.description) for r in bare.rules] == [("", "")]
    assert full.rules[0].documentation.startswith("## What it does")
    for fmt in ("text", "json", "github", "junit"):
        assert FORMATTERS[fmt](bare, FormatOptions()) == FORMATTERS[fmt](full, FormatOptions())

def test_flags_layer_over_the_config() -> None:
    config = Settings(select=("SVC1",), extend_select=("SVC004",), ignore=("SVC101",), rule_dirs=("/rules",))
    settings = apply_flags(
        config,
        Flags(extend_select=("SVC2",), extend_ignore=("SVC102",), fail_on="never", kube_version="v1.30", rules_dir=("more",)),
    )
    assert settings.select == ("SVC1",) and settings.extend_select == ("SVC004", "SVC2")
    assert settings.ignore == ("SVC101", "SVC102") and settings.fail_on is None
    assert settings.kube_version == "1.30" and settings.rule_dirs == ("/rules", os.path.abspath("more"))
    assert apply_flags(config, Flags(ignore=("SVC3",), extend_ignore=("SVC4",))).ignore == ("SVC3", "SVC4")
    assert apply_flags(config, Flags()) == config


def test_a_bad_flag_is_a_config_error_naming_it() -> None:
    with pytest.raises(ConfigError, match="^--node-port-range: "):
        apply_flags(Settings(), Flags(node_port_range="9-1"))


def test_svc004_without_usable_schemas_is_a_setup_error() -> None:
    catalog = build_catalog(plugins=False)
    check_setup(catalog, Settings())  # SVC004 is off by default: nothing to check
    with pytest.raises(SetupError):
        check_setup(catalog, Settings(select=("SVC004",), kube_version="0.1"))
