#!/usr/bin/env python3
"""Scaffold a built-in rule: ``python scripts/new_rule.py SVC112 service-port-shadowed``.

Writes the rule module (metadata, docstring sections, a ``check`` that runs and reports
nothing until its logic is written), registers it in ``svclint/lint/checks/__init__.py``,
writes ``fixtures/rules/<ID>/bad.yaml`` (with an ``# expect:`` marker) and ``good.yaml``,
and regenerates ``rules/README.md``. Then the fixture test for the new id fails until the
logic reports the marked line: write the logic, the two manifests and the docstring prose.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHECKS = Path("svclint/lint/checks")
REGISTRY = CHECKS / "__init__.py"
RULE_ID = re.compile(r"^SVC\d{3}$")
RULE_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
FAMILY_TAG = {"0": "input", "1": "services", "2": "ports", "3": "ingress", "4": "networkpolicy"}
IMPORT = re.compile(r"^from svclint\.lint\.checks\.(svc\d{3}_\w+) import \(?\s*(\w+),?\s*\)?$", re.M)
WRAP_AT = 88  # the registry wraps longer imports in parentheses, as isort does

REGISTRY_HEAD = '''"""Built-in rules, one module each, listed explicitly (no import-time registration)."""

from __future__ import annotations

'''

MODULE = '''"""{id} {name}."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.model import K8sObject
from svclint.lint.rule import Rule, RuleContext, Violation


class {cls}(Rule):
    """## What it does
    TODO: what the rule reports, in the manifest's terms (which kinds, which fields).

    ## Why is this bad?
    TODO: what goes wrong in the cluster when the manifest is left as it is.
    """

    id = "{id}"
    name = "{name}"
    summary = "{summary}"
    severity = Severity.{severity}
    tags = ("{tag}",)

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for obj in ctx.graph.of_kind("Service"):
            problem = _problem(obj)
            if problem is not None:
                yield ctx.report(f"{{obj.kind}} {{obj.namespace}}/{{obj.name}}: {{problem}}", obj, "spec")


def _problem(obj: K8sObject) -> str | None:
    """What is wrong with ``obj``, or None. TODO: the rule's logic."""
    return None
'''

# A manifest every default rule finds clean; bad.yaml marks the line the finding points at.
EXAMPLE = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:{marker}
  selector:
    app: web
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 8080
          readinessProbe:
            httpGet:
              path: /healthz
              port: 8080
"""


class ScaffoldError(Exception):
    """A rule that cannot be added as asked, or a catalog that cannot be regenerated."""


def module_name(rule_id: str, name: str) -> str:
    return f"{rule_id.lower()}_{name.replace('-', '_')}"


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def registry_entries(text: str) -> list[tuple[str, str]]:
    """(module, class) of every rule ``svclint/lint/checks/__init__.py`` imports."""
    return IMPORT.findall(text)


def render_registry(entries: list[tuple[str, str]]) -> str:
    """The registry module: imports and BUILTIN_RULES in id order (module names sort by id)."""
    entries = sorted(entries)
    imports = []
    for module, cls in entries:
        line = f"from svclint.lint.checks.{module} import {cls}"
        if len(line) > WRAP_AT:
            line = f"from svclint.lint.checks.{module} import (\n    {cls},\n)"
        imports.append(line + "\n")
    rules = "".join(f"    {cls},\n" for _, cls in entries)
    return (
        REGISTRY_HEAD
        + "".join(imports)
        + "from svclint.lint.rule import Rule\n\n"
        + f"BUILTIN_RULES: tuple[type[Rule], ...] = (\n{rules})\n"
    )


def _used(root: Path, rule_id: str, name: str) -> str | None:
    """Why the id or name is taken, or None."""
    number = rule_id[3:]
    if list((root / CHECKS).glob(f"svc{number}_*.py")) or list((root / "rules").glob(f"{rule_id}-*.yaml")):
        return f"{rule_id} is already a rule"
    if (root / "fixtures" / "rules" / rule_id).exists():
        return f"fixtures/rules/{rule_id} already exists"
    declared = re.compile(rf'^    name = "{re.escape(name)}"$', re.M)
    if any(declared.search(p.read_text(encoding="utf-8")) for p in (root / CHECKS).glob("svc*.py")):
        return f"a rule is already named {name}"
    if list((root / "rules").glob(f"*-{name}.yaml")):
        return f"a rule file is already named {name}"
    return None


def scaffold(root: Path, rule_id: str, name: str, summary: str, severity: str) -> list[Path]:
    """Write the module, its registration and its fixtures; the paths written, relative to root."""
    if not RULE_ID.match(rule_id):
        raise ScaffoldError(f"id {rule_id!r} must look like SVC123")
    if not RULE_NAME.match(name):
        raise ScaffoldError(f"name {name!r} must be kebab-case, like service-port-shadowed")
    if '"' in summary or "\\" in summary or summary.endswith("."):
        raise ScaffoldError("the summary is one line without quotes, backslashes or a final period")
    problem = _used(root, rule_id, name)
    if problem:
        raise ScaffoldError(problem)
    module, cls = module_name(rule_id, name), class_name(name)
    entries = registry_entries((root / REGISTRY).read_text(encoding="utf-8"))
    if any(existing == cls for _, existing in entries):
        raise ScaffoldError(f"class {cls} is already registered")

    module_path = CHECKS / f"{module}.py"
    fixtures = Path("fixtures/rules") / rule_id
    tag = FAMILY_TAG.get(rule_id[3], "services")
    text = MODULE.format(id=rule_id, name=name, cls=cls, summary=summary, severity=severity.upper(), tag=tag)
    (root / module_path).write_text(text, encoding="utf-8")
    (root / REGISTRY).write_text(render_registry([*entries, (module, cls)]), encoding="utf-8")
    (root / fixtures).mkdir(parents=True)
    (root / fixtures / "bad.yaml").write_text(EXAMPLE.format(marker=f"  # expect: {rule_id}"), encoding="utf-8")
    (root / fixtures / "good.yaml").write_text(EXAMPLE.format(marker=""), encoding="utf-8")
    return [module_path, REGISTRY, fixtures / "bad.yaml", fixtures / "good.yaml"]


def regenerate_catalog(root: Path) -> Path:
    """rules/README.md from the rules as they are now (this tree's svclint, not an installed one)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    command = [sys.executable, "-m", "svclint", "rules", "--isolated", "--no-plugins", "--format", "markdown"]
    run = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        raise ScaffoldError(f"svclint rules failed, rules/README.md not regenerated:\n{run.stderr}")
    readme = Path("rules/README.md")
    (root / readme).write_text(run.stdout, encoding="utf-8")
    return readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("id", help="the next free SVCnxx in the rule's family (SVC1xx Services, SVC4xx policies...)")
    parser.add_argument("name", help="kebab-case, e.g. service-port-shadowed")
    parser.add_argument("--summary", default="TODO one-line summary", help="one line, no final period")
    parser.add_argument("--severity", choices=("error", "warning", "note"), default="warning")
    args = parser.parse_args(argv)
    try:
        written = scaffold(ROOT, args.id, args.name, args.summary, args.severity)
        written.append(regenerate_catalog(ROOT))
    except ScaffoldError as error:
        print(f"new_rule.py: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    module, fixtures = written[0], written[2].parent
    print(
        f"\nNext: the logic in {module} (check and _problem), the prose of its docstring, and the\n"
        f"manifests in {fixtures}/ (# expect: {args.id} on each line a finding points at); then\n"
        f"  svclint rules --isolated --no-plugins --format markdown > rules/README.md\n"
        f"  python -m pytest -q tests/test_rule_fixtures.py -k {args.id}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
