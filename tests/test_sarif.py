"""SARIF output: schema-valid and GitHub-ready for every fixture, exact for known findings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from svclint.api import lint_report
from svclint.findings import LintReport, Severity
from svclint.fingerprint import line_hashes
from svclint.lint.catalog import build_catalog
from svclint.lint.rule import Rule, RuleContext, Violation
from svclint.report.options import FormatOptions
from svclint.report.sarif import format_sarif
from svclint.settings import Settings

from .conftest import FIXTURES, REPO, run_cli
from .sarif_rules import github_problems, schema_errors


def _fixture_cases() -> list[tuple[str, list[str]]]:
    """(id, extra CLI args) for every fixture: rule cases, scenarios, examples."""
    cases: list[tuple[str, list[str]]] = []
    for case in sorted((FIXTURES / "rules").glob("*/*")):
        if not case.name.startswith(("bad", "good")):
            continue
        config = case.parent / "config.yaml"
        args = ["--config", str(config.relative_to(REPO))] if config.exists() else ["--isolated"]
        cases.append((str(case.relative_to(REPO)), [str(case.relative_to(REPO)), "--extend-select", case.parent.name, *args]))
    for group in ("scenarios", "examples"):
        for case in sorted((FIXTURES / group).glob("*")) if (FIXTURES / group).is_dir() else []:
            if case.name.startswith(".") or not (case.is_dir() or case.suffix in (".yaml", ".yml", ".json")):
                continue  # golden outputs; a .svclint_cache that an earlier run left beside a config
            configs = [case / name for name in ("config.yaml", ".svclint.yaml") if case.is_dir() and (case / name).exists()]
            args = ["--config", str(configs[0].relative_to(REPO))] if configs else ["--isolated"]
            cases.append((str(case.relative_to(REPO)), [str(case.relative_to(REPO)), *args]))
    cases.append(("fixtures (all rules)", ["fixtures", "--select", "ALL", "--isolated"]))
    return cases


CASES = _fixture_cases()


def sarif(*args: str, input: str | None = None) -> dict[str, Any]:
    run = run_cli("check", *args, "--format", "sarif", "--fail-on", "never", "--allow-empty", input=input)
    assert run.exit_code == 0, run.stderr
    return run.json()  # type: ignore[no-any-return]


def _results(log: dict[str, Any]) -> list[dict[str, Any]]:
    return log["runs"][0]["results"]  # type: ignore[no-any-return]


def _node_line_hash(uri: str, line: int) -> str | None:
    """The hash the upload action computes: the file's text as Node reads it (CRs kept).

    None for a file that is not UTF-8 text: svclint leaves the hash to the action then.
    """
    try:
        with open(REPO / uri, encoding="utf-8", newline="") as handle:
            text = handle.read()
    except (UnicodeDecodeError, IsADirectoryError):
        return None
    return line_hashes(text)[line] if text and "\0" not in text[:8192] else None


@pytest.mark.parametrize(("name", "args"), CASES, ids=[name for name, _ in CASES])
def test_fixture_sarif_is_schema_valid_and_github_ready(name: str, args: list[str]) -> None:
    log = sarif(*args)
    assert schema_errors(log) == []
    assert github_problems(log) == []
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    json_run = run_cli("check", *args, "--format", "json", "--fail-on", "never").json()
    assert len(_results(log)) == len(json_run["findings"])
    assert json_run["summary"]["rules"] == len(rules)
    for result, finding in zip(_results(log), json_run["findings"]):
        physical = result["locations"][0]["physicalLocation"]
        assert (result["ruleId"], result["level"]) == (finding["rule"], finding["severity"])
        assert physical["artifactLocation"]["uri"] == finding["file"]
        assert (physical["region"]["startLine"], physical["region"]["startColumn"]) == (finding["line"], finding["column"])
        fingerprint = result.get("partialFingerprints", {}).get("primaryLocationLineHash")
        assert fingerprint == _node_line_hash(finding["file"], finding["line"])


def test_result_points_at_the_offending_field_with_related_and_logical_locations() -> None:
    log = sarif("fixtures/rules/SVC202/bad.yaml", "--isolated")
    (result,) = _results(log)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "SVC202"
    assert result["level"] == "error"
    assert result["message"]["text"] == (
        "nodePort 30080 of Service default/metrics (port 9090/UDP) is already requested by Service "
        "default/admin (port 80/TCP); use a free port such as 30000 "
        "(see [nodePort 30080 first requested by Service default/admin (port 80/TCP)](1))"
    )
    assert result["locations"][0] == {
        "logicalLocations": [{"fullyQualifiedName": "Service/default/metrics", "kind": "Service", "name": "metrics"}],
        "physicalLocation": {
            "artifactLocation": {"uri": "fixtures/rules/SVC202/bad.yaml", "uriBaseId": "%SRCROOT%"},
            "region": {"startColumn": 7, "startLine": 28},
        },
    }
    assert result["relatedLocations"] == [
        {
            "id": 1,
            "message": {"text": "nodePort 30080 first requested by Service default/admin (port 80/TCP)"},
            "physicalLocation": {
                "artifactLocation": {"uri": "fixtures/rules/SVC202/bad.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startColumn": 7, "startLine": 13},
            },
        }
    ]
    lines = (REPO / "fixtures/rules/SVC202/bad.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[27].strip() == "nodePort: 30080  # expect: SVC202"
    assert result["partialFingerprints"] == {"primaryLocationLineHash": "b0d13eae10a3b2df:1"}


def test_driver_describes_every_enabled_rule_with_docs_and_link() -> None:
    log = sarif("fixtures/rules/SVC101/good.yaml", "--isolated", "--extend-select", "SVC101")
    driver = log["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["informationUri"]) == ("svclint", "https://github.com/svclint/svclint")
    assert driver["version"] == driver["semanticVersion"]
    expected = [r["id"] for r in run_cli("rules", "--format", "json", "--isolated").json() if r["enabled_by_default"]]
    assert [r["id"] for r in driver["rules"]] == expected
    svc101 = next(r for r in driver["rules"] if r["id"] == "SVC101")
    anchor = "https://github.com/svclint/svclint/blob/main/rules/README.md#svc101-service-selects-nothing"
    assert svc101["name"] == "service-selects-nothing"
    assert svc101["shortDescription"] == {"text": "A Service selector matches no pod template in its namespace"}
    assert svc101["fullDescription"]["text"].startswith("Reports a Service")
    assert svc101["helpUri"] == anchor
    assert svc101["help"]["markdown"].startswith("## What it does")
    assert svc101["help"]["markdown"].endswith(f"({anchor})")
    assert "## Use instead" in svc101["help"]["text"] and svc101["help"]["text"].endswith(anchor)
    assert svc101["defaultConfiguration"] == {"enabled": True, "level": "error"}
    assert svc101["properties"] == {"tags": ["services"], "precision": "high", "problem.severity": "error"}
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]
    assert _results(log) == []


def test_level_is_explicit_when_configured_below_the_rule_default(tmp_path: Path) -> None:
    config = tmp_path / "svclint.yaml"
    config.write_text("rules:\n  SVC202:\n    severity: warning\n", encoding="utf-8")
    log = sarif("fixtures/rules/SVC202/bad.yaml", "--config", str(config))
    (result,) = _results(log)
    rule = log["runs"][0]["tool"]["driver"]["rules"][result["ruleIndex"]]
    assert result["level"] == "warning"
    assert rule["defaultConfiguration"]["level"] == "error"
    assert log["runs"][0]["invocations"][0]["ruleConfigurationOverrides"] == [
        {"configuration": {"enabled": True, "level": "warning"}, "descriptor": {"id": "SVC202", "index": result["ruleIndex"]}}
    ]
    assert schema_errors(log) == [] and github_problems(log) == []


def test_sarif_root_makes_uris_relative_to_it() -> None:
    log = sarif("fixtures/rules/SVC202/bad.yaml", "--isolated", "--sarif-root", "fixtures")
    (result,) = _results(log)
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "rules/SVC202/bad.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "rules/SVC202/bad.yaml"


def test_file_outside_sarif_root_gets_an_absolute_file_uri() -> None:
    log = sarif("fixtures/rules/SVC202/bad.yaml", "--isolated", "--sarif-root", "fixtures/rules/SVC101")
    (result,) = _results(log)
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": (REPO / "fixtures/rules/SVC202/bad.yaml").as_uri()}
    assert schema_errors(log) == []


def test_paths_needing_percent_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "my apps"
    folder.mkdir()
    (folder / "svc#1.yaml").write_text((REPO / "fixtures/rules/SVC202/bad.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    log = sarif("my apps", "--isolated")
    (result,) = _results(log)
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20apps/svc%231.yaml"
    assert schema_errors(log) == [] and github_problems(log) == []


def test_no_automation_details_unless_a_category_is_given() -> None:
    assert "automationDetails" not in sarif("fixtures/rules/SVC202/bad.yaml", "--isolated")["runs"][0]
    log = sarif("fixtures/rules/SVC202/bad.yaml", "--isolated", "--sarif-category", "svclint-prod")
    assert log["runs"][0]["automationDetails"] == {"id": "svclint-prod/"}
    log = sarif("fixtures/rules/SVC202/bad.yaml", "--isolated", "--sarif-category", "k8s/nightly/")
    assert log["runs"][0]["automationDetails"] == {"id": "k8s/nightly/"}
    assert schema_errors(log) == []


def test_sarif_options_need_sarif_format() -> None:
    run = run_cli("check", "fixtures/rules/SVC202/bad.yaml", "--sarif-category", "x")
    assert run.exit_code == 2
    assert "--sarif-root and --sarif-category apply only to --format sarif" in run.stderr


def test_stdin_gets_a_stable_pseudo_uri_and_a_fingerprint() -> None:
    text = (REPO / "fixtures/rules/SVC202/bad.yaml").read_text(encoding="utf-8")
    first = sarif("-", "--isolated", input=text)
    assert first == sarif("-", "--isolated", input=text)
    (result,) = _results(first)
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "%3Cstdin%3E"}
    assert result["partialFingerprints"]["primaryLocationLineHash"] == line_hashes(text)[28]
    assert schema_errors(first) == []


def test_crlf_file_fingerprint_matches_the_upload_action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "fixtures/rules/SVC202/bad.yaml").read_text(encoding="utf-8")
    (tmp_path / "crlf.yaml").write_bytes(text.replace("\n", "\r\n").encode())
    monkeypatch.chdir(tmp_path)
    (result,) = _results(sarif("crlf.yaml", "--isolated"))
    # CRLF normalises to LF in the hash: the same line hashes as in the LF file.
    assert result["partialFingerprints"]["primaryLocationLineHash"] == "b0d13eae10a3b2df:1"


class _SecurityRule(Rule):
    """## What it does
    Test rule: reports every Service, tagged as a security rule.
    """

    id = "TST901"
    name = "test-security"
    summary = "Every Service, as a security finding"
    severity = Severity.WARNING
    tags = ("security", "services")
    origin = "plugin:test"

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for service in ctx.graph.of_kind("Service"):
            yield ctx.report("a Service", service, at="metadata.name")


class _CrashingRule(Rule):
    """## What it does
    Test rule that raises."""

    id = "TST902"
    name = "test-crash"
    summary = "Raises"
    severity = Severity.ERROR
    origin = "plugin:test"

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        raise RuntimeError("boom")


def _lint_with(*rules: type[Rule], path: str = "fixtures/rules/SVC202/bad.yaml") -> LintReport:
    catalog = build_catalog(plugins=False)
    for rule in rules:
        catalog.add(rule)
    settings = Settings(select=tuple(r.id for r in rules) + ("SVC202",))
    return lint_report([path], settings, catalog=catalog, cwd=str(REPO))


def test_security_rules_carry_a_string_security_severity() -> None:
    log = json.loads(format_sarif(_lint_with(_SecurityRule)))
    rule = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "TST901")
    assert rule["properties"]["security-severity"] == "5.0"
    assert "helpUri" not in rule  # a plugin rule is not in rules/README.md
    assert rule["help"]["text"] == "## What it does\nTest rule: reports every Service, tagged as a security rule."
    assert [r["ruleId"] for r in _results(log)].count("TST901") == 2
    assert schema_errors(log) == [] and github_problems(log) == []


def test_rule_crash_is_a_tool_execution_notification() -> None:
    log = json.loads(format_sarif(_lint_with(_CrashingRule)))
    invocation = log["runs"][0]["invocations"][0]
    index = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]].index("TST902")
    assert invocation == {
        "executionSuccessful": False,
        "toolExecutionNotifications": [
            {
                "message": {"text": "rule TST902 (test-crash) crashed: RuntimeError: boom"},
                "associatedRule": {"id": "TST902", "index": index},
                "level": "error",
            }
        ],
    }
    assert schema_errors(log) == []


def test_results_over_the_github_limit_keep_the_most_severe() -> None:
    result = _lint_with(_SecurityRule)
    assert [f.rule_id for f in result.findings] == ["TST901", "TST901", "SVC202"]
    log = json.loads(format_sarif(result, FormatOptions(sarif_max_results=1)))
    assert [r["ruleId"] for r in _results(log)] == ["SVC202"]
    (notification,) = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notification["message"]["text"] == (
        "2 less severe results left out: GitHub code scanning rejects more than 1 per run"
    )
    assert schema_errors(log) == []


def test_output_is_byte_identical_across_runs() -> None:
    # --no-cache: two computations (a cached second run would reprint the first)
    args = ("check", "fixtures", "--select", "ALL", "--isolated", "--format", "sarif", "--fail-on", "never", "--no-cache")
    assert run_cli(*args).stdout == run_cli(*args).stdout


def test_schema_copy_is_the_official_one() -> None:
    import hashlib

    data = (REPO / "tests/data/sarif-schema-2.1.0.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
    assert "OASIS" in (REPO / "tests/data/sarif-schema-2.1.0.NOTICE.md").read_text(encoding="utf-8")


def test_validators_catch_what_github_rejects() -> None:
    """The checks above can fail: a log broken the ways GitHub documents is caught."""
    log = sarif("fixtures/rules/SVC202/bad.yaml", "--isolated")
    run = log["runs"][0]
    result = run["results"][0]
    result["level"] = "warn"
    result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    result["ruleIndex"] = 0
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "/abs/file.yaml"
    run["tool"]["driver"]["rules"][0]["properties"]["security-severity"] = 7.5
    run["tool"]["driver"]["rules"][0]["shortDescription"]["text"] = ""
    run["automationDetails"] = {"id": "x/"}
    assert len(schema_errors(log)) == 2  # level enum, startLine minimum
    problems = "\n".join(github_problems(log))
    for expected in ("ruleIndex 0 does not name rule SVC202", "level must be explicit", "is not repository-relative",
                     "needs startLine >= 1", "security-severity must be a string", "shortDescription.text",
                     "automationDetails present"):
        assert expected in problems


def test_unreadable_files_leave_the_fingerprint_to_the_upload_action(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "binary.yaml").write_bytes(b"\x00\x01\x02")
    (tmp_path / "latin1.yaml").write_bytes(b"name: caf\xe9\n")
    (tmp_path / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    log = sarif(".", "--isolated")
    got = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r.get("partialFingerprints") for r in _results(log)}
    assert got == {
        "binary.yaml": None,
        "broken.yaml": {"primaryLocationLineHash": line_hashes("a: [\n")[1]},  # the last line, not past it
        "latin1.yaml": None,
    }
    assert schema_errors(log) == [] and github_problems(log) == []
