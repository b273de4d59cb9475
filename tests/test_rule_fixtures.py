"""Every rule against its good/bad fixtures, through the CLI, with exact lines.

fixtures/rules/<ID>/bad*.yaml and good*.yaml (or bad*/ good*/ directories of several
files) carry ``# expect: SVCnnn`` on each line where a finding must be reported. An
optional config.yaml in the rule folder is passed as --config.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from svclint.lint.catalog import build_catalog

from .conftest import FIXTURES, REPO, expected_markers, finding_keys, run_cli

RULES_DIR = FIXTURES / "rules"


def _case_files(case: Path) -> list[Path]:
    if case.is_dir():
        return sorted(p for p in case.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    return [case]


def _cases() -> list[tuple[str, Path]]:
    out = []
    for rule_dir in sorted(RULES_DIR.iterdir()):
        for case in sorted(rule_dir.iterdir()):
            if case.name.startswith(("bad", "good")):
                out.append((rule_dir.name, case))
    return out


CASES = _cases()


def _config_args(case: Path) -> list[str]:
    """A directory case's own config.yaml, else the rule folder's, else no config."""
    for config in (case / "config.yaml", case.parent / "config.yaml"):
        if config.is_file():
            return ["--config", str(config.relative_to(REPO))]
    return ["--isolated"]


@pytest.mark.parametrize(("rule_id", "case"), CASES, ids=[f"{r}/{c.name}" for r, c in CASES])
def test_rule_alone_reports_exactly_the_markers(rule_id: str, case: Path) -> None:
    # --allow-empty: a fixture of no Kubernetes object (SVC001/good.not-kubernetes.yaml) is checked too
    args = ["check", str(case.relative_to(REPO)), "--format", "json", "--select", rule_id, "--fail-on", "never", "--allow-empty"]
    run = run_cli(*args, *_config_args(case))
    assert run.exit_code == 0, run.stderr
    got = finding_keys(run.json())
    assert got == expected_markers(_case_files(case), rule_id)


GOOD = [(r, c) for r, c in CASES if c.name.startswith("good")]


@pytest.mark.parametrize(("rule_id", "case"), GOOD, ids=[f"{r}/{c.name}" for r, c in GOOD])
def test_good_fixture_is_clean_under_all_default_rules(rule_id: str, case: Path) -> None:
    args = ["check", str(case.relative_to(REPO)), "--format", "json", "--extend-select", rule_id, "--fail-on", "never", "--allow-empty"]
    run = run_cli(*args, *_config_args(case))
    assert run.exit_code == 0, run.stderr
    assert run.json()["findings"] == []


@pytest.mark.parametrize(("rule_id", "case"), CASES, ids=[f"{r}/{c.name}" for r, c in CASES])
def test_fixture_naming(rule_id: str, case: Path) -> None:
    markers = expected_markers(_case_files(case))
    if case.name.startswith("bad"):
        assert any(rule == rule_id for _, _, rule in markers), "a bad fixture must expect its rule"
    else:
        assert not markers, "a good fixture must not expect findings"


def test_every_rule_has_a_fixture_folder() -> None:
    catalog = build_catalog(plugins=False)
    missing = [r.id for r in catalog if r.origin == "builtin" and not (RULES_DIR / r.id).is_dir()]
    assert missing == []
