"""Real repositories (issue 17): deployment units, renderers that are missing or fail,
.gitignore, other tools' YAML, templates that parse, and runs that find nothing."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from svclint.findings import Finding, Location, Severity
from svclint.loading import units as unit_rules
from svclint.loading.units import merge_findings, split_plain

from .conftest import FIXTURES, run_cli
from .test_render_inputs import _kubectl

REPO_FIXTURE = FIXTURES / "units-repo"
RENDERED_SHOP = FIXTURES / "helm" / "shop.rendered.yaml"


def _keys(payload: dict) -> list[tuple]:
    return [(f["rule"], f["file"], f["line"], tuple(f.get("units", ()))) for f in payload["findings"]]


def _stand_in_helm(folder: Path, log: Path) -> None:
    """helm is not installable here: a stand-in prints recorded `helm template` output and
    records its arguments (the chart's templates are the ones the recording came from)."""
    helm = folder / "helm"
    helm.write_text(f'#!/bin/sh\necho "$@" >> {log}\ncat {RENDERED_SHOP}\n')
    helm.chmod(helm.stat().st_mode | stat.S_IEXEC)


@pytest.fixture
def repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture repository as a git work tree, with a git-ignored rendered file."""
    if shutil.which("git") is None:
        pytest.skip("git is not on PATH")
    root = tmp_path / "repo"
    shutil.copytree(REPO_FIXTURE, root)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("out/\n")
    (root / "out").mkdir()
    # Rendered output a build step wrote and git ignores: its defect must not be reported.
    (root / "out" / "all.yaml").write_text((REPO_FIXTURE / "apps" / "web" / "service.yaml").read_text())
    monkeypatch.chdir(root)
    return root


SVC104_BASE = ("SVC104", "deploy/base/service.yaml", 11, ("deploy/overlays/dev", "deploy/overlays/prod"))
PLAIN = [
    ("SVC201", "apps/web/service.yaml", 12, ("apps/web",)),
    ("SVC101", "envs/prod/web.yaml", 7, ("envs/prod",)),
    ("SVC005", "legacy/etcd-service-template.yaml", 5, ("legacy",)),
]


def test_repository_root_reports_each_planted_defect_once_with_its_unit(
    repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "helm-args"
    _stand_in_helm(tmp_path, log)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    run = run_cli("check", ".", "--kustomize-bin", _kubectl(), "--format", "json", "--isolated")
    assert run.exit_code == 1, run.stderr
    assert sorted(_keys(run.json())) == sorted(
        [
            SVC104_BASE,
            *PLAIN,
            ("SVC101", "charts/shop/templates/service.yaml", 7, ("charts/shop",)),
            ("SVC201", "charts/shop/templates/service.yaml", 13, ("charts/shop",)),
        ]
    )
    assert log.read_text() == "template ./charts/shop\n"
    # the base line seen through two overlays is one finding; the message is the first unit's
    (base,) = [f for f in run.json()["findings"] if f["rule"] == "SVC104"]
    assert "Service dev/dev-api" in base["message"]


def test_without_kustomize_or_helm_the_plain_files_are_still_checked(
    repository: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git = shutil.which("git")
    assert git is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(git, bin_dir / "git")  # only git: no kustomize, kubectl or helm
    monkeypatch.setenv("PATH", str(bin_dir))
    run = run_cli("check", ".", "--format", "json", "--isolated")
    assert run.exit_code == 1, run.stderr
    assert sorted(_keys(run.json())) == sorted(
        [
            *PLAIN,
            ("SVC009", "charts/shop/Chart.yaml", 1, ("charts/shop",)),
            ("SVC009", "deploy/overlays/dev/kustomization.yaml", 1, ("deploy/overlays/dev",)),
            ("SVC009", "deploy/overlays/prod/kustomization.yaml", 1, ("deploy/overlays/prod",)),
        ]
    )
    notes = {f["file"]: f["message"] for f in run.json()["findings"] if f["rule"] == "SVC009"}
    assert notes["deploy/overlays/dev/kustomization.yaml"] == (
        "not checked: kustomization deploy/overlays/dev: needs kustomize or kubectl on PATH to render the "
        "kustomization (or name one with --kustomize-bin); or render it yourself: kubectl kustomize "
        "deploy/overlays/dev | svclint check -"
    )
    assert notes["charts/shop/Chart.yaml"] == (
        "not checked: Helm chart charts/shop: helm was not found on PATH; install helm, or render the chart "
        "yourself and pipe it in: helm template charts/shop | svclint check - --helm-chart-root charts/shop"
    )
    # only notes left: the exit code follows the findings
    assert run_cli("check", "deploy", "envs/dev", "--isolated").exit_code == 0


def test_text_names_the_units(repository: Path) -> None:
    run = run_cli("check", "envs", "--isolated")
    assert run.stdout.splitlines()[:3] == [
        "envs/prod/web.yaml:7:3: SVC101 service-selects-nothing Service shop/web selector app=web-prod matches no "
        "pod template in namespace 'shop'; nearest is Deployment shop/web, whose pod template has app=web, not "
        "app=web-prod",
        "    envs/prod/web.yaml:24:7: nearest pod template: Deployment shop/web",
        "    in unit envs/prod",
    ]


def test_alternative_environments_are_not_duplicates(repository: Path) -> None:
    """envs/dev and envs/prod define the same objects: two units, so no SVC003 and dev's
    Service does not select prod's pods."""
    run = run_cli("check", "envs", "--format", "json", "--isolated")
    assert _keys(run.json()) == [("SVC101", "envs/prod/web.yaml", 7, ("envs/prod",))]


def test_sarif_and_json_carry_the_units(repository: Path) -> None:
    sarif = run_cli("check", "envs", "deploy", "--format", "sarif", "--isolated", "--kustomize-bin", _kubectl()).json()
    units = sorted(tuple(r["properties"]["units"]) for r in sarif["runs"][0]["results"])
    assert units == [("deploy/overlays/dev", "deploy/overlays/prod"), ("envs/prod",)]


def test_one_unit_runs_are_unchanged() -> None:
    """A run of one unit has no unit in its findings (the output of earlier versions)."""
    run = run_cli("check", "fixtures/rules/SVC101/bad.yaml", "--format", "json", "--isolated")
    assert all("units" not in f for f in run.json()["findings"])


def test_gitignored_files_are_read_when_named_or_with_no_gitignore(repository: Path) -> None:
    walked = run_cli("check", "out", "apps", "--format", "json", "--isolated")  # out/ named: read
    assert {f["file"] for f in walked.json()["findings"]} == {"out/all.yaml", "apps/web/service.yaml"}
    named = run_cli("check", "out/all.yaml", "--format", "json", "--isolated")
    assert [f["file"] for f in named.json()["findings"]] == ["out/all.yaml"]
    every = run_cli("check", ".", "--no-gitignore", "--format", "json", "--isolated", "--select", "SVC201")
    assert {f["file"] for f in every.json()["findings"]} == {"out/all.yaml", "apps/web/service.yaml"}
    ignored = run_cli("check", ".", "--format", "json", "--isolated", "--select", "SVC201")
    assert {f["file"] for f in ignored.json()["findings"]} == {"apps/web/service.yaml"}


def test_nested_gitignore_and_info_exclude(repository: Path) -> None:
    (repository / "apps" / ".gitignore").write_text("web/\n")
    run = run_cli("check", ".", "--format", "json", "--isolated", "--select", "SVC201")
    assert run.json()["findings"] == []
    (repository / "apps" / ".gitignore").unlink()
    (repository / ".git" / "info").mkdir(exist_ok=True)
    (repository / ".git" / "info" / "exclude").write_text("service.yaml\n")
    run = run_cli("check", ".", "--format", "json", "--isolated", "--select", "SVC201")
    assert run.json()["findings"] == []


def test_git_runs_no_command_the_repository_config_names(repository: Path, tmp_path: Path) -> None:
    """Issue 16: `git ls-files` would run core.fsmonitor from .git/config (an unpacked archive's)."""
    marker = tmp_path / "fsmonitor-ran"
    subprocess.run(["git", "config", "core.fsmonitor", f"touch {marker}; echo"], cwd=repository, check=True)
    run = run_cli("check", ".", "--format", "json", "--isolated", "--select", "SVC201")
    assert {f["file"] for f in run.json()["findings"]} == {"apps/web/service.yaml"}  # out/ still ignored
    assert not marker.exists()


def test_kustomization_file_named_with_its_resources_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-commit and `git ls-files` pass kustomization.yaml next to its resources."""
    base = "fixtures/units-repo/deploy/base"
    run = run_cli(
        "check", f"{base}/kustomization.yaml", f"{base}/service.yaml", f"{base}/deployment.yaml",
        "--kustomize-bin", _kubectl(), "--format", "json", "--isolated",
    )
    payload = run.json()
    assert payload["summary"]["objects"] == 2
    assert [(f["rule"], f["file"], f["line"]) for f in payload["findings"]] == [("SVC104", f"{base}/service.yaml", 11)]


def test_component_objects_are_attributed_to_their_resource_files(tmp_path: Path) -> None:
    component = tmp_path / "component"
    component.mkdir()
    (component / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - service.yaml\n"
    )
    shutil.copy(REPO_FIXTURE / "apps" / "web" / "service.yaml", component / "service.yaml")
    run = run_cli("check", str(component), "--kustomize-bin", _kubectl(), "--format", "json", "--isolated")
    assert [(f["rule"], Path(f["file"]).name, f["line"]) for f in run.json()["findings"]] == [
        ("SVC201", "service.yaml", 12)
    ]


def test_kustomization_that_fails_to_build_is_one_note_and_the_rest_is_checked(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "kustomization.yaml").write_text("resources:\n  - missing.yaml\n")
    shutil.copytree(REPO_FIXTURE / "apps", tmp_path / "apps")
    run = run_cli("check", str(tmp_path), "--kustomize-bin", _kubectl(), "--format", "json", "--isolated")
    assert run.exit_code == 1, run.stderr
    findings = run.json()["findings"]
    assert [(f["rule"], Path(f["file"]).name, f["line"]) for f in findings] == [
        ("SVC201", "service.yaml", 12),
        ("SVC009", "kustomization.yaml", 1),
    ] or [(f["rule"], Path(f["file"]).name, f["line"]) for f in findings] == [
        ("SVC009", "kustomization.yaml", 1),
        ("SVC201", "service.yaml", 12),
    ]
    note = next(f for f in findings if f["rule"] == "SVC009")
    assert note["severity"] == "note" and "missing.yaml" in note["message"]


# -- other tools' YAML, templates, empty runs ---------------------------------------------


def test_tool_configs_are_skipped_and_counted(tmp_path: Path) -> None:
    (tmp_path / "tools.yaml").write_text(
        "apiVersion: skaffold/v4beta6\nkind: Config\nbuild: {}\n---\n"
        "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n---\n"
        "apiVersion: v1\nkind: Config\nclusters: []\n---\n"
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n---\n"
        "apiVersion: kuttl.dev/v1beta1\nkind: TestSuite\n---\n"
        "apiVersion: k3d.io/v1alpha5\nkind: Simple\n"
    )
    shutil.copy(REPO_FIXTURE / "kind-cluster.yaml", tmp_path / "kind.yaml")
    run = run_cli("check", str(tmp_path), "--format", "json", "--isolated", "--allow-empty")
    assert run.exit_code == 0 and run.json()["findings"] == []
    assert run.json()["summary"]["skipped_documents"] == 7


def test_vitess_style_templates_are_one_svc005_per_document_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "etcd-controller-template.yaml").write_text(
        "apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: etcd-{{cell}}\nspec:\n"
        "  replicas: {{replicas}}\n  template:\n    metadata:\n      labels:\n        cell: {{cell}}\n"
        "    spec:\n      containers:\n        - name: etcd\n          image: vitess/etcd:v2\n"
    )
    (tmp_path / "vtgate-controller-template.yaml").write_text(
        "apiVersion: v1\nkind: ReplicationController\nmetadata:\n  name: vtgate\nspec:\n"
        "  replicas: {{replicas}}\n  template:\n    metadata:\n      labels:\n        component: vtgate\n"
        "    spec:\n      containers:\n        - name: vtgate\n          image: vitess/lite\n"
        "          ports:\n            - containerPort: 15001\n"
    )
    (tmp_path / "vtgate-service.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: vtgate\nspec:\n  selector:\n    component: vtgate\n"
        "  ports:\n    - port: 15001\n"
    )
    run = run_cli("check", str(tmp_path), "--format", "json", "--isolated")
    found = [(f["rule"], Path(f["file"]).name, f["line"], f["column"]) for f in run.json()["findings"]]
    assert found == [
        ("SVC005", "etcd-controller-template.yaml", 4, 14),
        ("SVC005", "vtgate-controller-template.yaml", 6, 13),
    ]
    assert "'{{replicas}}'" in run.json()["findings"][1]["message"]


def test_empty_input_exits_2_saying_what_was_looked_at(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").write_text("replicas: 2\n")
    run = run_cli("check", str(tmp_path), "--isolated")
    assert run.exit_code == 2
    assert run.stderr == (
        f"svclint: error: no Kubernetes object found in {tmp_path} (1 file read, 1 non-Kubernetes document "
        "skipped); pass --allow-empty to exit 0 anyway\n"
    )
    assert run_cli("check", str(tmp_path), "--isolated", "--allow-empty").exit_code == 0


# -- units: configuration, --unit, matrix -----------------------------------------------


def test_units_config_names_units_by_globs(repository: Path) -> None:
    (repository / ".svclint.yaml").write_text(
        "units:\n  - name: everything-web\n    paths: [envs/dev, apps/**]\n  - name: prod\n    paths: [envs/prod/*.yaml]\n"
    )
    run = run_cli("check", "envs", "apps", "--format", "json")
    assert sorted(_keys(run.json())) == [
        ("SVC101", "envs/prod/web.yaml", 7, ("prod",)),
        ("SVC201", "apps/web/service.yaml", 12, ("everything-web",)),
    ]
    only = run_cli("check", "envs", "apps", "--format", "json", "--unit", "prod")
    assert _keys(only.json()) == [("SVC101", "envs/prod/web.yaml", 7, ("prod",))]
    unknown = run_cli("check", "envs", "--unit", "nope")
    assert unknown.exit_code == 2
    assert unknown.stderr == "svclint: error: --unit nope: no such unit; this run's units: everything-web, prod\n"


def test_matrix_needs_one_unit(repository: Path) -> None:
    run = run_cli("matrix", "envs", "--isolated")
    assert run.exit_code == 2
    assert run.stderr == (
        "svclint: error: these paths hold 2 deployment units; name one with --unit: envs/dev, envs/prod\n"
    )
    one = run_cli("matrix", "envs", "--isolated", "--unit", "envs/dev", "-f", "csv")
    assert one.exit_code == 0, one.stderr
    assert "shop/web[Deployment]" in one.stdout


# -- Helm --------------------------------------------------------------------------------


def test_helm_values_and_set_reach_helm_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "args"
    _stand_in_helm(tmp_path, log)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    values = tmp_path / "prod.yaml"
    values.write_text("replicas: 3\n")
    run = run_cli(
        "check", "--helm-chart", "fixtures/helm/shop", "--helm-values", str(values),
        "--helm-set", "service.nodePort=30080", "--isolated", "--format", "json",
    )
    assert run.exit_code == 1, run.stderr
    assert log.read_text() == f"template fixtures/helm/shop --values {values} --set service.nodePort=30080\n"


def test_helm_config_per_chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "args"
    _stand_in_helm(tmp_path, log)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    project = tmp_path / "project"
    shutil.copytree(FIXTURES / "helm" / "shop", project / "charts" / "shop")
    (project / "prod.yaml").write_text("replicas: 3\n")
    (project / ".svclint.yaml").write_text(
        "helm:\n  set: [global.env=prod]\n  charts:\n    charts/shop:\n      values: [prod.yaml]\n      set: [a=b]\n"
    )
    monkeypatch.chdir(project)
    run = run_cli("check", ".", "--format", "json")
    assert run.exit_code == 1, run.stderr
    assert log.read_text() == f"template ./charts/shop --values {project / 'prod.yaml'} --set global.env=prod --set a=b\n"
    assert {f["file"] for f in run.json()["findings"]} == {"charts/shop/templates/service.yaml"}


def test_piped_helm_output_points_at_the_chart_given(tmp_path: Path) -> None:
    run = run_cli(
        "check", "-", "--helm-chart-root", "fixtures/helm/shop", "--format", "json", "--isolated",
        input=RENDERED_SHOP.read_text(),
    )
    assert [(f["rule"], f["file"], f["line"]) for f in run.json()["findings"]] == [
        ("SVC101", "fixtures/helm/shop/templates/service.yaml", 7),
        ("SVC201", "fixtures/helm/shop/templates/service.yaml", 13),
    ]


# -- the unit rule itself -----------------------------------------------------------------


def test_split_plain_rule() -> None:
    web: unit_rules.Identity = ("Service", "shop", "web")
    files = ["envs/dev/web.yaml", "envs/prod/web.yaml", "envs/namespace.yaml", "ingress/ing.yaml", "k/a.yaml"]
    identities = {
        "envs/dev/web.yaml": {web: "port 80"},
        "envs/prod/web.yaml": {web: "port 8080"},
        "envs/namespace.yaml": {("Namespace", None, "shop"): ""},
    }
    assert split_plain(files, identities) == [
        ("envs", ["envs/namespace.yaml"]),
        ("envs/dev", ["envs/dev/web.yaml"]),
        ("envs/prod", ["envs/prod/web.yaml"]),
        ("ingress", ["ingress/ing.yaml"]),
        ("k", ["k/a.yaml"]),
    ]
    # files of one directory are applied together: never alternatives (SVC003 if they clash)
    clash = {"d/a.yaml": {web: "port 80"}, "d/b.yaml": {web: "port 8080"}}
    assert split_plain(["d/a.yaml", "d/b.yaml"], clash) == [("d", ["d/a.yaml", "d/b.yaml"])]
    # ... and in a directory of examples, each file is an example applied on its own
    assert split_plain(["x/examples/a.yaml", "x/examples/b.yaml"], {f"x/examples/{k[2:]}": v for k, v in clash.items()}) == [
        ("x/examples/a.yaml", ["x/examples/a.yaml"]),
        ("x/examples/b.yaml", ["x/examples/b.yaml"]),
    ]
    # ... but two files defining exactly the same two or more objects, differently, are
    # variants of one app (a Deployment and its Service per model size): one unit each
    deploy: unit_rules.Identity = ("Deployment", "shop", "llm")
    sizes = {"m/llm-2b.yaml": {web: "p", deploy: "2b"}, "m/llm-7b.yaml": {web: "p", deploy: "7b"}, "m/pvc.yaml": {}}
    assert split_plain(sorted(sizes), sizes) == [
        ("m", ["m/pvc.yaml"]),
        ("m/llm-2b.yaml", ["m/llm-2b.yaml"]),
        ("m/llm-7b.yaml", ["m/llm-7b.yaml"]),
    ]
    # ... unless they are copies of a whole app: 3+ shared objects, one file adding objects
    # (argo-cd's install.yaml beside install-with-hydrator.yaml) or changing them
    app = {("Deployment", "shop", "web"): "d", ("ConfigMap", "shop", "web"): "c", web: "port 80"}
    more = {**app, ("Deployment", "shop", "hydrator"): ""}
    copies = {"m/install.yaml": app, "m/install-more.yaml": more, "m/install-copy.yaml": dict(app), "m/other.yaml": {}}
    assert split_plain(sorted(copies), copies) == [
        ("m", ["m/other.yaml"]),
        ("m/install-copy.yaml", ["m/install-copy.yaml"]),
        ("m/install-more.yaml", ["m/install-more.yaml"]),
        ("m/install.yaml", ["m/install.yaml"]),
    ]
    # ... and two exact copies of a whole file stay together: a pasted file (SVC003)
    twins = {"t/a.yaml": app, "t/b.yaml": dict(app)}
    assert split_plain(sorted(twins), twins) == [("t", ["t/a.yaml", "t/b.yaml"])]
    # exact copies in two directories: a pasted duplicate (SVC003), not alternatives
    same = {"a/x.yaml": {web: "port 80"}, "b/x.yaml": {web: "port 80"}}
    assert split_plain(["a/x.yaml", "b/x.yaml"], same) == [(".", ["a/x.yaml", "b/x.yaml"])]
    # a directory's own files against one of its subdirectories (web/*.yaml beside
    # web/all-in-one/, defining the same Service differently): alternatives too
    parts = {"web/svc.yaml": {web: "port 80"}, "web/all-in-one/all.yaml": {web: "port 8080"}}
    assert split_plain(["web/svc.yaml", "web/all-in-one/all.yaml"], parts) == [
        ("web", ["web/svc.yaml"]),
        ("web/all-in-one", ["web/all-in-one/all.yaml"]),
    ]
    # no alternatives: one unit, named after the deepest common directory
    assert split_plain(["k8s/a/x.yaml", "k8s/b/y.yaml"], {}) == [("k8s", ["k8s/a/x.yaml", "k8s/b/y.yaml"])]
    # a GitOps application's path is its own unit
    assert split_plain(["apps/a/x.yaml", "apps/b/y.yaml"], {}, ["apps/a"]) == [
        ("apps/a", ["apps/a/x.yaml"]),
        ("apps/b", ["apps/b/y.yaml"]),
    ]


def test_units_each_makes_one_unit_per_matched_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """svclint's own rule fixtures: bad.yaml and good.yaml of a folder are alternatives,
    a folder case (bad.cross-file/) one unit."""
    shutil.copytree(FIXTURES / "rules" / "SVC003", tmp_path / "SVC003")
    (tmp_path / ".svclint.yaml").write_text("units:\n  - paths: ['*/*']\n    each: true\n")
    monkeypatch.chdir(tmp_path)
    run = run_cli("check", ".", "--format", "json", "--select", "SVC003")
    assert sorted((f["file"], f["line"], tuple(f["units"])) for f in run.json()["findings"]) == [
        ("SVC003/bad.cross-file/b.yaml", 5, ("SVC003/bad.cross-file",)),
        ("SVC003/bad.default-namespace.yaml", 10, ("SVC003/bad.default-namespace.yaml",)),
        ("SVC003/bad.identical-copy.yaml", 13, ("SVC003/bad.identical-copy.yaml",)),
        ("SVC003/bad.yaml", 11, ("SVC003/bad.yaml",)),
    ]


def test_merge_reports_a_shared_line_once() -> None:
    at = Location("base/service.yaml", 11, 7)
    one = Finding("SVC104", "n", Severity.ERROR, "dev message", at)
    two = Finding("SVC104", "n", Severity.ERROR, "prod message", at)
    merged = merge_findings([("dev", [one]), ("prod", [two])])
    assert [(f.message, f.units) for f in merged] == [("dev message", ("dev", "prod"))]


def test_json_key_order_is_stable(repository: Path) -> None:
    run = run_cli("check", "envs", "--format", "json", "--isolated")
    assert list(run.json()["findings"][0])[-1] == "units"
    assert json.loads(run.stdout) == run.json()


def test_a_kind_that_is_a_mapping_is_svc002_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind:\n  value: ConfigMap\nmetadata:\n  name: web-config\n")
    run = run_cli("check", str(tmp_path), "--format", "json", "--isolated")
    assert [(f["rule"], f["line"]) for f in run.json()["findings"]] == [("SVC002", 2)]


def test_another_tools_versioned_file_is_skipped_but_an_object_without_kind_is_svc002() -> None:
    """Grafana's provisioning files (``apiVersion: 1``) are not objects missing a kind; an eksctl
    ClusterConfig written for envsubst is no unrendered template (SVC005), an IstioOperator
    without a name (istioctl's input) and a Helm repository's index.yaml are no incomplete
    objects (SVC002): all are skipped."""
    run = run_cli("check", "fixtures/foreign", "--format", "json", "--isolated", "--no-cache")
    assert [(f["rule"], f["file"], f["line"]) for f in run.json()["findings"]] == [
        ("SVC002", "fixtures/foreign/missing-kind.yaml", 3),
        ("SVC002", "fixtures/foreign/missing-kind.yaml", 10),
    ]
    assert run.json()["summary"]["skipped_documents"] == 5


def test_what_a_unit_lacks_in_another_unit_is_a_note_naming_it() -> None:
    """fixtures/units-partial: Services applied beside another unit's workloads (bank-of-anthos's
    extras/) are notes naming the unit; a selector no unit's pods carry stays an error."""
    run = run_cli("check", "fixtures/units-partial", "--format", "json", "--isolated", "--no-cache")
    found = [(f["rule"], f["severity"], f["file"].split("units-partial/")[1], f["line"], f["message"].rsplit("; ", 1)[-1]) for f in run.json()["findings"]]
    app = "it is only in another deployment unit of this run, fixtures/units-partial/app"
    pods = "pods with these labels are only in another deployment unit of this run, fixtures/units-partial/app"
    selected = "pods it selects are only in another deployment unit of this run, fixtures/units-partial/app"
    assert found == [
        ("SVC108", "note", "extras/backup/db.yaml", 8, app),
        ("SVC301", "note", "extras/backup/db.yaml", 35, app),
        ("SVC101", "error", "extras/multicluster/broken.yaml", 7, "there are no pod templates in namespace 'default'"),
        ("SVC101", "note", "extras/multicluster/services.yaml", 9, pods),
        ("SVC303", "note", "extras/multicluster/services.yaml", 22, pods),
        ("SVC401", "note", "extras/policies/web.yaml", 7, selected),
        ("SVC402", "note", "extras/policies/web.yaml", 12, selected),
        ("SVC402", "warning", "extras/policies/web.yaml", 15, "this peer allows nothing"),
        ("SVC401", "warning", "extras/policies/web.yaml", 25, "NetworkPolicy default/web-access podSelector app=webb matches no pod template in namespace 'default', so it isolates and allows nothing"),
    ]
    assert run.exit_code == 1
    # Checked alone, the same unit lacks them for certain.
    alone = run_cli("check", "fixtures/units-partial/extras/multicluster", "--format", "json", "--isolated", "--no-cache")
    assert [(f["rule"], f["severity"]) for f in alone.json()["findings"]] == [("SVC101", "error"), ("SVC101", "error"), ("SVC303", "error")]


def test_copies_of_a_whole_app_in_one_directory_are_units_but_a_pasted_object_is_svc003() -> None:
    """fixtures/units-copies: an all-in-one and a quickstart file of one app (3 shared objects,
    aks-store-demo's shape) are checked one at a time; a Service pasted into a second file of
    the same directory is still a duplicate, and every copy is still checked."""
    run = run_cli("check", "fixtures/units-copies", "--format", "json", "--isolated", "--no-cache")
    assert [(f["rule"], f["file"].rsplit("/", 1)[1], f["line"], f["units"]) for f in run.json()["findings"]] == [
        ("SVC101", "store-all-in-one.yaml", 49, ["fixtures/units-copies/store-all-in-one.yaml"]),
        ("SVC003", "web.yaml", 29, ["fixtures/units-copies"]),
        ("SVC105", "web.yaml", 35, ["fixtures/units-copies"]),
    ]


def test_services_beside_variants_of_the_app_select_another_units_pods() -> None:
    """fixtures/units-versions (Istio's bookinfo shape): a Service per version sits beside two
    copies of the app, each a unit of its own, in a unit that runs other pods in the namespace.
    Its selector matches a copy's pods: a note naming that unit; a version no unit runs stays
    an error."""
    run = run_cli("check", "fixtures/units-versions", "--format", "json", "--isolated", "--no-cache")
    assert [(f["rule"], f["severity"], f["file"], f["line"], f["message"].rsplit("; ", 1)[-1]) for f in run.json()["findings"]] == [
        (
            "SVC101", "note", "fixtures/units-versions/versions.yaml", 7,
            "pods with these labels are only in another deployment unit of this run, fixtures/units-versions/app-hardened.yaml",
        ),
        (
            "SVC101", "error", "fixtures/units-versions/versions.yaml", 18,
            "nearest is Deployment default/mongodb, whose pod template has app=mongodb, not app=reviews and has no label 'version'",
        ),
    ]


def test_labels_a_chart_not_rendered_writes_make_its_selectors_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fixtures/units-unrendered (openfaas/faas-netes' shape): without helm the chart is not
    checked; a Service beside it selecting the labels its templates write is a note naming the
    chart, while a selector nothing writes stays an error."""
    monkeypatch.setenv("PATH", str(tmp_path))  # no helm
    run = run_cli("check", "fixtures/units-unrendered", "--format", "json", "--isolated", "--no-cache")
    assert [(f["rule"], f["severity"], f["file"], f["line"], f["message"].rsplit("; ", 1)[-1]) for f in run.json()["findings"]][1:] == [
        (
            "SVC101", "note", "fixtures/units-unrendered/cloud/gateway-lb.yaml", 10,
            "pods with these labels are only in another deployment unit of this run, "
            "fixtures/units-unrendered/chart/gateway (not rendered: its files write these labels)",
        ),
        ("SVC101", "error", "fixtures/units-unrendered/cloud/gateway-lb.yaml", 22, "there are no pod templates in namespace 'openfaas'"),
    ]
    assert run.json()["findings"][0]["rule"] == "SVC009"
