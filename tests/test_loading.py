"""Discovery, document handling and exact field locations, through the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from svclint.kube.objects import load
from svclint.lint.catalog import build_catalog
from svclint.loading.discovery import discover
from svclint.settings import Settings

from .conftest import REPO, run_cli

CORE = "fixtures/core"


def test_directories_are_walked_recursively_skipping_hidden_and_non_manifests() -> None:
    files = [os.path.relpath(f, REPO) for f in discover([f"{CORE}/tree"], cwd=str(REPO))]
    assert files == [
        "fixtures/core/tree/apps/vendor/thirdparty.yml",
        "fixtures/core/tree/apps/web.yaml",
        "fixtures/core/tree/nested/deeper/deploy.json",
    ]


def test_exclude_globs_on_the_command_line() -> None:
    run = run_cli("check", f"{CORE}/tree", "--isolated", "--exclude", "vendor/", "-f", "json")
    files = {f["file"] for f in run.json()["findings"]}
    assert files == {"fixtures/core/tree/apps/web.yaml"}
    assert run.json()["summary"]["files"] == 2


def test_a_missing_path_is_a_usage_error_naming_it() -> None:
    run = run_cli("check", "fixtures/does-not-exist", "--isolated")
    assert run.exit_code == 2
    assert "fixtures/does-not-exist: no such file or directory" in run.stderr


def test_symlink_loops_are_survived(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "svc.yaml").write_text((REPO / CORE / "tree/apps/web.yaml").read_text())
    os.symlink(tmp_path, tmp_path / "a" / "loop")
    files = discover([str(tmp_path)], cwd=str(tmp_path))
    assert [os.path.basename(f) for f in files] == ["svc.yaml"]


@pytest.mark.parametrize(
    ("field", "line", "column"),
    [
        ("", 6, 5),
        ("metadata.name", 9, 7),
        ('metadata.labels["app.kubernetes.io/name"]', 10, 16),
        ("spec.ports[1]", 15, 11),
        ("spec.ports[1].nodePort", 17, 11),
        ("spec.ports[1].targetPort", 15, 11),  # absent: nearest existing parent
        ("spec.nothing.here", 11, 5),
    ],
)
def test_any_field_path_has_an_exact_location_inside_list_items(field: str, line: int, column: int) -> None:
    result = load([f"{CORE}/locations.yaml"], Settings(), cwd=str(REPO))
    (service,) = result.objects
    location = service.location(field)
    assert (location.path, location.line, location.column) == (f"{CORE}/locations.yaml", line, column)


def test_stdin_is_read_with_a_stable_name() -> None:
    text = (REPO / CORE / "tree/apps/web.yaml").read_text()
    run = run_cli("check", "-", "--isolated", "-f", "json", input=text)
    assert run.exit_code == 1
    keys = [(f["file"], f["line"], f["rule"]) for f in run.json()["findings"]]
    assert keys == [("<stdin>", 7, "SVC101"), ("<stdin>", 11, "SVC201")]


def test_non_kubernetes_documents_are_skipped_and_counted() -> None:
    run = run_cli("check", "fixtures/rules/SVC001/good.not-kubernetes.yaml", "--isolated", "-f", "json", "--allow-empty")
    assert run.exit_code == 0
    assert run.json()["summary"] == {
        "files": 1,
        "objects": 0,
        "skipped_documents": 2,
        "findings": 0,
        "errors": 0,
        "warnings": 0,
        "notes": 0,
        "suppressed": 0,
        "rules": sum(1 for rule in build_catalog(plugins=False) if rule.enabled_by_default),
    }
    text = run_cli("check", "fixtures/rules/SVC001/good.not-kubernetes.yaml", "--isolated")
    assert text.stdout == "No problems found in 1 file, 0 objects; 2 non-Kubernetes documents skipped.\n"
    assert text.exit_code == 2  # no Kubernetes object at all (issue 17): see tests/test_units.py


def test_default_namespace_flag_moves_unnamespaced_objects() -> None:
    run = run_cli(
        "check", "fixtures/rules/SVC101/bad.other-namespace", "--isolated", "-f", "json", "--default-namespace", "shop"
    )
    assert run.exit_code == 0, run.json()["findings"]


def test_yaml_1_1_scalars_are_read_as_kubectl_reads_them(tmp_path: Path) -> None:
    manifest = tmp_path / "cm.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
        "data:\n  a: yes\n  b: 0755\n  c: 1.10\n  d: 2024-01-01\n  e: ~\n  f: 1_000\n"
    )
    (obj,) = load([str(manifest)], Settings(), cwd=str(tmp_path)).objects
    assert obj.data["data"] == {"a": True, "b": 493, "c": 1.1, "d": "2024-01-01", "e": None, "f": 1000}


def test_custom_resources_reusing_builtin_kind_names_are_not_builtin() -> None:
    # A Knative Service has no ports or selector and a Calico NetworkPolicy no podSelector:
    # read as core objects they would draw SVC102/SVC204/SVC409.
    run = run_cli("check", "fixtures/core/crds", "--isolated", "--select", "ALL", "-f", "json")
    assert run.exit_code == 0, run.json()["findings"]
    assert run.json()["findings"] == []
    objects = load(["fixtures/core/crds"], Settings(), cwd=str(REPO)).objects
    assert [(o.kind, o.manifest_kind) for o in objects] == [
        ("Service.serving.knative.dev", "Service"),
        ("NetworkPolicy.projectcalico.org", "NetworkPolicy"),
    ]


def test_a_broken_data_file_is_not_checked_but_a_broken_manifest_is_svc001() -> None:
    """fixtures/data-files: a MongoDB import file (``{rating: 5}`` lines, Istio's samples) is not
    YAML and names no apiVersion or kind: a note that it was not checked, not a syntax error.
    A manifest with the same kind of error stays SVC001."""
    run = run_cli("check", "fixtures/data-files", "--isolated", "--no-cache", "-f", "json")
    assert [(f["rule"], f["severity"], f["file"], f["line"], f["column"], f["message"]) for f in run.json()["findings"]] == [
        ("SVC001", "error", "fixtures/data-files/config.yaml", 6, 9, "did not find expected ',' or ']' (while parsing a flow sequence)"),
        (
            "SVC009", "note", "fixtures/data-files/ratings.json", 2, 1,
            "not checked: fixtures/data-files/ratings.json is not valid YAML (did not find expected <document start>) "
            "and names no apiVersion or kind, so it holds no Kubernetes object",
        ),
    ]
    assert run.exit_code == 1


def test_testdata_directories_are_passed_by_unless_named() -> None:
    """fixtures/testdata-dirs: a test's deliberately broken input under testdata/ (linkerd2's
    cli/cmd/testdata) is not walked, and a note says so; named on the command line, it is checked."""
    run = run_cli("check", "fixtures/testdata-dirs", "--isolated", "--no-cache", "-f", "json")
    assert run.exit_code == 0
    assert run.json()["summary"]["files"] == 1
    assert run.stderr == (
        "svclint: note: not walking 1 test fixture directory named testdata (name one to check it): "
        "fixtures/testdata-dirs/cli/testdata\n"
    )
    named = run_cli("check", "fixtures/testdata-dirs", "fixtures/testdata-dirs/cli/testdata", "--isolated", "--no-cache", "-f", "json")
    assert [(f["rule"], f["file"], f["line"]) for f in named.json()["findings"]] == [
        ("SVC103", "fixtures/testdata-dirs/cli/testdata/inject.bad.input.yaml", 6)
    ]
    assert named.stderr == ""
