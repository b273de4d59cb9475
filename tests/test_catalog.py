"""rules/README.md is generated from rule metadata and fixtures; this fails when it is stale.

Regenerate with:  svclint rules --isolated --no-plugins --format markdown > rules/README.md
"""

from __future__ import annotations

from svclint.lint.catalog import build_catalog
from svclint.lint.rule import validate_rule_class

from .conftest import REPO, run_cli


def test_rules_readme_is_current() -> None:
    run = run_cli("rules", "--isolated", "--no-plugins", "--format", "markdown")
    assert run.exit_code == 0
    committed = (REPO / "rules" / "README.md").read_text(encoding="utf-8")
    assert committed == run.stdout, "rules/README.md is stale: regenerate it (see this module's docstring)"


def test_every_rule_has_valid_unique_metadata() -> None:
    catalog = build_catalog(plugins=False)
    for rule in catalog:
        assert validate_rule_class(rule) == [], rule
        assert rule.summary and not rule.summary.endswith(".")
    ids = [r.id for r in catalog]
    names = [r.name for r in catalog]
    assert len(ids) == len(set(ids)) and len(names) == len(set(names))


def test_rules_json_lists_every_rule() -> None:
    payload = run_cli("rules", "--isolated", "--no-plugins", "--format", "json").json()
    assert [r["id"] for r in payload] == sorted(r["id"] for r in payload)
    assert {"id", "name", "summary", "severity", "enabled_by_default", "options", "documentation"} <= set(payload[0])
