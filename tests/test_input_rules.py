"""SVC004/SVC005/SVC006 behaviour beyond the fixture harness: interplay with other rules."""

from __future__ import annotations

from .conftest import run_cli


def test_unrendered_template_is_not_a_cascade_of_syntax_errors() -> None:
    run = run_cli("check", "fixtures/rules/SVC005/bad.yaml", "fixtures/rules/SVC005/bad.quoted-values.yaml", "--format", "json")
    assert run.exit_code == 1
    got = [(f["rule"], f["file"], f["line"]) for f in run.json()["findings"]]
    assert got == [
        ("SVC005", "fixtures/rules/SVC005/bad.quoted-values.yaml", 17),
        ("SVC005", "fixtures/rules/SVC005/bad.quoted-values.yaml", 27),
        ("SVC005", "fixtures/rules/SVC005/bad.yaml", 4),
    ]
    assert run.json()["findings"][2]["message"] == (
        "unrendered template syntax '{{ .Release.Name }}': this is a Helm/Go template, not a manifest; "
        "render it first (helm template CHART | svclint check -) and check the output"
    )


def test_syntax_error_without_template_stays_svc001() -> None:
    run = run_cli("check", "-", "--format", "json", input="apiVersion: v1\nkind: ConfigMap\n  bad: [\n")
    assert [f["rule"] for f in run.json()["findings"]] == ["SVC001"]


def test_chart_templates_checked_as_files_ask_to_render() -> None:
    """The templates folder on its own (not the chart: that is rendered, issue 17)."""
    run = run_cli("check", "fixtures/helm/shop/templates", "--format", "json")
    got = [(f["rule"], f["file"], f["line"]) for f in run.json()["findings"]]
    assert got == [
        ("SVC005", "fixtures/helm/shop/templates/deployment.yaml", 4),
        ("SVC005", "fixtures/helm/shop/templates/service.yaml", 4),
    ]


def test_chart_directory_without_helm_is_one_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no helm
    run = run_cli("check", "fixtures/helm/shop", "--format", "json")
    assert run.exit_code == 0, run.stderr
    got = [(f["rule"], f["severity"], f["file"], f["line"]) for f in run.json()["findings"]]
    assert got == [("SVC009", "note", "fixtures/helm/shop/Chart.yaml", 1)]


def test_implicit_yaml_type_messages_quote_the_text_as_written() -> None:
    run = run_cli("check", "fixtures/rules/SVC006/bad.yaml", "fixtures/rules/SVC006/bad.workload.yaml", "--select", "SVC006", "--format", "json")
    by_line = {(f["file"].rsplit("/", 1)[-1], f["line"]): f for f in run.json()["findings"]}
    version = by_line[("bad.yaml", 8)]
    assert version["message"] == (
        'label version: 1.10 is read as the number 1.1 by YAML 1.1 (as kubectl parses it), and the API server '
        'rejects a non-string here; quote it: version: "1.10"'
    )
    assert (version["column"], version["field"]) == (14, 'metadata.labels.version')  # the value, not the key
    assert "the number 493 (octal)" in by_line[("bad.workload.yaml", 34)]["message"]
    assert "canary: n is read as the boolean false" in by_line[("bad.workload.yaml", 17)]["message"]
    assert by_line[("bad.workload.yaml", 36)]["message"].endswith(
        'and the empty string is stored instead; quote it: value: "null"'
    )


def test_implicit_yaml_type_in_helm_output_points_at_the_template() -> None:
    rendered = "---\n# Source: app/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  DEBUG: off\n"
    run = run_cli("check", "-", "--select", "SVC006", "--format", "json", input=rendered)
    assert [(f["file"], f["line"], f["column"]) for f in run.json()["findings"]] == [("app/templates/cm.yaml", 6, 10)]


# -- SVC004 --------------------------------------------------------------------------------

import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from svclint.kube.schemas import load_schema_set  # noqa: E402

TRAFFIC_DISTRIBUTION = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  trafficDistribution: PreferClose
  ports:
    - port: 80
"""


def test_schema_follows_kube_version() -> None:
    """spec.trafficDistribution exists from Kubernetes 1.30 on: unknown in the 1.29 schema."""
    newest = run_cli("check", "-", "--select", "SVC004", "--format", "json", input=TRAFFIC_DISTRIBUTION)
    assert newest.json()["findings"] == []
    old = run_cli("check", "-", "--select", "SVC004", "--kube-version", "1.29", "--format", "json", input=TRAFFIC_DISTRIBUTION)
    assert [(f["line"], f["message"]) for f in old.json()["findings"]] == [
        (8, "unknown field spec.trafficDistribution; spec has no such field (Service v1, Kubernetes 1.29 schema)")
    ]


def test_kube_version_older_than_the_schemas_is_a_usage_error() -> None:
    run = run_cli("check", "-", "--select", "SVC004", "--kube-version", "1.20", input=TRAFFIC_DISTRIBUTION)
    assert run.exit_code == 2
    assert run.stderr == "svclint: error: --kube-version 1.20: the installed schemas start at 1.25\n"


def test_schema_dir_validates_custom_resources(tmp_path: Path) -> None:
    group = tmp_path / "monitoring.coreos.com"
    group.mkdir()
    (group / "servicemonitor_v1.json").write_text(
        '{"type": "object", "properties": {"apiVersion": {}, "kind": {}, "metadata": {"type": "object"},'
        ' "spec": {"type": "object", "additionalProperties": false, "properties": {"selector": {"type": "object"},'
        ' "endpoints": {"type": "array", "items": {"type": "object", "additionalProperties": false,'
        ' "properties": {"port": {"type": "string"}, "interval": {"type": "string"}}}}}}}}'
    )
    case = "fixtures/rules/SVC004/good.custom-resource.yaml"
    run = run_cli("check", case, "--select", "SVC004", "--schema-dir", str(tmp_path), "--format", "json")
    assert [(f["line"], f["message"]) for f in run.json()["findings"]] == [
        (12, "unknown field spec.endpoints[0].intervall; did you mean 'interval'? (ServiceMonitor monitoring.coreos.com/v1, Kubernetes 1.37 schema)")
    ]


def test_schema_violation_without_schemas_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "kubernetes_validate", None)  # as if the extra were not installed
    load_schema_set.cache_clear()
    try:
        run = run_cli("check", "fixtures/rules/SVC004/bad.yaml", "--select", "SVC004")
        assert run.exit_code == 2
        assert run.stderr == (
            "svclint: error: SVC004 (schema-violation) is selected but no Kubernetes JSON schemas are installed: "
            "pip install 'svclint[schemas]' (Kubernetes JSON schemas), or give --schema-dir DIR\n"
        )
        default = run_cli("check", "fixtures/rules/SVC004/good.yaml")  # off by default: no error
        assert default.exit_code == 0, default.stderr
    finally:
        load_schema_set.cache_clear()


def test_an_identical_duplicate_is_a_note_and_a_different_one_a_warning() -> None:
    """openfaas/faas-netes keeps a bundle of its CRDs beside the files it was made from: the
    copies are identical, so applying both changes nothing (a note); copies that differ are a
    warning, since the last one applied wins."""
    run = run_cli(
        "check", "fixtures/rules/SVC003/bad.identical-copy.yaml", "fixtures/rules/SVC003/bad.yaml",
        "--select", "SVC003", "--format", "json", "--isolated", "--no-cache",
    )
    assert [(f["severity"], f["file"], f["line"], f["message"]) for f in run.json()["findings"]] == [
        (
            "note", "fixtures/rules/SVC003/bad.identical-copy.yaml", 13,
            "ConfigMap default/web-flags is already defined at fixtures/rules/SVC003/bad.identical-copy.yaml:6; the two "
            "are identical, so applying both changes nothing until one is edited: keep one",
        ),
        (
            "warning", "fixtures/rules/SVC003/bad.yaml", 11,
            "ConfigMap default/web-config is already defined at fixtures/rules/SVC003/bad.yaml:4; the one applied last "
            "replaces the other",
        ),
    ]
