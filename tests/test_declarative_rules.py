"""Declarative rules: the built-in rule files, user rule directories, and bad rule files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from svclint.lint.catalog import build_catalog
from svclint.lint.declarative import SchemaRule, builtin_rules_dir, load_rule_dirs, load_rule_file

from .conftest import REPO, run_cli

RULE_FILES = sorted((REPO / "rules").glob("*.yaml"))
DECLARATIVE = load_rule_dirs([])
META_SCHEMA = json.loads((REPO / "svclint" / "schemas" / "rule.schema.json").read_text())
DOC = REPO / "docs" / "declarative-rules.md"


def test_builtin_rule_files_are_svc214_and_svc215_and_in_the_catalog() -> None:
    assert [p.name for p in RULE_FILES] == [
        "SVC214-service-exposed-externally.yaml",
        "SVC215-loadbalancer-open-to-world.yaml",
    ]
    assert builtin_rules_dir() == REPO / "rules"
    catalog = build_catalog(plugins=False)
    for rule in DECLARATIVE:
        assert catalog.get(rule.id) is rule
        assert issubclass(rule, SchemaRule)
        assert rule.origin == f"rules/{rule.id}-{rule.name}.yaml"


@pytest.mark.parametrize("path", RULE_FILES, ids=[p.stem for p in RULE_FILES])
def test_rule_file_is_valid_and_named_after_its_id(path: Path) -> None:
    """Runs load the built-in files without checking them (``validate=False``): this does."""
    data = yaml.safe_load(path.read_text())
    jsonschema.Draft202012Validator(META_SCHEMA).validate(data)
    assert path.name == f"{data['id']}-{data['name']}.yaml"
    checked = load_rule_file(path, f"rules/{path.name}", validate=True)  # every check a user's rule file gets
    assert issubclass(checked, SchemaRule) and checked.id == data["id"]


def test_rules_command_lists_and_explains_declarative_rules() -> None:
    listing = run_cli("rules", "--isolated")
    assert re.search(r"^SVC214  service-exposed-externally +note ", listing.stdout, re.M)
    assert "(off by default)" in listing.stdout.split("SVC214")[1].splitlines()[0]
    assert re.search(r"^SVC215  loadbalancer-open-to-world +warning  A LoadBalancer", listing.stdout, re.M)
    page = run_cli("rules", "SVC215", "--isolated")
    assert page.exit_code == 0
    assert page.stdout.startswith("# SVC215 loadbalancer-open-to-world\n")
    assert "## What it does" in page.stdout and "\n  type: LoadBalancer\n" in page.stdout
    as_json = run_cli("rules", "loadbalancer-open-to-world", "--isolated", "-f", "json").json()
    assert as_json[0]["origin"] == "rules/SVC215-loadbalancer-open-to-world.yaml"


def test_off_by_default_rule_is_enabled_only_by_name() -> None:
    bad = "fixtures/rules/SVC214/bad.yaml"
    assert run_cli("check", bad, "--isolated", "-f", "json", "--fail-on", "never").json()["findings"] == []
    assert run_cli("check", bad, "--isolated", "-f", "json", "--select", "SVC2").json()["findings"] == []
    named = run_cli("check", bad, "--isolated", "-f", "json", "--extend-select", "service-exposed-externally")
    assert [(f["rule"], f["line"], f["severity"]) for f in named.json()["findings"]] == [("SVC214", 8, "note")]


def test_declarative_rule_obeys_config_severity_ignore_and_suppressions(tmp_path: Path) -> None:
    config = tmp_path / "svclint.yaml"
    config.write_text("rules:\n  SVC215: {severity: error}\n")
    bad = "fixtures/rules/SVC215/bad.yaml"
    run = run_cli("check", bad, "--config", str(config), "-f", "json")
    assert run.exit_code == 1
    assert [(f["rule"], f["severity"]) for f in run.json()["findings"]] == [("SVC215", "error")]
    ignored = run_cli("check", bad, "--isolated", "-f", "json", "--ignore", "loadbalancer-open-to-world")
    assert ignored.json()["findings"] == []
    manifest = tmp_path / "svc.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n"
        "    svclint.io/ignore: SVC101,SVC215\nspec:\n  type: LoadBalancer\n  selector:\n    app: web\n"
        "  ports:\n    - port: 5432\n"
    )
    quiet = run_cli("check", str(manifest), "--isolated", "-f", "json").json()
    assert quiet["findings"] == [] and quiet["summary"]["suppressed"] == 2


def _doc_files() -> tuple[dict[str, str], str, list[str]]:
    """The documented rule and manifest (by their first-line path comment), output and command."""
    text = DOC.read_text(encoding="utf-8")
    files = {}
    for block in re.findall(r"```yaml\n(# (\S+)\n.*?)```", text, re.S):
        content, path = block
        if path.endswith(".yaml") and "/" in path:
            files[path] = content
    output = re.search(r"```text\n(.*?)```", text, re.S)
    command = re.search(r"```console\n\$ svclint (.*?)\n```", text, re.S)
    assert output and command
    return files, output.group(1), command.group(1).split()


def test_documented_user_rule_example_runs_exactly_as_documented(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files, output, args = _doc_files()
    assert set(files) == {"policy/svclint-rules/ORG001-service-owner-label.yaml", "deploy/services.yaml"}
    for relative, content in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = run_cli(*args, "--isolated")
    assert run.exit_code == 0, run.stderr
    assert run.stdout == output
    # The same directory through the config's rule-dirs.
    (tmp_path / ".svclint.yaml").write_text("rule-dirs: [policy/svclint-rules]\nselect: [ORG001]\n")
    assert run_cli("check", "deploy/").stdout == output
    assert re.search(r"^ORG001  service-owner-label +warning  Every Service names", run_cli("rules").stdout, re.M)


BAD_RULES = [
    ("bad-yaml", "id: ORG001\nname: [unclosed\n", 3, "invalid YAML"),
    ("no-schema", "id: ORG001\nname: x\nsummary: S\nseverity: note\nmatch: {kinds: [Service]}\ndocumentation: |\n  ## What it does\n  x\n  ## Why is this bad?\n  y\n", 1, "'schema' is a required property"),
    ("bad-severity", "id: ORG001\nname: x\nsummary: S\nseverity: warn\nmatch: {kinds: [Service]}\nschema: {}\ndocumentation: |\n  ## What it does\n  x\n  ## Why is this bad?\n  y\n", 4, "severity: 'warn' is not one of"),
    ("bad-schema", "id: ORG001\nname: x\nsummary: S\nseverity: note\nmatch: {kinds: [Service]}\nschema:\n  type: object\n  properties:\n    spec:\n      type: objekt\ndocumentation: |\n  ## What it does\n  x\n  ## Why is this bad?\n  y\n", 10, "schema.properties.spec.type: not a valid JSON Schema"),
    ("bad-placeholder", "id: ORG001\nname: x\nsummary: S\nseverity: note\nmatch: {kinds: [Service]}\nmessage: '{obj} is bad'\nschema: {}\ndocumentation: |\n  ## What it does\n  x\n  ## Why is this bad?\n  y\n", 6, "message: unknown placeholder {obj}"),
    ("no-docs-section", "id: ORG001\nname: x\nsummary: S\nseverity: note\nmatch: {kinds: [Service]}\nschema: {}\ndocumentation: just text\n", 7, "documentation:"),
    ("taken-id", "id: SVC215\nname: mine\nsummary: S\nseverity: note\nmatch: {kinds: [Service]}\nschema: {}\ndocumentation: |\n  ## What it does\n  x\n  ## Why is this bad?\n  y\n", None, "rule id SVC215 is defined twice"),
]


@pytest.mark.parametrize(("name", "text", "line", "expected"), BAD_RULES, ids=[b[0] for b in BAD_RULES])
def test_bad_rule_file_is_a_clear_error_naming_file_and_line(tmp_path: Path, name: str, text: str, line: int | None, expected: str) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / f"{name}.yaml").write_text(text)
    for command in (["check", "fixtures/rules/SVC215/good.yaml"], ["rules"]):
        run = run_cli(*command, "--isolated", "--rules-dir", str(folder))
        assert run.exit_code == 2
        assert run.stdout == ""
        assert run.stderr.startswith("svclint: error: ")
        assert expected in run.stderr, run.stderr
        assert "Traceback" not in run.stderr
        if line is not None:
            assert f"{folder / (name + '.yaml')}:{line}: " in run.stderr


def test_missing_rule_directory_is_an_error(tmp_path: Path) -> None:
    run = run_cli("rules", "--isolated", "--rules-dir", str(tmp_path / "nope"))
    assert run.exit_code == 2
    assert "does not exist" in run.stderr


def test_finding_points_at_the_failing_list_item_inside_a_list_document(tmp_path: Path) -> None:
    manifest = tmp_path / "list.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Service\n    metadata:\n"
        "      name: web\n      annotations:\n        svclint.io/ignore: SVC101\n    spec:\n"
        "      type: LoadBalancer\n      loadBalancerSourceRanges:\n        - 10.0.0.0/8\n        - ::/0\n"
        "      selector:\n        app: web\n      ports:\n        - port: 443\n"
    )
    findings = run_cli("check", str(manifest), "--isolated", "-f", "json").json()["findings"]
    assert [(f["rule"], f["line"], f["column"], f["field"]) for f in findings] == [
        ("SVC215", 14, 11, "spec.loadBalancerSourceRanges[1]")
    ]
