"""A rule's Example and Use instead exist once: its bad.yaml and good.yaml fixtures.

The docstring (or a rule file's ``documentation``) holds the prose; ``Rule.documentation()``
adds the fixtures with the ``# expect:`` test markers taken out, and no marker reaches what
users read: ``svclint rules``, rules/README.md, the rules JSON and SARIF rule help.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path

import pytest

from svclint.lint import examples
from svclint.lint.catalog import build_catalog
from svclint.lint.docs import in_catalog_document
from svclint.lint.examples import PACKAGED_DIR, example_sections, examples_dir, strip_markers
from svclint.lint.rule import DOC_SECTIONS, Rule

from .conftest import FIXTURES, REPO, run_cli

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

BUNDLED = [r for r in build_catalog(plugins=False) if in_catalog_document(r)]
MARKER = re.compile(r"#\s*expect:")


def _without_markers(text: str) -> str:
    """The fixture lines as a user should see them, written independently of strip_markers."""
    kept = []
    for line in text.splitlines():
        if "# expect:" in line:
            line = line[: line.index("# expect:")].rstrip()
            if not line:
                continue
        kept.append(line + "\n")
    return "".join(kept)


@pytest.mark.parametrize("rule", BUNDLED, ids=[r.id for r in BUNDLED])
def test_examples_are_the_fixtures_without_markers(rule: type[Rule]) -> None:
    folder = FIXTURES / "rules" / rule.id
    bad, good = (folder / "bad.yaml").read_text(encoding="utf-8"), (folder / "good.yaml").read_text(encoding="utf-8")
    assert MARKER.search(bad), f"{rule.id}: bad.yaml needs an # expect: marker"
    own = inspect.cleandoc(rule.__doc__ or "")
    assert "## What it does" in own and "## Why is this bad?" in own
    assert "## Example" not in own and "## Use instead" not in own, f"{rule.id}: the examples belong in its fixtures"
    doc = rule.documentation()
    assert [s for s in DOC_SECTIONS if f"\n## {s}\n" in "\n" + doc] == list(DOC_SECTIONS)
    shown = f"\n\n## Example\n```yaml\n{_without_markers(bad)}```\n\n## Use instead\n```yaml\n{_without_markers(good)}```"
    assert doc == own + shown
    assert not MARKER.search(doc)


def test_no_marker_reaches_the_rules_command_readme_or_json() -> None:
    outputs = [
        run_cli("rules", "--isolated", "--no-plugins", "--format", "markdown").stdout,
        (REPO / "rules" / "README.md").read_text(encoding="utf-8"),
        *(run_cli("rules", rule.id, "--isolated", "--no-plugins").stdout for rule in BUNDLED),
        *(r["documentation"] for r in run_cli("rules", "--isolated", "--no-plugins", "-f", "json").json()),
    ]
    assert all("```yaml" in text for text in outputs)
    assert [text[:40] for text in outputs if MARKER.search(text)] == []


def test_no_marker_reaches_sarif_rule_help() -> None:
    run = run_cli("check", "fixtures/rules/SVC101/good.yaml", "--isolated", "--select", "ALL", "-f", "sarif")
    rules = json.loads(run.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {r.id for r in BUNDLED}
    for rule in rules:
        assert "## Example" in rule["help"]["markdown"], rule["id"]
        assert not MARKER.search(json.dumps(rule)), rule["id"]


def test_strip_markers() -> None:
    text = "a:  # expect: SVC101\n  # expect: SVC102, SVC103\n\nb: 1 # keep this comment\nc: 2\t#expect: SVC104"
    assert strip_markers(text) == "a:\n\nb: 1 # keep this comment\nc: 2"
    assert example_sections("NOPE999") == ""


class PluginRule(Rule):
    """## What it does
    A third-party rule keeps its own docstring, examples or not.
    """

    id = "SVC101"  # even with the id of a fixture folder
    name = "plugin-rule"
    summary = "A plugin rule"
    origin = "plugin:acme"


def test_plugin_rules_keep_their_docstring() -> None:
    assert PluginRule.documentation() == "## What it does\nA third-party rule keeps its own docstring, examples or not."


def test_examples_come_from_the_repository_without_a_packaged_copy() -> None:
    assert examples_dir() == REPO / "fixtures" / "rules"


def test_packaged_examples_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """In a wheel the fixtures are svclint/_rule_examples (see the hatch force-include)."""
    (tmp_path / PACKAGED_DIR / "SVC101").mkdir(parents=True)
    (tmp_path / PACKAGED_DIR / "SVC101" / "bad.yaml").write_text("bad: 1  # expect: SVC101\n", encoding="utf-8")
    (tmp_path / PACKAGED_DIR / "SVC101" / "good.yaml").write_text("good: 1\n", encoding="utf-8")
    monkeypatch.setattr(examples.resources, "files", lambda package: tmp_path)
    assert examples_dir() == tmp_path / PACKAGED_DIR
    assert example_sections("SVC101") == "\n\n## Example\n```yaml\nbad: 1\n```\n\n## Use instead\n```yaml\ngood: 1\n```"


def test_wheel_ships_the_fixtures_where_examples_dir_looks() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    force_include = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    assert force_include["fixtures/rules"] == f"svclint/{PACKAGED_DIR}"
    assert (REPO / "fixtures" / "rules").is_dir()
