"""--format junit: one testcase per (file, enabled rule), parsed back as CI servers do."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from svclint.report.junit import format_junit

from .conftest import REPO, run_cli
from .test_sarif import _CrashingRule, _lint_with


def junit(*args: str) -> ET.Element:
    run = run_cli("check", *args, "--format", "junit", "--fail-on", "never")
    assert run.exit_code == 0, run.stderr
    assert run.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')
    return ET.fromstring(run.stdout)


def test_failing_and_passing_testcases() -> None:
    root = junit("fixtures/rules/SVC202/bad.yaml", "fixtures/rules/SVC003/good.yaml", "--isolated")
    rules = [r["id"] for r in run_cli("rules", "--format", "json", "--isolated").json() if r["enabled_by_default"]]
    assert (root.get("name"), root.get("tests"), root.get("failures"), root.get("errors")) == ("svclint", str(2 * len(rules)), "1", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["fixtures/rules/SVC003/good.yaml", "fixtures/rules/SVC202/bad.yaml"]
    good, bad = suites
    assert [c.get("name").split()[0] for c in bad.findall("testcase")] == rules
    assert bad.get("failures") == "1" and good.get("failures") == "0"
    assert all(c.find("failure") is None for c in good.findall("testcase"))
    (failed,) = [c for c in bad.findall("testcase") if c.find("failure") is not None]
    assert (failed.get("name"), failed.get("classname"), failed.get("file")) == (
        "SVC202 nodeport-conflict", "fixtures/rules/SVC202/bad.yaml", "fixtures/rules/SVC202/bad.yaml")
    failure = failed.find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.get("message", "").startswith("1 finding: nodePort 30080 of Service default/metrics")
    assert failure.text == (
        "fixtures/rules/SVC202/bad.yaml:28:7: error: nodePort 30080 of Service default/metrics (port 9090/UDP) is "
        "already requested by Service default/admin (port 80/TCP); use a free port such as 30000\n"
        "    fixtures/rules/SVC202/bad.yaml:13:7: nodePort 30080 first requested by Service default/admin (port 80/TCP)"
    )


def test_several_findings_of_one_rule_share_a_testcase() -> None:
    root = junit("fixtures/rules/SVC101/bad.yaml", "fixtures/rules/SVC101/good.yaml", "--isolated")
    (case,) = [c for c in root.iter("testcase") if c.get("classname") == "fixtures/rules/SVC101/good.yaml" and c.find("failure") is not None]
    failure = case.find("failure")
    assert case.get("name") == "SVC003 duplicate-object"
    assert failure is not None and failure.get("message", "").startswith("2 findings: ")
    assert failure.get("type") == "warning"
    assert [line.split(": ")[0] for line in (failure.text or "").splitlines() if not line.startswith(" ")] == [
        "fixtures/rules/SVC101/good.yaml:4:3", "fixtures/rules/SVC101/good.yaml:15:3"]


def test_markup_and_control_characters_stay_valid_xml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "fixtures/rules/SVC101/bad.yaml").read_text(encoding="utf-8")
    text = text.replace("web-frontend", '"<a&b>\\"q\\"\\u0007]]>"')
    (tmp_path / "svc.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    root = junit("svc.yaml", "--isolated")
    failure = next(root.iter("failure"))
    # The engine escapes control characters in messages (terminal escapes from manifests).
    assert 'app=<a&b>"q"\\x07]]> matches no pod template' in (failure.text or "")
    assert 'app=<a&b>"q"\\x07]]> matches' in failure.get("message", "")


def test_empty_input_still_has_a_report() -> None:
    root = junit("fixtures/rules/SVC003/good.yaml", "--isolated")
    assert int(root.get("tests", "0")) > 0 and root.get("failures") == "0"


def test_rule_crash_is_a_testcase_error() -> None:
    root = ET.fromstring(format_junit(_lint_with(_CrashingRule)))
    assert root.get("errors") == "1"
    (suite,) = [s for s in root.findall("testsuite") if s.get("name") == "svclint"]
    error = suite.find("testcase/error")
    assert error is not None and error.get("message") == "rule crashed: RuntimeError: boom"
    assert "RuntimeError: boom" in (error.text or "")
