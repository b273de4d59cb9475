"""SVC008 unknown-field by default: the issue's cases, deferral, SVC004 and --kube-version."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import FIXTURES, REPO, expected_markers, finding_keys, run_cli

STRICT = sorted((FIXTURES / "strict").glob("*.yaml"))
HINTS = {
    "containerport.yaml": "did you mean containerPort?",
    "ingress-v1beta1-backend.yaml": "serviceName is now service.name; servicePort is now service.port.number",
    "matchlabel.yaml": "did you mean matchLabels?",
    "namespace-under-spec.yaml": "namespace belongs in metadata",
    "netpol-pod-selector.yaml": "write matchLabels: {app: ...}",
    "pod-level-ports.yaml": "ports belongs in each item of spec.template.spec.containers",
    "readinessprobe.yaml": "did you mean readinessProbe?",
    "selector-only-under-template.yaml": "selector belongs one level up, in spec",
    "selector-under-template.yaml": "selector belongs one level up, in spec",
    "targetport.yaml": "did you mean targetPort?",
}
# What the other rules said before SVC008 existed (and still say with it switched off).
WITHOUT_SVC008 = {
    "targetport.yaml": "SVC105",
    "ingress-v1beta1-backend.yaml": "SVC301",
    "readinessprobe.yaml": "SVC111",
    "containerport.yaml": "SVC206",
    "matchlabel.yaml": "SVC103",
    "selector-only-under-template.yaml": "SVC103",
}


def _rel(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


@pytest.mark.parametrize("case", STRICT, ids=[p.name for p in STRICT])
def test_one_finding_at_the_key_by_default(case: Path) -> None:
    run = run_cli("check", _rel(case), "--isolated", "--format", "json")
    assert run.exit_code == 1, run.stderr
    payload = run.json()
    assert finding_keys(payload) == expected_markers([case])  # every default rule: SVC008 only
    assert all(HINTS[case.name] in f["message"] for f in payload["findings"])


@pytest.mark.parametrize("name", sorted(WITHOUT_SVC008))
def test_other_rules_defer_only_while_svc008_runs(name: str) -> None:
    run = run_cli("check", _rel(FIXTURES / "strict" / name), "--isolated", "--format", "json", "--ignore", "SVC008")
    assert WITHOUT_SVC008[name] in {f["rule"] for f in run.json()["findings"]}


def test_message_names_the_object_and_the_version() -> None:
    run = run_cli("check", "fixtures/strict/targetport.yaml", "--isolated", "--format", "json")
    (finding,) = run.json()["findings"]
    assert finding["message"] == (
        "unknown field targetport in spec.ports[0] (ServicePort); did you mean targetPort? "
        "(Service default/web, Kubernetes 1.25-1.37)"
    )
    assert (finding["line"], finding["column"], finding["field"]) == (11, 7, "spec.ports[0].targetport")


def test_svc004_leaves_unknown_fields_and_types_to_svc008() -> None:
    both = run_cli("check", "fixtures/rules/SVC004", "--isolated", "--format", "json", "--select", "SVC004,SVC008")
    got = sorted((f["file"].rsplit("/", 1)[-1], f["line"], f["rule"]) for f in both.json()["findings"])
    assert got == [
        ("bad.types.yaml", 6, "SVC008"),  # replicas: "2"
        ("bad.types.yaml", 7, "SVC008"),  # selectors; SVC004's "spec.selector is required" is the same defect
        ("bad.types.yaml", 21, "SVC008"),  # hostport
        ("bad.types.yaml", 25, "SVC008"),  # port: true
        ("bad.types.yaml", 35, "SVC004"),  # a required port: only the schemas know
        ("bad.yaml", 11, "SVC008"),  # targetport
    ]


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


def test_kube_version_picks_the_fields() -> None:
    """spec.trafficDistribution exists from Kubernetes 1.30 on."""
    by_default = run_cli("check", "-", "--select", "SVC008", "--format", "json", input=TRAFFIC_DISTRIBUTION)
    assert by_default.json()["findings"] == []
    old = run_cli("check", "-", "--select", "SVC008", "--kube-version", "1.29", "--format", "json", input=TRAFFIC_DISTRIBUTION)
    (finding,) = old.json()["findings"]
    assert finding["field"] == "spec.trafficDistribution" and "Kubernetes 1.29" in finding["message"]
    bad = run_cli("check", "-", "--kube-version", "one.two", input=TRAFFIC_DISTRIBUTION)
    assert bad.exit_code == 2 and "--kube-version 'one.two': expected MAJOR.MINOR" in bad.stderr


def test_keys_that_are_not_strings() -> None:
    run = run_cli("check", "fixtures/bad-input/odd-keys.yaml", "--isolated", "--format", "json", "--select", "SVC008")
    messages = [(f["line"], f["message"].split(" (Service")[0]) for f in run.json()["findings"]]
    assert messages == [
        (11, "null is not a field name in spec"),
        (12, "the boolean true is not a field name in spec"),
        (13, "the number 1.5 is not a field name in spec"),
    ]


def test_examples_and_scenarios_get_no_unknown_field() -> None:
    paths = ["fixtures/examples", "fixtures/scenarios", "fixtures/routing", "fixtures/core", "fixtures/kustomize", "fixtures/helm"]
    run = run_cli("check", *paths, "--isolated", "--format", "json", "--select", "SVC008,SVC216", "--fail-on", "never")
    assert [(f["file"], f["line"], f["rule"]) for f in run.json()["findings"]] == [
        ("fixtures/routing/invalid.yaml", 52, "SVC008"),  # podSelector: "not a selector" (was SVC409's)
    ]
