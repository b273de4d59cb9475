"""SVC1xx behaviours beyond the fixture harness: exact messages, skipped cases, and the
shared endpoint helpers (svclint/kube/endpoints.py) on real loaded manifests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from svclint.kube.endpoints import (
    manual_endpoints,
    resolve_target_port,
    selected_templates,
)
from svclint.kube.graph import ManifestGraph
from svclint.kube.model import ContainerPort
from svclint.kube.objects import load
from svclint.kube.services import service_ports
from svclint.settings import Settings

from .conftest import FIXTURES, REPO, run_cli

RULES = FIXTURES / "rules"


def _findings(path: Path, select: str) -> list[dict[str, Any]]:
    run = run_cli("check", str(path.relative_to(REPO)), "--format", "json", "--select", select, "--fail-on", "never", "--isolated")
    assert run.exit_code == 0, run.stderr
    findings: list[dict[str, Any]] = run.json()["findings"]
    return findings


def _graph(path: Path) -> ManifestGraph:
    result = load([str(path.relative_to(REPO))], Settings(), cwd=str(REPO))
    assert not result.problems
    return ManifestGraph(result.objects)


def _messages(path: Path, select: str) -> list[str]:
    return [f["message"] for f in _findings(path, select)]


def test_quoted_numeric_target_port_is_left_to_svc206() -> None:
    assert _findings(RULES / "SVC104" / "edge.quoted-target-port.yaml", "SVC104,SVC105,SVC106,SVC107,SVC111") == []


def test_unresolved_named_port_with_other_protocol_says_so() -> None:
    [finding] = _findings(RULES / "SVC104" / "bad.udp-protocol.yaml", "SVC104")
    assert finding["message"] == (
        'targetPort "dns" of Service infra/dns port 53/UDP matches no UDP container port of Deployment infra/dns, '
        "so its pods get no endpoint for this port; container \"coredns\" declares \"dns\" with protocol TCP, not UDP "
        '(named ports match on name and protocol). Name a container port "dns" (UDP) or set targetPort to one the '
        "pods declare"
    )
    assert finding["field"] == "spec.ports[0].targetPort"
    assert [(r["file"], r["line"]) for r in finding["related"]] == [("fixtures/rules/SVC104/bad.udp-protocol.yaml", 30)]


def test_unresolved_named_port_names_the_nearest_and_plain_init_containers() -> None:
    assert 'nearest container port name: "grcp"' in _messages(RULES / "SVC104" / "bad.cross-file", "SVC104")[0]
    [message] = _messages(RULES / "SVC104" / "bad.plain-init.yaml", "SVC104")
    assert 'only init container "tls-proxy" declares "proxy-tls"' in message


def test_only_the_broken_workload_is_named() -> None:
    [message] = _messages(RULES / "SVC104" / "bad.multi-workload.yaml", "SVC104")
    assert "Deployment default/shop-canary" in message and "Deployment default/shop," not in message
    assert 'its containers declare the port names "web", "metrics"' in message


def test_api_server_messages_for_workload_selectors() -> None:
    messages = _messages(RULES / "SVC103" / "bad.empty-selector.yaml", "SVC103")
    assert messages == [
        "spec.selector: Invalid value: empty selector is invalid for statefulset; add matchLabels with its pod "
        "template labels (app=db)",
        # ReplicaSet validation reuses the Deployment wording (apps/validation ValidateReplicaSetSpec).
        "spec.selector: Invalid value: empty selector is invalid for deployment; add matchLabels with its pod "
        "template labels (app=cache)",
    ]
    [cron] = _messages(RULES / "SVC103" / "bad.cronjob.yaml", "SVC103")
    assert cron.startswith(
        "spec.jobTemplate.spec.template.metadata.labels: Invalid value: `selector` does not match template `labels`"
    )
    [job] = _messages(RULES / "SVC103" / "bad.job-selector-not-generated.yaml", "SVC103")
    assert job.startswith("spec.selector: Invalid value: `selector` not auto-generated: Job default/migrate")


def test_empty_service_selector_is_explained() -> None:
    [message] = _messages(RULES / "SVC102" / "bad.empty-selector.yaml", "SVC102")
    assert "its selector {} is the same as no selector (it does not select every pod)" in message


def test_defaulted_target_port_is_reported_at_the_port() -> None:
    [finding] = _findings(RULES / "SVC105" / "bad.default-target.yaml", "SVC105")
    assert finding["field"] == "spec.ports[0].port"
    assert finding["message"].startswith("targetPort (defaulted to port 8080) of Service default/web port 8080/TCP")


def test_statefulset_service_in_another_namespace_is_named() -> None:
    [message] = _messages(RULES / "SVC108" / "bad.cross-namespace", "SVC108")
    assert "names no Service in namespace 'streaming' (a Service 'kafka-headless' exists in namespace 'default')" in message


def test_multiple_workloads_rule_is_off_by_default() -> None:
    run = run_cli("check", "fixtures/rules/SVC109/bad.yaml", "--format", "json", "--isolated", "--fail-on", "never")
    assert [f["rule"] for f in run.json()["findings"]] == []


def test_resolve_target_port_follows_findport_order() -> None:
    graph = _graph(RULES / "SVC111" / "bad.first-match.yaml")
    service = graph.get("Service", "default", "web")
    assert service is not None
    [template] = selected_templates(graph, service)
    [port] = service_ports(service)
    found = resolve_target_port(template, port)
    assert isinstance(found, ContainerPort)
    assert (found.container, found.number) == ("web", 8080)  # first container wins over "admin" (9000)


def test_resolve_target_port_sidecars_protocols_and_numbers() -> None:
    sidecar = _graph(RULES / "SVC104" / "good.sidecar.yaml")
    service = sidecar.get("Service", "default", "api")
    assert service is not None
    [template] = selected_templates(sidecar, service)
    found = resolve_target_port(template, next(service_ports(service)))
    assert isinstance(found, ContainerPort) and found.sidecar and found.number == 8443

    udp = _graph(RULES / "SVC104" / "bad.udp-protocol.yaml")
    service = udp.get("Service", "infra", "dns")
    assert service is not None
    [template] = selected_templates(udp, service)
    assert resolve_target_port(template, next(service_ports(service))) is None

    numeric = _graph(RULES / "SVC105" / "bad.default-target.yaml")
    service = numeric.get("Service", "default", "web")
    assert service is not None
    [template] = selected_templates(numeric, service)
    assert resolve_target_port(template, next(service_ports(service))) == 8080


def test_manual_endpoints_and_externalname() -> None:
    graph = _graph(RULES / "SVC102" / "good.cross-file")
    service = graph.get("Service", "billing", "legacy-db")
    assert service is not None
    assert [o.kind for o in manual_endpoints(graph, service)] == ["EndpointSlice"]
    other = _graph(RULES / "SVC102" / "bad.other-namespace")
    service = other.get("Service", "billing", "legacy-db")
    assert service is not None and manual_endpoints(other, service) == []
    external = _graph(RULES / "SVC105" / "good.externalname.yaml")
    service = external.get("Service", "default", "web")
    assert service is not None and selected_templates(external, service) == []


def test_a_port_the_apps_config_names_is_a_note_to_declare_it() -> None:
    """Istio's echo sample listens on ``--port 18080``; an OpenTelemetry collector on the
    ``0.0.0.0:5317`` of its mounted config. Neither declares the port: a note, not a warning."""
    found = _findings(RULES / "SVC105" / "bad.named-in-config.yaml", "SVC105")
    assert [(f["severity"], f["line"], f["message"].split("; ", 1)[1]) for f in found] == [
        ("note", 14, "the args of container 'app' names port 18080, so the app likely listens there: declare containerPort 18080"),
        (
            "note", 50,
            "ConfigMap demo/collector-config (mounted by the pod) names port 5317, so the app likely listens there: "
            "declare containerPort 5317",
        ),
    ]
