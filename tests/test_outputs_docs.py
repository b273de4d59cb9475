"""docs/outputs.md shows real output and working CI snippets."""

from __future__ import annotations

import json
import re

import yaml

from svclint import __version__

from .conftest import REPO, run_cli

DOC = (REPO / "docs/outputs.md").read_text(encoding="utf-8")


def _blocks(language: str) -> list[str]:
    """Fenced code blocks of ``language`` ("" for unlabelled), in document order."""
    return [body for lang, body in re.findall(r"^```(\w*)\n(.*?)^```", DOC, re.S | re.M) if lang == language]


def test_sarif_example_is_real_output() -> None:
    log = run_cli("check", "fixtures/rules/SVC101/bad.yaml", "--isolated", "--format", "sarif").json()
    (example,) = _blocks("json")
    assert json.loads(example) == log["runs"][0]["results"][0]


def test_annotation_example_is_real_output() -> None:
    run = run_cli("check", "fixtures/rules/SVC101/bad.yaml", "--isolated", "--format", "github")
    assert run.stdout in _blocks("")


def test_ci_snippets_parse_and_grant_what_they_need() -> None:
    action, workflow, step, gitlab, pre_commit, config = (yaml.safe_load(block) for block in _blocks("yaml"))
    uses = action["jobs"]["svclint"]["steps"][1]
    assert uses["uses"] == f"svclint/svclint@v{__version__}" and uses["with"]["paths"] == "k8s/"
    assert action["permissions"]["security-events"] == "write"
    assert step == [{"run": "svclint check k8s/ --format github"}]
    assert workflow["permissions"]["security-events"] == "write"
    steps = workflow["jobs"]["svclint"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert upload["with"]["sarif_file"] == "svclint.sarif" and upload["if"] == "always()"
    assert any("--format sarif --output svclint.sarif" in s.get("run", "") for s in steps)
    assert gitlab["svclint"]["artifacts"]["reports"]["junit"] == "svclint-junit.xml"
    assert "--format junit --output svclint-junit.xml" in " ".join(gitlab["svclint"]["script"])
    hook_ids = {h["id"] for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert {h["id"] for h in pre_commit["repos"][0]["hooks"]} == hook_ids
    assert config == {"paths": ["k8s", "deploy"]}
