"""scripts/new_rule.py: one command scaffolds a rule that imports, is registered and documented.

The script runs on a copy of the repository in a temporary directory, never on this tree.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from svclint.lint.checks import BUILTIN_RULES

from .conftest import REPO

SCRIPT = REPO / "scripts" / "new_rule.py"
NEW_ID, NEW_NAME = "SVC199", "scaffolded-example"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("new_rule", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _copy_repository(to: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("svclint", "rules", "scripts", "fixtures/rules"):
        shutil.copytree(REPO / folder, to / folder, ignore=ignore)
    shutil.copy(REPO / "pyproject.toml", to / "pyproject.toml")
    return to


def _python(root: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` with ``root`` first on sys.path (its svclint, not the installed one)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = _copy_repository(tmp_path_factory.mktemp("repo"))
    run = subprocess.run(
        [sys.executable, str(root / "scripts" / "new_rule.py"), NEW_ID, NEW_NAME, "--summary", "A scaffolded rule"],
        cwd=root, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("wrote svclint/lint/checks/svc199_scaffolded_example.py\n"), run.stdout
    return root


def test_registry_is_rendered_as_written() -> None:
    """The script rewrites checks/__init__.py; today's file is its own rendering, in id order."""
    script = _script()
    text = (REPO / "svclint" / "lint" / "checks" / "__init__.py").read_text(encoding="utf-8")
    entries = script.registry_entries(text)
    assert [cls for _, cls in entries] == [rule.__name__ for rule in BUILTIN_RULES]
    assert script.render_registry(entries) == text


def test_new_rule_is_registered_in_id_order_and_in_the_catalog(scaffolded: Path) -> None:
    code = (
        "import json, svclint\n"
        "from svclint.lint.catalog import build_catalog\n"
        "from svclint.lint.checks import BUILTIN_RULES\n"
        "rule = build_catalog(plugins=False).get('SVC199')\n"
        "print(json.dumps([svclint.__file__, [r.id for r in BUILTIN_RULES], rule.documentation()]))\n"
    )
    run = _python(scaffolded, code)
    assert run.returncode == 0, run.stderr
    package, ids, documentation = json.loads(run.stdout)
    assert Path(package).is_relative_to(scaffolded)
    assert ids == sorted([*(rule.id for rule in BUILTIN_RULES), NEW_ID])
    assert documentation.startswith("## What it does\n")
    assert "\n## Example\n```yaml\napiVersion: v1\n" in documentation and "expect:" not in documentation


def test_new_rule_passes_the_catalog_checks(scaffolded: Path) -> None:
    code = (
        "from svclint.lint.catalog import build_catalog\n"
        "from svclint.lint.rule import validate_rule_class\n"
        "print(validate_rule_class(build_catalog(plugins=False).get('SVC199')))\n"
    )
    assert _python(scaffolded, code).stdout == "[]\n"
    rules = _python(scaffolded, "from svclint.cli import main; main(['rules', '--isolated', '--no-plugins', '-f', 'markdown'])")
    readme = (scaffolded / "rules" / "README.md").read_text(encoding="utf-8")
    assert rules.stdout == readme, "the script regenerates rules/README.md"
    assert f"| [{NEW_ID}](#svc199-{NEW_NAME}) | `{NEW_NAME}` | warning | on | A scaffolded rule |" in readme


def test_new_rule_fixtures_wait_for_the_logic(scaffolded: Path) -> None:
    """The skeleton runs and reports nothing; bad.yaml marks the line its finding belongs on."""
    folder = scaffolded / "fixtures" / "rules" / NEW_ID
    assert "  # expect: SVC199\n" in (folder / "bad.yaml").read_text(encoding="utf-8")
    assert "expect:" not in (folder / "good.yaml").read_text(encoding="utf-8")
    for case in ("bad.yaml", "good.yaml"):
        check = f"from svclint.cli import main; main(['check', 'fixtures/rules/SVC199/{case}', '--isolated', '-f', 'json'])"
        run = _python(scaffolded, check)
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["findings"] == []


@pytest.mark.parametrize(
    ("rule_id", "name", "problem"),
    [
        ("SVC101", "something-new", "SVC101 is already a rule"),
        ("SVC214", "something-new", "SVC214 is already a rule"),
        ("SVC198", "service-selects-nothing", "a rule is already named service-selects-nothing"),
        ("SVC198", "service-exposed-externally", "a rule file is already named service-exposed-externally"),
        ("SVC19", "something-new", "id 'SVC19' must look like SVC123"),
        ("SVC198", "Something_New", "name 'Something_New' must be kebab-case"),
    ],
)
def test_refuses_a_taken_or_malformed_rule_and_writes_nothing(tmp_path: Path, rule_id: str, name: str, problem: str) -> None:
    root = _copy_repository(tmp_path)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    script = _script()
    with pytest.raises(script.ScaffoldError, match=problem):
        script.scaffold(root, rule_id, name, "A summary", "warning")
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
