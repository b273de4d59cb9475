"""Configuration discovery, validation (errors name file and line) and layering."""

from __future__ import annotations

from pathlib import Path

import pytest

from svclint.lint.config import find_config

from .conftest import REPO, run_cli

CONFIG = "fixtures/config"
WEB = "fixtures/core/tree/apps/web.yaml"


def test_config_file_settings_apply() -> None:
    # paths: is checked when no path is given; excluding the Deployment's directory makes
    # both Services select nothing; SVC101 is a warning and fail-on: warning fails on it;
    # node-port-range 8000-9000 makes nodePort 8080 valid.
    run = run_cli("check", "--config", f"{CONFIG}/valid.svclint.yaml", "-f", "json")
    findings = run.json()["findings"]
    assert [(f["file"], f["line"], f["rule"], f["severity"]) for f in findings] == [
        ("fixtures/core/tree/apps/vendor/thirdparty.yml", 6, "SVC101", "warning"),
        ("fixtures/core/tree/apps/web.yaml", 7, "SVC101", "warning"),
    ]
    assert run.exit_code == 1
    assert run_cli("check", "--config", f"{CONFIG}/valid.svclint.yaml", "--fail-on", "error").exit_code == 0


def test_command_line_flags_override_the_config() -> None:
    run = run_cli(
        "check", "--config", f"{CONFIG}/valid.svclint.yaml", "--fail-on", "error", "--node-port-range", "30000-32767",
        "-f", "json",
    )
    rules = [(f["rule"], f["severity"]) for f in run.json()["findings"]]
    assert rules == [("SVC101", "warning"), ("SVC101", "warning"), ("SVC201", "error")]
    assert run.exit_code == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unknown-key", "fixtures/config/unknown-key.svclint.yaml:2: fail_on: unknown key 'fail_on'; did you mean 'fail-on'?"),
        ("unknown-rule", "fixtures/config/unknown-rule.svclint.yaml:4: rules.SVC999: 'SVC999' names no rule"),
        ("bad-option", "fixtures/config/bad-option.svclint.yaml:3: rules.service-selects-nothing.ignored-labels: option 'ignored-labels' must be a list"),
        ("bad-severity", "fixtures/config/bad-severity.svclint.yaml:3: rules.SVC201.severity: 'fatal' is not one of ['error', 'warning', 'note']"),
    ],
)
def test_invalid_config_is_exit_2_naming_file_and_line(name: str, message: str) -> None:
    run = run_cli("check", WEB, "--config", f"{CONFIG}/{name}.svclint.yaml")
    assert run.exit_code == 2
    assert run.stderr == f"svclint: error: {message}\n"
    assert "Traceback" not in run.stderr


def test_config_is_found_upward_and_in_pyproject(tmp_path: Path) -> None:
    project = tmp_path / "repo"
    (project / "deploy" / "apps").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.svclint]\nnode-port-range = "8000-9000"\n')
    assert find_config(str(project / "deploy" / "apps")) == str(project / "pyproject.toml")
    (project / "deploy" / ".svclint.yaml").write_text("fail-on: never\n")
    assert find_config(str(project / "deploy" / "apps")) == str(project / "deploy" / ".svclint.yaml")


def test_pyproject_section_is_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.svclint]\nnode-port-range = "8000-9000"\nignore = ["SVC101"]\n')
    (tmp_path / "web.yaml").write_text((REPO / WEB).read_text())
    monkeypatch.chdir(tmp_path)
    run = run_cli("check", "web.yaml")
    assert run.exit_code == 0, run.stdout
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "pyproject.toml").write_text('[tool.svclint]\nselect = "SVC1"\n')
    monkeypatch.chdir(bad)
    run = run_cli("check", str(tmp_path / "web.yaml"))
    assert run.exit_code == 2
    assert run.stderr == f"svclint: error: {bad / 'pyproject.toml'}:2: select: 'SVC1' is not of type 'array'\n"


def test_isolated_ignores_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".svclint.yaml").write_text("ignore: [ALL]\n")
    (tmp_path / "web.yaml").write_text((REPO / WEB).read_text())
    monkeypatch.chdir(tmp_path)
    assert run_cli("check", "web.yaml").exit_code == 0
    assert run_cli("check", "web.yaml", "--isolated").exit_code == 1


def test_bad_node_port_range_flag() -> None:
    run = run_cli("check", WEB, "--isolated", "--node-port-range", "9000-8000")
    assert run.exit_code == 2
    assert "--node-port-range: invalid port range '9000-8000'" in run.stderr


def test_cli_exclude_is_relative_to_the_working_directory_even_with_a_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".svclint.yaml").write_text('exclude: ["legacy/"]\n')
    deploy = tmp_path / "deploy"
    (deploy / "legacy").mkdir(parents=True)
    for name in ("ops.yaml", "legacy/old.yaml"):
        (deploy / name).write_text((REPO / WEB).read_text())
    monkeypatch.chdir(deploy)
    assert run_cli("check", ".", "-f", "json").json()["summary"]["files"] == 1  # config exclude
    run = run_cli("check", ".", "--exclude", "/ops.yaml", "-f", "json")
    assert run.json()["summary"]["files"] == 0  # --exclude anchored at the working directory
