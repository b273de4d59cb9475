"""Issue 16: a repository's rule files are attacker input. No network, no local files, no
hang, no blow-up: each attack is a clear rule-file error naming file and line (exit 2), or
runs in bounded time with the findings intact."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .conftest import run_cli
from .listener import listening

SERVICE = (
    "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  labels:\n    team: {team}\n"
    "spec:\n  selector:\n    app: web\n  ports:\n    - port: 80\n"
)


def rule_file(schema: str, pattern_id: str = "SVC901") -> str:
    return (
        f"id: {pattern_id}\nname: team-label\nsummary: The team label is well formed\nseverity: warning\n"
        "match:\n  kinds: [Service]\ndocumentation: |\n  ## What it does\n  Checks the team label.\n\n  ## Why is this bad?\n  Paging.\n"
        f"message: team label {{value}} is not allowed\nschema:\n{schema}"
    )


def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, schema: str, team: str = "blue") -> Path:
    """A checked-out pull request: config with rule-dirs, a rule file, one manifest."""
    (tmp_path / ".svclint.yaml").write_text("rule-dirs: [rules]\n")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "team.yaml").write_text(rule_file(schema))
    (tmp_path / "svc.yaml").write_text(SERVICE.format(team=team))
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("scheme", ["http", "file"])
def test_schema_ref_outside_the_rule_file_is_refused_and_nothing_is_fetched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scheme: str
) -> None:
    secret = tmp_path.parent / f"{tmp_path.name}-secret.json"
    secret.write_text('{"enum": ["SECRET-VALUE-FROM-DISK"]}')
    with listening() as listener:
        target = f"{listener.url}/schema.json" if scheme == "http" else secret.as_uri()
        schema = f"  properties:\n    metadata:\n      $ref: \"{target}\"\n"
        repository(tmp_path, monkeypatch, schema)
        started = time.monotonic()
        run = run_cli("check", "svc.yaml")
        assert time.monotonic() - started < 20
        assert listener.connections() == 0
    assert run.exit_code == 2
    assert run.stderr == (
        f"svclint: error: rules/team.yaml:17: schema.properties.metadata.$ref: '{target}' points outside the "
        "rule file; svclint resolves only references inside it (\"#/$defs/...\") and never fetches or reads another schema\n"
    )
    assert "SECRET-VALUE" not in run.stdout + run.stderr


def test_references_inside_the_rule_file_still_work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = (
        "  $defs:\n    team: {enum: [red, green]}\n"
        "  properties:\n    metadata:\n      properties:\n        labels:\n          properties:\n"
        "            team: {$ref: \"#/$defs/team\"}\n"
    )
    repository(tmp_path, monkeypatch, schema)
    run = run_cli("check", "svc.yaml", "--ignore", "SVC101", "-f", "json")
    assert [(f["rule"], f["line"], f["message"]) for f in run.json()["findings"]] == [
        ("SVC901", 6, "team label \"blue\" is not allowed")
    ]
    assert run.exit_code == 0  # a warning


def test_catastrophic_pattern_runs_in_linear_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``^(a+)+$`` against 33 ``a`` and a ``b`` takes Python's re minutes; RE2 microseconds."""
    schema = (
        "  properties:\n    metadata:\n      properties:\n        labels:\n          properties:\n"
        "            team: {pattern: \"^(a+)+$\"}\n"
    )
    repository(tmp_path, monkeypatch, schema, team="a" * 33 + "b")  # a valid label value (SVC216 stays quiet) that the pattern cannot match
    started = time.monotonic()
    run = run_cli("check", "svc.yaml", "--ignore", "SVC101", "-f", "json")
    assert time.monotonic() - started < 20
    assert [(f["rule"], f["line"]) for f in run.json()["findings"]] == [("SVC901", 6)]


def test_pattern_property_names_run_in_linear_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = (
        "  properties:\n    metadata:\n      properties:\n        labels:\n"
        "          patternProperties:\n            \"^(t+)+$\": {type: string}\n          additionalProperties: false\n"
    )
    repository(tmp_path, monkeypatch, schema)
    (tmp_path / "svc.yaml").write_text(SERVICE.replace("team: {team}", "t" * 40 + "x: blue"))
    started = time.monotonic()
    run = run_cli("check", "svc.yaml", "--ignore", "SVC101", "-f", "json")
    assert time.monotonic() - started < 20
    assert [(f["rule"], f["line"]) for f in run.json()["findings"]] == [("SVC901", 5)]


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [("^(a)\\\\1$", "invalid escape sequence: \\1"), ("^(?=a)", "invalid perl operator: (?=")],
)
def test_pattern_that_needs_backtracking_is_a_rule_file_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pattern: str, reason: str
) -> None:
    schema = "  properties:\n    metadata:\n      properties:\n        name: {pattern: \"" + pattern + "\"}\n"
    repository(tmp_path, monkeypatch, schema)
    run = run_cli("check", "svc.yaml")
    assert run.exit_code == 2
    assert run.stderr.startswith("svclint: error: rules/team.yaml:18: schema.properties.metadata.properties.name.pattern: regex ")
    assert f"cannot run in linear time ({reason}); svclint matches rule patterns with RE2" in run.stderr


def test_alias_bomb_in_a_rule_file_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = "  $defs:\n    a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb += f"    {level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
    repository(tmp_path, monkeypatch, bomb)
    started = time.monotonic()
    run = run_cli("check", "svc.yaml")
    assert time.monotonic() - started < 20
    assert run.exit_code == 2
    assert run.stderr.startswith("svclint: error: rules/team.yaml:")
    assert run.stderr.endswith("expand this document to more than 100000 nodes (an alias bomb?) (a fixed limit for rule files)\n")


def test_deep_nesting_in_a_rule_file_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repository(tmp_path, monkeypatch, "  not: " + "[" * 5000 + "]" * 5000 + "\n")
    run = run_cli("check", "svc.yaml")
    assert run.exit_code == 2
    assert run.stderr.startswith("svclint: error: rules/team.yaml:15: invalid YAML: nesting deeper than 100 levels")
    assert "internal error" not in run.stderr


def test_a_rule_file_libyaml_reads_but_ruamel_does_not_is_a_rule_file_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the rules fuzz target: a tab before a colon parses with libyaml, and the
    ruamel pass that finds the line of an error raised ScannerError (an "internal error")."""
    repository(tmp_path, monkeypatch, "  type: object\n")
    (tmp_path / "rules" / "team.yaml").write_text("# Detiva@# Detiva@l:ehetar web\net:  l:ehetar web\ne\t:   !")
    run = run_cli("check", "svc.yaml")
    assert run.exit_code == 2
    assert run.stderr.startswith("svclint: error: rules/team.yaml:1: ")
    assert "internal error" not in run.stderr


def test_a_tagged_value_that_does_not_construct_is_a_rule_file_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the rules fuzz target: ``!!int externalIPs:`` made PyYAML raise ValueError."""
    repository(tmp_path, monkeypatch, "  properties:\n    spec:\n      properties:\n!!int     externalIPs: {maxItems: 0}\n")
    run = run_cli("check", "svc.yaml")
    assert run.exit_code == 2
    assert run.stderr == "svclint: error: rules/team.yaml:18: invalid YAML: cannot read 'externalIPs' as !!int; remove the tag or fix the value\n"


def test_a_reference_to_nothing_in_the_rule_file_is_a_rule_file_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the rules fuzz target: ``$ref: "#/$de&s/x"`` loaded, then crashed the rule on
    every object at lint time (exit 2, that rule's findings lost)."""
    schema = "  $defs:\n    team: {enum: [red]}\n  properties:\n    metadata:\n      $ref: \"#/$de&s/team\"\n"
    repository(tmp_path, monkeypatch, schema)
    run = run_cli("check", "svc.yaml")
    assert run.exit_code == 2
    assert run.stderr == "svclint: error: rules/team.yaml:19: schema.properties.metadata.$ref: '#/$de&s/team' points to nothing in this rule file\n"
