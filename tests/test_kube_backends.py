"""The Kubernetes decisions in svclint/kube/ that rules and routing share: which pods back a
Service, which manual endpoints count, and the one walk over containers and their ports."""

from __future__ import annotations

from svclint.kube.endpoints import (
    backed_manually,
    endpoint_selector,
    manual_endpoints,
    selected_templates,
)
from svclint.kube.graph import ManifestGraph
from svclint.kube.objects import load
from svclint.settings import Settings

MANIFESTS = b"""
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app: web, team: a}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: legacy, namespace: shop}
spec:
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Service
metadata: {name: alias, namespace: shop}
spec:
  type: ExternalName
  externalName: db.example.com
  selector: {app: web}
---
apiVersion: v1
kind: Endpoints
metadata: {name: legacy, namespace: shop}
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, team: b}}
    spec:
      initContainers:
        - name: sidecar
          restartPolicy: Always
          ports: [{containerPort: 9000, name: metrics}]
        - name: setup
          ports: [{containerPort: 7000, name: setup, protocol: ""}]
      containers:
        - name: app
          ports: [{containerPort: 8080, name: http}, {containerPort: 8081, protocol: UDP}]
        - ports: [{containerPort: "x"}]
"""


def _graph() -> ManifestGraph:
    result = load(["-"], Settings(), stdin_bytes=MANIFESTS)
    assert [p.field_path for p in result.problems] == ["spec.template.spec.containers[1].ports[0].containerPort"]
    return ManifestGraph(result.objects)


def _service(graph: ManifestGraph, name: str):  # type: ignore[no-untyped-def]
    service = graph.get("Service", "shop", name)
    assert service is not None
    return service


def test_endpoint_selector_and_selected_templates() -> None:
    graph = _graph()
    web, legacy, alias = (_service(graph, n) for n in ("web", "legacy", "alias"))
    assert endpoint_selector(web) == {"app": "web", "team": "a"}
    assert selected_templates(graph, web) == []  # team=b on the pods
    assert endpoint_selector(web, {"team"}) == {"app": "web"}
    assert [t.owner.name for t in selected_templates(graph, web, {"team"})] == ["web"]
    assert endpoint_selector(web, {"app", "team"}) == {}
    assert endpoint_selector(alias) == {} and selected_templates(graph, alias) == []
    assert endpoint_selector(legacy) == {}


def test_manual_endpoints_back_selectorless_services() -> None:
    graph = _graph()
    web, legacy, alias = (_service(graph, n) for n in ("web", "legacy", "alias"))
    assert (backed_manually(web), backed_manually(legacy), backed_manually(alias)) == (False, True, False)
    assert [o.name for o in manual_endpoints(graph, legacy)] == ["legacy"]
    assert manual_endpoints(graph, alias) == []


def test_one_port_walk_two_orders() -> None:
    graph = _graph()
    [template] = graph.pod_templates
    declared = template.declared_ports()
    assert [(p.container, p.number, p.kind) for p in declared] == [
        ("sidecar", 9000, "sidecar"),
        ("setup", 7000, "init"),
        ("app", 8080, "container"),
        ("app", 8081, "container"),
        ("?", None, "container"),
    ]
    assert [p.number for p in template.ports()] == [8080, 8081, None, 9000]  # FindPort order
    assert [p.name for p in template.plain_init_ports()] == ["setup"]
    assert declared[1].protocol == "TCP" and declared[3].protocol == "UDP"
    assert [c.name for c in template.all_containers()] == ["sidecar", "setup", "app", "?"]
    assert [(path[-1], sidecar) for path, _, sidecar in template.containers()] == [(0, False), (1, False), (0, True)]
    assert [path for path, _, _ in template.plain_init_containers()] == [("spec", "template", "spec", "initContainers", 1)]
    assert template.ports(template.plain_init_containers()) == template.plain_init_ports()
    assert template.container_of(declared[3]).name == "app"
    assert template.find_named_port("metrics", "TCP") is declared[0]
    assert declared[2].where == 'container "app" ports[0] (8080/TCP)'
    assert declared[4].where == 'container "?" ports[0] (?/TCP)'
