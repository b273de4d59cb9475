"""The API server's own Service and container-port validation, case by case, through the CLI.

The cases follow the upstream unit-test tables (k8s.io/kubernetes pkg/apis/core/validation
validation_test.go: TestValidateServiceCreate, TestValidateServiceExternalTrafficPolicy,
TestValidateContainerPorts; pkg/api/v1/pod util_test.go: TestFindPort), rewritten as
manifests with our own values. Every case that can be written as a manifest is here: a
valid object must get no finding from the validation rules, an invalid one a finding at the
field the API server names. All cases are checked in one run (one namespace each).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from svclint.loading.source import format_field_path

from .conftest import run_cli

# Rules that encode the API server's validation (plus SVC104 for FindPort).
VALIDATION_RULES = {
    "SVC002", "SVC008", "SVC104", "SVC201", "SVC202", "SVC203", "SVC204", "SVC205", "SVC206", "SVC207", "SVC210",
    "SVC209", "SVC211", "SVC212", "SVC213", "SVC216",
}
ANN = ("metadata", "annotations")
RANGES = "service.beta.kubernetes.io/load-balancer-source-ranges"

# (case, metadata changes, spec changes, upstream field or None for a valid object)
SERVICE_CASES: list[tuple[str, dict[str, Any], dict[str, Any], tuple[Any, ...] | None]] = [
    ("valid", {}, {}, None),
    ("valid: headless", {}, {"clusterIP": "None"}, None),
    ("valid: headless without ports", {}, {"clusterIP": "None", "ports": None}, None),
    ("valid: clusterIP with matching clusterIPs", {}, {"clusterIP": "10.96.1.1", "clusterIPs": ["10.96.1.1"]}, None),
    ("valid: ipv6 clusterIP", {}, {"clusterIP": "fd00::1", "ipFamilies": ["IPv6"]}, None),
    ("valid: dual-stack clusterIPs", {}, {"clusterIP": "10.96.1.2", "clusterIPs": ["10.96.1.2", "fd00::2"],
                                         "ipFamilies": ["IPv4", "IPv6"], "ipFamilyPolicy": "RequireDualStack"}, None),
    ("valid: ipFamilyPolicy PreferDualStack", {}, {"ipFamilyPolicy": "PreferDualStack", "ipFamilies": ["IPv6", "IPv4"]}, None),
    ("valid: headless clusterIPs None", {}, {"clusterIP": "None", "clusterIPs": ["None"]}, None),
    ("valid: externalIPs", {}, {"externalIPs": ["203.0.113.5", "2001:db8::5"]}, None),
    ("valid: NodePort", {}, {"type": "NodePort", "ports": [{"port": 80, "nodePort": 30080}]}, None),
    ("valid: LoadBalancer with source ranges", {}, {"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/8", "2001:db8::/32"]}, None),
    ("valid: source ranges annotation", {"annotations": {RANGES: "10.0.0.0/8, 192.168.0.0/16"}}, {"type": "LoadBalancer"}, None),
    ("valid: source ranges annotation empty", {"annotations": {RANGES: ""}}, {"type": "LoadBalancer"}, None),
    ("valid: healthCheckNodePort with Local", {}, {"type": "LoadBalancer", "externalTrafficPolicy": "Local", "healthCheckNodePort": 31100}, None),
    ("valid: externalTrafficPolicy Cluster on NodePort", {}, {"type": "NodePort", "externalTrafficPolicy": "Cluster"}, None),
    ("valid: externalTrafficPolicy with externalIPs", {}, {"externalIPs": ["203.0.113.6"], "externalTrafficPolicy": "Local"}, None),
    ("valid: internalTrafficPolicy Local", {}, {"internalTrafficPolicy": "Local"}, None),
    ("valid: loadBalancerClass", {}, {"type": "LoadBalancer", "loadBalancerClass": "example.com/internal-lb"}, None),
    ("valid: appProtocol names", {}, {"ports": [{"name": "a", "port": 80, "appProtocol": "kubernetes.io/h2c"},
                                                {"name": "b", "port": 81, "appProtocol": "HTTP"},
                                                {"name": "c", "port": 82, "appProtocol": "http/1.1"}]}, None),
    ("valid: trafficDistribution", {}, {"trafficDistribution": "PreferClose"}, None),
    ("valid: topology annotations agree", {"annotations": {"service.kubernetes.io/topology-mode": "Auto",
                                                           "service.kubernetes.io/topology-aware-hints": "Auto"}}, {}, None),
    ("valid: generateName with name", {"generateName": "web-"}, {}, None),
    ("valid: generateName alone", {"name": None, "generateName": "web-"}, {}, None),
    ("valid: prefixed label and annotation keys", {"labels": {"app.kubernetes.io/name": "web", "tier": ""},
                                                    "annotations": {"Example.COM/Owner": "team a", "note": "x"}}, {}, None),
    ("valid: prefixed selector key", {}, {"selector": {"app.kubernetes.io/name": "web"}}, None),
    ("valid: sessionAffinity ClientIP", {}, {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 86400}}}, None),
    ("valid: ports 53 TCP and UDP", {}, {"ports": [{"name": "dns", "port": 53, "protocol": "UDP"},
                                                   {"name": "dns-tcp", "port": 53, "protocol": "TCP"}]}, None),
    ("valid: named targetPort", {}, {"ports": [{"port": 80, "targetPort": "http"}]}, None),
    ("valid: ExternalName", {}, {"type": "ExternalName", "externalName": "db.example.com", "selector": None, "ports": None}, None),
    ("invalid: namespace", {"namespace": "Bad_NS"}, {}, ("metadata", "namespace")),
    ("invalid: name", {"name": "1web"}, {}, ("metadata", "name")),
    ("invalid: generateName with name", {"generateName": "Web_"}, {}, ("metadata", "generateName")),
    ("invalid: label key", {"labels": {"bad key": "x"}}, {}, ("metadata", "labels", "bad key")),
    ("invalid: label value", {"labels": {"app": "-web"}}, {}, ("metadata", "labels", "app")),
    ("invalid: annotation key", {"annotations": {"a/b/c": "x"}}, {}, ("metadata", "annotations", "a/b/c")),
    ("invalid: selector key", {}, {"selector": {"bad key": "x"}}, ("spec", "selector", "bad key")),
    ("invalid: selector value", {}, {"selector": {"app": "web app"}}, ("spec", "selector", "app")),
    ("invalid: missing ports", {}, {"ports": []}, ("spec", "ports")),
    ("invalid: second port without name", {}, {"ports": [{"name": "a", "port": 80}, {"port": 81}]}, ("spec", "ports", 1, "name")),
    ("invalid: port name", {}, {"ports": [{"name": "Http", "port": 80}]}, ("spec", "ports", 0, "name")),
    ("invalid: duplicate port name", {}, {"ports": [{"name": "a", "port": 80}, {"name": "a", "port": 81}]}, ("spec", "ports", 1, "name")),
    ("invalid: port 0", {}, {"ports": [{"port": 0}]}, ("spec", "ports", 0, "port")),
    ("invalid: port 65536", {}, {"ports": [{"port": 65536}]}, ("spec", "ports", 0, "port")),
    ("invalid: protocol", {}, {"ports": [{"port": 80, "protocol": "HTTP"}]}, ("spec", "ports", 0, "protocol")),
    ("invalid: targetPort name", {}, {"ports": [{"port": 80, "targetPort": "-http"}]}, ("spec", "ports", 0, "targetPort")),
    ("invalid: targetPort number", {}, {"ports": [{"port": 80, "targetPort": 65536}]}, ("spec", "ports", 0, "targetPort")),
    ("invalid: duplicate ports", {}, {"ports": [{"name": "a", "port": 80}, {"name": "b", "port": 80}]}, ("spec", "ports", 1)),
    ("invalid: type", {}, {"type": "Bogus"}, ("spec", "type")),
    ("invalid: sessionAffinity", {}, {"sessionAffinity": "Sticky"}, ("spec", "sessionAffinity")),
    ("invalid: clientIP timeout", {}, {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 0}}},
     ("spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds")),
    ("invalid: clusterIP", {}, {"clusterIP": "invalid"}, ("spec", "clusterIP")),
    ("invalid: clusterIPs[0] differs from clusterIP", {}, {"clusterIP": "10.96.2.1", "clusterIPs": ["10.96.2.2"]}, ("spec", "clusterIPs")),
    ("invalid: None not alone", {}, {"clusterIP": "None", "clusterIPs": ["None", "10.96.2.3"]}, ("spec", "clusterIPs")),
    ("invalid: empty clusterIPs entry", {}, {"clusterIP": "10.96.2.4", "clusterIPs": ["10.96.2.4", ""]}, ("spec", "clusterIPs", 1)),
    ("invalid: malformed clusterIPs entry", {}, {"clusterIP": "10.96.2.5", "clusterIPs": ["10.96.2.5", "fd00::x"]}, ("spec", "clusterIPs", 1)),
    ("invalid: clusterIPs same family", {}, {"clusterIP": "10.96.2.6", "clusterIPs": ["10.96.2.6", "10.96.2.7"]}, ("spec", "clusterIPs")),
    ("invalid: three clusterIPs", {}, {"clusterIP": "10.96.2.8", "clusterIPs": ["10.96.2.8", "fd00::8", "10.96.2.9"]}, ("spec", "clusterIPs")),
    # clusterIPs is defaulted from clusterIP before validation: reported at the field written.
    ("invalid: clusterIP family mismatch", {}, {"clusterIP": "10.96.2.10", "ipFamilies": ["IPv6"]}, ("spec", "clusterIP")),
    ("invalid: clusterIPs family mismatch (both)", {}, {"clusterIP": "10.96.2.11", "clusterIPs": ["10.96.2.11"], "ipFamilies": ["IPv6"]},
     ("spec", "clusterIPs", 0)),
    ("invalid: ipFamilies value", {}, {"ipFamilies": ["IPv5"]}, ("spec", "ipFamilies", 0)),
    ("invalid: ipFamilies twice", {}, {"ipFamilies": ["IPv4", "IPv4"]}, ("spec", "ipFamilies", 1)),
    ("invalid: ipFamilyPolicy", {}, {"ipFamilyPolicy": "DualStack"}, ("spec", "ipFamilyPolicy")),
    ("invalid: externalIPs hostname", {}, {"externalIPs": ["myhost.example.com"]}, ("spec", "externalIPs", 0)),
    ("invalid: externalIPs loopback", {}, {"externalIPs": ["127.0.0.1"]}, ("spec", "externalIPs", 0)),
    ("invalid: externalIPs ipv6 loopback", {}, {"externalIPs": ["::1"]}, ("spec", "externalIPs", 0)),
    ("invalid: externalIPs unspecified", {}, {"externalIPs": ["0.0.0.0"]}, ("spec", "externalIPs", 0)),
    ("invalid: externalIPs link-local", {}, {"externalIPs": ["169.254.0.9"]}, ("spec", "externalIPs", 0)),
    ("invalid: externalIPs link-local multicast", {}, {"externalIPs": ["224.0.0.10"]}, ("spec", "externalIPs", 0)),
    ("invalid: source range", {}, {"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.0/40"]}, ("spec", "loadBalancerSourceRanges", 0)),
    ("invalid: source range not a CIDR", {}, {"type": "LoadBalancer", "loadBalancerSourceRanges": ["10.0.0.1"]}, ("spec", "loadBalancerSourceRanges", 0)),
    ("invalid: source ranges annotation", {"annotations": {RANGES: "10.0.0.0/8, nope"}}, {"type": "LoadBalancer"}, ANN + (RANGES,)),
    ("invalid: source ranges on ClusterIP", {}, {"loadBalancerSourceRanges": ["10.0.0.0/8"]}, ("spec", "loadBalancerSourceRanges")),
    ("invalid: healthCheckNodePort range", {}, {"type": "LoadBalancer", "externalTrafficPolicy": "Local", "healthCheckNodePort": 65536},
     ("spec", "healthCheckNodePort")),
    ("invalid: healthCheckNodePort without Local", {}, {"type": "LoadBalancer", "healthCheckNodePort": 31101}, ("spec", "healthCheckNodePort")),
    ("invalid: appProtocol", {}, {"ports": [{"port": 80, "appProtocol": "h t t p"}]}, ("spec", "ports", 0, "appProtocol")),
    ("invalid: loadBalancerClass", {}, {"type": "LoadBalancer", "loadBalancerClass": "Bad Class"}, ("spec", "loadBalancerClass")),
    ("invalid: loadBalancerClass on ClusterIP", {}, {"loadBalancerClass": "example.com/lb"}, ("spec", "loadBalancerClass")),
    ("invalid: trafficDistribution", {}, {"trafficDistribution": "Closest"}, ("spec", "trafficDistribution")),
    ("invalid: topology annotations differ", {"annotations": {"service.kubernetes.io/topology-mode": "Auto",
                                                              "service.kubernetes.io/topology-aware-hints": "Disabled"}},
     {}, ANN + ("service.kubernetes.io/topology-mode",)),
    ("invalid: nodePort on ClusterIP", {}, {"ports": [{"port": 80, "nodePort": 30081}]}, ("spec", "ports", 0, "nodePort")),
    ("invalid: nodePort out of range", {}, {"type": "NodePort", "ports": [{"port": 80, "nodePort": 65536}]}, ("spec", "ports", 0, "nodePort")),
    ("invalid: externalTrafficPolicy on ClusterIP", {}, {"externalTrafficPolicy": "Local"}, ("spec", "externalTrafficPolicy")),
    ("invalid: externalTrafficPolicy value", {}, {"type": "NodePort", "externalTrafficPolicy": "Nearest"}, ("spec", "externalTrafficPolicy")),
    ("invalid: internalTrafficPolicy value", {}, {"internalTrafficPolicy": "Node"}, ("spec", "internalTrafficPolicy")),
    ("invalid: ExternalName without externalName", {}, {"type": "ExternalName", "selector": None, "ports": None}, ("spec", "externalName")),
    ("invalid: ExternalName not a DNS name", {}, {"type": "ExternalName", "externalName": "-bad-", "selector": None, "ports": None},
     ("spec", "externalName")),
    ("invalid: ExternalName with clusterIP", {}, {"type": "ExternalName", "externalName": "db.example.com", "clusterIP": "10.96.3.1"},
     ("spec", "clusterIP")),
    ("invalid: headless NodePort", {}, {"type": "NodePort", "clusterIP": "None"}, ("spec", "clusterIP")),
    ("invalid: headless LoadBalancer", {}, {"type": "LoadBalancer", "clusterIP": "None"}, ("spec", "clusterIP")),
    ("invalid: port missing", {}, {"ports": [{"name": "a", "targetPort": 80}]}, ("spec", "ports", 0)),
    ("valid: empty clusterIP", {}, {"clusterIP": ""}, None),
    ("valid: sessionAffinity None", {}, {"sessionAffinity": "None"}, None),
    ("valid: SCTP port", {}, {"ports": [{"port": 9000, "protocol": "SCTP"}]}, None),
    ("valid: allocateLoadBalancerNodePorts on LoadBalancer", {}, {"type": "LoadBalancer", "allocateLoadBalancerNodePorts": False}, None),
    ("valid: ipv6 primary dual-stack", {}, {"clusterIP": "fd00::3", "clusterIPs": ["fd00::3", "10.96.4.1"],
                                           "ipFamilies": ["IPv6", "IPv4"], "ipFamilyPolicy": "PreferDualStack"}, None),
    ("valid: internalTrafficPolicy Cluster", {}, {"internalTrafficPolicy": "Cluster"}, None),
    ("valid: headless with targetPort", {}, {"clusterIP": "None", "ports": [{"port": 80, "targetPort": 8080}]}, None),
    ("valid: same nodePort, other protocol", {}, {"type": "NodePort", "ports": [{"name": "a", "port": 53, "protocol": "TCP", "nodePort": 30053},
                                                                               {"name": "b", "port": 53, "protocol": "UDP", "nodePort": 30053}]}, None),
    ("invalid: port name with a dot", {}, {"ports": [{"name": "a.b", "port": 80}]}, ("spec", "ports", 0, "name")),
    ("invalid: targetPort name too long", {}, {"ports": [{"port": 80, "targetPort": "abcdefghijklmnop"}]}, ("spec", "ports", 0, "targetPort")),
    ("invalid: clientIP timeout too large", {}, {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 86401}}},
     ("spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds")),
    ("invalid: allocateLoadBalancerNodePorts on ClusterIP", {}, {"allocateLoadBalancerNodePorts": True}, ("spec", "allocateLoadBalancerNodePorts")),
    ("invalid: source ranges annotation on ClusterIP", {"annotations": {RANGES: "10.0.0.0/8"}}, {}, ANN + (RANGES,)),
    ("invalid: label value too long", {"labels": {"app": "a" * 64}}, {}, ("metadata", "labels", "app")),
    ("invalid: label key prefix", {"labels": {"Bad_Prefix/app": "x"}}, {}, ("metadata", "labels", "Bad_Prefix/app")),
    ("invalid: selector value too long", {}, {"selector": {"app": "b" * 64}}, ("spec", "selector", "app")),
    ("invalid: externalIPs ipv6 link-local", {}, {"externalIPs": ["fe80::1"]}, ("spec", "externalIPs", 0)),
    ("invalid: healthCheckNodePort on NodePort", {}, {"type": "NodePort", "healthCheckNodePort": 31102}, ("spec", "healthCheckNodePort")),
    ("invalid: duplicate nodePort", {}, {"type": "NodePort", "ports": [{"name": "a", "port": 80, "nodePort": 30090},
                                                                      {"name": "b", "port": 81, "nodePort": 30090}]}, ("spec", "ports", 1, "nodePort")),
]

CONTAINER = ("spec", "template", "spec", "containers", 0, "ports")
# (case, ports of the only container, upstream field or None)
CONTAINER_CASES: list[tuple[str, list[dict[str, Any]], tuple[Any, ...] | None]] = [
    ("valid: number only", [{"containerPort": 8080}], None),
    ("valid: named TCP", [{"name": "http", "containerPort": 8080, "protocol": "TCP"}], None),
    ("valid: UDP and SCTP", [{"name": "dns", "containerPort": 53, "protocol": "UDP"}, {"name": "sctp", "containerPort": 9000, "protocol": "SCTP"}], None),
    ("valid: hostPort", [{"containerPort": 8080, "hostPort": 8080}], None),
    ("valid: 15-character name", [{"name": "abcdefghijklmno", "containerPort": 8080}], None),
    ("valid: same number two protocols", [{"name": "a", "containerPort": 53, "protocol": "TCP"}, {"name": "b", "containerPort": 53, "protocol": "UDP"}], None),
    ("invalid: containerPort 0", [{"containerPort": 0}], CONTAINER + (0, "containerPort")),
    ("invalid: containerPort 65536", [{"containerPort": 65536}], CONTAINER + (0, "containerPort")),
    ("invalid: containerPort missing", [{"name": "http"}], CONTAINER + (0,)),
    ("invalid: name upper case", [{"name": "HTTP", "containerPort": 80}], CONTAINER + (0, "name")),
    ("invalid: name too long", [{"name": "abcdefghijklmnop", "containerPort": 80}], CONTAINER + (0, "name")),
    ("invalid: name double hyphen", [{"name": "a--b", "containerPort": 80}], CONTAINER + (0, "name")),
    ("invalid: name without letter", [{"name": "8080", "containerPort": 80}], CONTAINER + (0, "name")),
    ("invalid: duplicate name", [{"name": "http", "containerPort": 80}, {"name": "http", "containerPort": 81}], CONTAINER + (1, "name")),
    ("invalid: protocol", [{"containerPort": 80, "protocol": "tcp"}], CONTAINER + (0, "protocol")),
    ("invalid: hostPort 65536", [{"containerPort": 80, "hostPort": 65536}], CONTAINER + (0, "hostPort")),
    ("valid: hostIP with hostPort", [{"containerPort": 8080, "hostPort": 8080, "hostIP": "10.0.0.1"}], None),
    ("valid: protocol defaulted", [{"containerPort": 8080, "protocol": ""}], None),
    ("invalid: containerPort negative", [{"containerPort": -1}], CONTAINER + (0, "containerPort")),
    ("invalid: name with underscore", [{"name": "my_port", "containerPort": 80}], CONTAINER + (0, "name")),
    ("invalid: name ending in hyphen", [{"name": "http-", "containerPort": 80}], CONTAINER + (0, "name")),
]

# FindPort: (case, container ports, Service targetPort and protocol, resolves)
FINDPORT_CASES: list[tuple[str, list[dict[str, Any]], Any, str, bool]] = [
    ("numeric targetPort", [{"name": "http", "containerPort": 8080}], 8080, "TCP", True),
    ("named, found", [{"name": "http", "containerPort": 8080}], "http", "TCP", True),
    ("named, found after another", [{"name": "a", "containerPort": 80}, {"name": "http", "containerPort": 8080}], "http", "TCP", True),
    ("named, UDP", [{"name": "dns", "containerPort": 53, "protocol": "UDP"}], "dns", "UDP", True),
    ("named, not found", [{"name": "web", "containerPort": 8080}], "http", "TCP", False),
    ("named, protocol differs", [{"name": "dns", "containerPort": 53, "protocol": "UDP"}], "dns", "TCP", False),
    ("named, no ports", [], "http", "TCP", False),
]


def _service(namespace: str, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    service: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
    }
    for key, value in metadata.items():
        if value is None:
            service["metadata"].pop(key, None)
        else:
            service["metadata"][key] = copy.deepcopy(value)
    for key, value in spec.items():
        if value is None:
            service["spec"].pop(key, None)
        else:
            service["spec"][key] = copy.deepcopy(value)
    return service


def _deployment(namespace: str, ports: list[dict[str, Any]]) -> dict[str, Any]:
    container: dict[str, Any] = {"name": "web", "image": "nginx:1.27"}
    if ports:
        container["ports"] = ports
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [container]}},
        },
    }


# Required fields that are absent: a finding can only point at the mapping that lacks them.
ABSENT = {"invalid: second port without name", "invalid: ExternalName without externalName"}


def _agrees(case: str, expected: tuple[Any, ...], fields: set[str]) -> bool:
    """Reported at the upstream field, or inside it (more precise), or at its parent when absent."""
    want = format_field_path(expected)
    if any(f == want or f.startswith((want + ".", want + "[")) for f in fields):
        return True
    return case in ABSENT and format_field_path(expected[:-1]) in fields


def _run(tmp_path: Path, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    path = tmp_path / "cases.yaml"
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False), encoding="utf-8")
    run = run_cli("check", str(path), "--isolated", "--format", "json", "--fail-on", "never")
    assert run.exit_code == 0, run.stderr
    findings: list[dict[str, Any]] = run.json()["findings"]
    return findings


def _by_namespace(findings: list[dict[str, Any]], rules: set[str]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for finding in findings:
        if finding["rule"] in rules:
            namespace = finding["object"]["namespace"] if finding["object"] else ""
            out.setdefault(namespace, set()).add(finding["field"])
    return out


def test_service_cases_agree_with_the_api_server(tmp_path: Path) -> None:
    documents = []
    for i, (_, metadata, spec, _) in enumerate(SERVICE_CASES):
        namespace = f"case-{i}"
        documents.append(_service(namespace, {"namespace": namespace, **metadata}, spec))
        documents.append(_deployment(metadata.get("namespace") or namespace, [{"containerPort": 8080}]))
    got = _by_namespace(_run(tmp_path, documents), VALIDATION_RULES - {"SVC104"})
    disagreements = []
    for i, (case, metadata, _, expected) in enumerate(SERVICE_CASES):
        fields = got.get(metadata.get("namespace") or f"case-{i}", set())
        if expected is None and fields:
            disagreements.append(f"{case}: valid, but reported at {sorted(fields)}")
        elif expected is not None and not _agrees(case, expected, fields):
            disagreements.append(f"{case}: expected at {format_field_path(expected)}, got {sorted(fields)}")
    print("\n".join(disagreements))
    assert disagreements == []


def test_container_port_cases_agree_with_the_api_server(tmp_path: Path) -> None:
    documents = [_deployment(f"port-{i}", ports) for i, (_, ports, _) in enumerate(CONTAINER_CASES)]
    got = _by_namespace(_run(tmp_path, documents), VALIDATION_RULES)
    disagreements = []
    for i, (case, _, expected) in enumerate(CONTAINER_CASES):
        fields = got.get(f"port-{i}", set())
        if expected is None and fields:
            disagreements.append(f"{case}: valid, but reported at {sorted(fields)}")
        elif expected is not None and not _agrees(case, expected, fields):
            disagreements.append(f"{case}: expected at {format_field_path(expected)}, got {sorted(fields)}")
    print("\n".join(disagreements))
    assert disagreements == []


def test_find_port_cases_resolve_as_the_endpoint_controller_does(tmp_path: Path) -> None:
    documents = []
    for i, (_, ports, target, protocol, _) in enumerate(FINDPORT_CASES):
        namespace = f"find-{i}"
        documents.append(_service(namespace, {}, {"ports": [{"port": 80, "targetPort": target, "protocol": protocol}]}))
        documents.append(_deployment(namespace, ports))
    got = _by_namespace(_run(tmp_path, documents), {"SVC104"})
    results = {case: f"find-{i}" not in got for i, (case, *_rest) in enumerate(FINDPORT_CASES)}
    assert results == {case: resolves for case, _, _, _, resolves in FINDPORT_CASES}
