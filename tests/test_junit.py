"""--format junit: a suite per rule, a case per failing (rule, object), parsed back as CI servers do."""

from __future__ import annotations

import json
import subprocess
import sys
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


def test_one_suite_per_rule_with_a_case_per_failing_object() -> None:
    root = junit("fixtures/rules/SVC202/bad.yaml", "fixtures/rules/SVC003/good.yaml", "--isolated")
    rules = [(r["id"], r["name"]) for r in run_cli("rules", "--format", "json", "--isolated").json() if r["enabled_by_default"]]
    # one case per rule, plus the one failing object of SVC202; the rule's own case fails too
    assert (root.get("name"), root.get("tests"), root.get("failures"), root.get("errors")) == ("svclint", str(len(rules) + 1), "2", "0")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [f"{rid} {name}" for rid, name in rules]
    clean = [s for s in suites if s.get("name") != "SVC202 nodeport-conflict"]
    for suite in clean:
        (case,) = suite.findall("testcase")
        assert (case.get("name"), case.get("classname"), case.find("failure")) == (suite.get("name"), "svclint", None)
    (conflict,) = [s for s in suites if s.get("name") == "SVC202 nodeport-conflict"]
    assert (conflict.get("tests"), conflict.get("failures")) == ("2", "2")
    summary, failed = conflict.findall("testcase")
    assert (summary.get("name"), summary.get("classname")) == ("SVC202 nodeport-conflict", "svclint")
    assert summary.find("failure") is not None
    assert summary.find("failure").get("message") == "1 finding in 1 object of 1 file; each object is its own testcase"  # type: ignore[union-attr]
    assert (failed.get("name"), failed.get("classname"), failed.get("file")) == (
        "SVC202 Service default/metrics", "fixtures/rules/SVC202/bad.yaml", "fixtures/rules/SVC202/bad.yaml")
    failure = failed.find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert failure.get("message", "").startswith("1 finding: nodePort 30080 of Service default/metrics")
    assert failure.text == (
        "fixtures/rules/SVC202/bad.yaml:28:7: error: nodePort 30080 of Service default/metrics (port 9090/UDP) is "
        "already requested by Service default/admin (port 80/TCP); use a free port such as 30000\n"
        "    fixtures/rules/SVC202/bad.yaml:13:7: nodePort 30080 first requested by Service default/admin (port 80/TCP)"
    )


def test_each_object_is_its_own_case_and_names_hold_no_line() -> None:
    root = junit("fixtures/rules/SVC101/bad.yaml", "fixtures/rules/SVC101/good.yaml", "--isolated")
    (suite,) = [s for s in root.findall("testsuite") if s.get("name") == "SVC003 duplicate-object"]
    cases = [(c.get("name"), c.get("classname")) for c in suite.findall("testcase")]
    assert cases == [
        ("SVC003 duplicate-object", "svclint"),
        ("SVC003 Deployment default/web", "fixtures/rules/SVC101/good.yaml"),
        ("SVC003 Service default/web", "fixtures/rules/SVC101/good.yaml"),
    ]
    failure = suite.findall("testcase")[2].find("failure")
    assert failure is not None and failure.get("type") == "warning"
    assert (failure.text or "").splitlines()[0].startswith("fixtures/rules/SVC101/good.yaml:4:3: warning: Service default/web")


def test_moving_lines_keeps_every_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "fixtures/rules/SVC202/bad.yaml").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    Path("app.yaml").write_text(text, encoding="utf-8")
    before = {(c.get("classname"), c.get("name")) for c in junit("app.yaml", "--isolated").iter("testcase")}
    Path("app.yaml").write_text("# moved\n\n\n" + text, encoding="utf-8")
    after = junit("app.yaml", "--isolated")
    assert {(c.get("classname"), c.get("name")) for c in after.iter("testcase")} == before
    assert "app.yaml:31:7: error" in "".join(f.text or "" for f in after.iter("failure"))


def test_markup_and_control_characters_stay_valid_xml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "fixtures/rules/SVC101/bad.yaml").read_text(encoding="utf-8")
    text = text.replace("web-frontend", '"<a&b>\\"q\\"\\u0007]]>"')
    (tmp_path / "svc.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    root = junit("svc.yaml", "--isolated")
    failure = next(c.find("failure") for c in root.iter("testcase") if c.get("classname") == "svc.yaml")
    assert failure is not None
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


def test_a_large_tree_gives_one_case_per_failing_object(tmp_path: Path) -> None:
    """The benchmark tree: testcases are the rules plus the failing (rule, file, object)
    groups, never file x rule; 2,000 objects stay far under a fifth of the 5 MB bound the
    10k tree is held to (3.0 MB, 2,320 testcases measured, docs/outputs.md)."""
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "gen_corpus.py"), "--objects", "2000", "--out", str(tmp_path / "tree")],
                   check=True, capture_output=True)
    run = run_cli("check", str(tmp_path / "tree"), "--isolated", "--format", "junit", "--fail-on", "never")
    findings = run_cli("check", str(tmp_path / "tree"), "--isolated", "--format", "json", "--fail-on", "never").json()["findings"]
    root = ET.fromstring(run.stdout)
    groups = {(f["rule"], f["file"], json.dumps(f.get("object"), sort_keys=True)) for f in findings}
    rules = len(root.findall("testsuite"))
    assert int(root.get("tests", "0")) == sum(1 for _ in root.iter("testcase")) == rules + len(groups)
    assert len(run.stdout.encode()) < 1_000_000
