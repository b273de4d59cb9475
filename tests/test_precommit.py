"""Both pre-commit hooks, run by the real pre-commit (`try-repo`) in a temporary git repository.

The hook repository is a copy of this project's .pre-commit-hooks.yaml with
``language: system``: pre-commit would otherwise build a virtualenv and pip-install svclint
and its build backend from an index, which needs the network. Everything else in the hook
definitions (entry, file types, pass_filenames, require_serial) is the shipped one, and the
``svclint`` it runs is the one under test (first on PATH). The shipped manifest itself is
checked with ``pre-commit validate-manifest``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import REPO

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX shell environment")

DEPLOYMENT = """\
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


def service(name: str, app: str) -> str:
    return f"""\
apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {app}
  ports:
    - port: 80
      targetPort: 8080
"""


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
        HOME=str(home),
        PRE_COMMIT_HOME=str(home / "pre-commit-cache"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
        NO_COLOR="1",
    )
    return env


class Project:
    """A git repository to commit manifests in, and a hook repository to try."""

    def __init__(self, tmp: Path) -> None:
        self.env = _env(tmp)
        self.hooks = tmp / "hooks"
        self.root = tmp / "project"
        for repo in (self.hooks, self.root):
            repo.mkdir()
            self.git(repo, "init", "-q", "-b", "main")
        hooks: list[dict[str, Any]] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
        for hook in hooks:
            assert hook["language"] == "python"
            hook["language"] = "system"
        (self.hooks / ".pre-commit-hooks.yaml").write_text(yaml.safe_dump(hooks, sort_keys=False), encoding="utf-8")
        self.git(self.hooks, "add", "-A")
        self.git(self.hooks, "commit", "-q", "-m", "hooks")

    def git(self, repo: Path, *args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, env=self.env, check=True, capture_output=True)

    def write(self, path: str, text: str) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def stage(self, *paths: str) -> None:
        self.git(self.root, "add", "--", *paths)

    def commit(self) -> None:
        self.git(self.root, "commit", "-q", "--no-verify", "-m", "change")

    def try_hook(self, hook_id: str) -> subprocess.CompletedProcess[str]:
        """`pre-commit try-repo HOOKS HOOK` on the staged files, as a commit would run it."""
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(self.hooks), hook_id, "--color", "never"],
            cwd=self.root, env=self.env, capture_output=True, text=True, timeout=300,
        )


@pytest.fixture()
def project(tmp_path: Path) -> Project:
    return Project(tmp_path)


def test_shipped_manifest_is_valid_and_runs_the_console_script() -> None:
    run = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
                         cwd=REPO, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert hooks["svclint"]["pass_filenames"] is False
    assert hooks["svclint-changed"].get("pass_filenames", True) is True
    assert all(h["require_serial"] and h["entry"].split()[0] == "svclint" for h in hooks.values())


@pytest.mark.parametrize("hook_id", ["svclint", "svclint-changed"])
def test_broken_service_fails_and_clean_passes(project: Project, hook_id: str) -> None:
    project.write("k8s/deploy.yaml", DEPLOYMENT)
    project.write("k8s/service.yaml", service("web", "wbe"))
    project.stage("k8s")
    failed = project.try_hook(hook_id)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    assert "k8s/service.yaml:6:3: SVC101 service-selects-nothing Service default/web selector app=wbe" in failed.stdout

    project.write("k8s/service.yaml", service("web", "web"))
    project.stage("k8s")
    passed = project.try_hook(hook_id)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout and "SVC101" not in passed.stdout


def test_changed_service_whose_deployment_is_unchanged_is_not_reported(project: Project) -> None:
    project.write(".svclint.yaml", "paths: [k8s]\n")
    project.write("k8s/deploy.yaml", DEPLOYMENT)
    project.stage(".svclint.yaml", "k8s")
    project.commit()
    project.write("k8s/service.yaml", service("web", "web"))
    project.stage("k8s/service.yaml")
    run = project.try_hook("svclint-changed")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Passed" in run.stdout and "SVC101" not in run.stdout
    # Control: the changed file checked on its own does select nothing.
    alone = subprocess.run(["svclint", "check", "k8s/service.yaml"], cwd=project.root, env=project.env,
                           capture_output=True, text=True)
    assert alone.returncode == 1 and "k8s/service.yaml:6:3: SVC101" in alone.stdout


def test_changed_files_hook_reports_only_the_changed_files(project: Project) -> None:
    project.write("k8s/deploy.yaml", DEPLOYMENT)
    project.write("k8s/old.yaml", service("old", "gone"))  # already broken, committed earlier
    project.stage("k8s")
    project.commit()
    project.write("k8s/new.yaml", service("new", "web"))
    project.stage("k8s/new.yaml")
    changed = project.try_hook("svclint-changed")
    assert changed.returncode == 0, changed.stdout + changed.stderr
    whole = project.try_hook("svclint")
    assert whole.returncode == 1
    assert "k8s/old.yaml:6:3: SVC101" in whole.stdout


def test_changed_files_split_across_invocations_keep_the_whole_graph(project: Project) -> None:
    """Over 128 KiB of file names: pre-commit runs the hook several times on parts of the list."""
    project.write("k8s/deploy.yaml", DEPLOYMENT)
    project.stage("k8s")
    project.commit()
    long_name = "x" * 200
    names = [f"k8s/services/{long_name}-{i:03}.yaml" for i in range(700)]
    broken = {names[3], names[650]}
    for i, name in enumerate(names):
        project.write(name, service(f"svc-{i:03}", "wbe" if name in broken else "web"))
    assert sum(len(n) + 1 for n in names) > 2**17  # pre-commit's per-invocation argv cap
    project.stage("k8s/services")
    run = project.try_hook("svclint-changed")
    assert run.returncode == 1, run.stdout + run.stderr
    reported = sorted(line.split(":")[0] for line in run.stdout.splitlines() if ": SVC" in line)
    assert reported == sorted(broken)
    summaries = [line for line in run.stdout.splitlines() if line.startswith(("Found ", "No problems found"))]
    assert len(summaries) >= 2, "expected pre-commit to split the file list"
    assert all(" in 701 files" in line for line in summaries)


def test_changed_files_needs_files() -> None:
    from .conftest import run_cli

    run = run_cli("check", "--changed-files")
    assert run.exit_code == 2
    assert "--changed-files needs the changed files as PATHS (not stdin)" in run.stderr
