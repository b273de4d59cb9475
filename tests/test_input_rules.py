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


def test_chart_directory_checked_as_files_asks_to_render() -> None:
    run = run_cli("check", "fixtures/helm/shop", "--format", "json")
    got = [(f["rule"], f["file"], f["line"]) for f in run.json()["findings"]]
    assert got == [
        ("SVC005", "fixtures/helm/shop/templates/deployment.yaml", 4),
        ("SVC005", "fixtures/helm/shop/templates/service.yaml", 4),
    ]
    assert run.json()["summary"]["skipped_documents"] == 2  # Chart.yaml and values.yaml


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
