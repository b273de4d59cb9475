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
