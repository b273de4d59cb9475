"""Entry points from outside the cluster: NodePort/LoadBalancer/externalIPs and Ingress backends.

Assumptions (printed by ``matrix`` and ``explain``): external clients keep their address up
to the pod (ipBlock rules see it; with ``externalTrafficPolicy: Cluster`` a real cluster may
SNAT it to a node address); a LoadBalancer is reached through its load balancer, filtered by
``loadBalancerSourceRanges``; traffic through an Ingress reaches the backend pods from the
ingress-controller pods, which anybody outside can reach on 80/443 unless policies on a
controller found in the input say otherwise.

Ingress backends come from svclint/kube/ingress.py, shared with the SVC3xx rules.
OpenShift Routes (svclint/kube/routes.py) are entry points the same way, through the
OpenShift router (``openshift-router:`` in the configuration) instead of the ingress
controller.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TypeAlias

from svclint.kube.graph import ManifestGraph
from svclint.kube.ingress import BackendRef, ingress_backends, is_ingress
from svclint.kube.model import K8sObject
from svclint.kube.routes import is_openshift_route, route_backends, route_port_matches
from svclint.kube.services import is_external_name, service_type
from svclint.loading.source import FieldPath
from svclint.routing.ports import ALL_IPS, NO_IPS, IPSet
from svclint.routing.services import Column


@dataclass(frozen=True)
class IngressBackend:
    """An Ingress backend naming a Service port (from svclint/kube/ingress.py's BackendRef)."""

    ingress: K8sObject
    service: str
    number: int | None
    name: str | None
    path: FieldPath  # of the backend's `service` mapping (v1) or the backend itself (v1beta1)
    kind: str = "Ingress"  # or "Route" (OpenShift): then the router is the source
    route_port: int | str | None = None  # a Route's spec.port.targetPort

    @property
    def label(self) -> str:
        return f"{self.kind} {self.ingress.namespace}/{self.ingress.name}"

    @classmethod
    def of(cls, ref: BackendRef) -> IngressBackend:
        number = ref.port if isinstance(ref.port, int) else None
        name = ref.port if isinstance(ref.port, str) else None
        return cls(ref.owner, ref.service, number, name, ref.name_path[:-1])


@dataclass
class Exposure:
    """How the outside world can reach one Service port."""

    direct: list[str] = field(default_factory=list)  # "NodePort 30080", "LoadBalancer", "externalIPs"
    direct_ips: IPSet = NO_IPS  # addresses allowed by the entry itself (loadBalancerSourceRanges)
    ingresses: list[IngressBackend] = field(default_factory=list)

    @property
    def exposed(self) -> bool:
        return bool(self.direct or self.ingresses)


def source_ranges(service: K8sObject) -> IPSet:
    ranges = service.spec.get("loadBalancerSourceRanges")
    if not isinstance(ranges, list) or not ranges:
        return ALL_IPS
    ips = NO_IPS
    for text in ranges:
        try:
            ips = ips | IPSet.cidr(ipaddress.ip_network(str(text).strip(), strict=False))
        except ValueError:
            continue
    return ips


Backends: TypeAlias = "dict[tuple[str | None, str], list[IngressBackend]]"


def exposures(graph: ManifestGraph, columns: list[Column], entries: tuple[Backends, Backends] | None = None) -> dict[int, Exposure]:
    """id(column) -> its exposure; ``entries``: ``entry_backends(graph)`` when worked out already."""
    backends, routes = entries if entries is not None else entry_backends(graph)
    out: dict[int, Exposure] = {}
    for column in columns:
        exposure = Exposure()
        service = column.service
        kind = service_type(service)
        sp = column.service_port
        if kind == "LoadBalancer":
            exposure.direct.append("LoadBalancer")
            exposure.direct_ips = source_ranges(service)
        elif kind == "NodePort":
            exposure.direct.append(f"NodePort {sp.node_port}" if sp is not None and sp.node_port else "NodePort")
            exposure.direct_ips = ALL_IPS
        external_ips = service.spec.get("externalIPs")
        if isinstance(external_ips, list) and external_ips and not is_external_name(service):
            exposure.direct.append("externalIPs " + ",".join(str(x) for x in external_ips))
            exposure.direct_ips = ALL_IPS
        if sp is not None:
            for backend in backends.get((service.namespace, service.name), []):
                if (backend.number is not None and backend.number == sp.port) or (backend.name is not None and backend.name == sp.name):
                    exposure.ingresses.append(backend)
            for route_backend in routes.get((service.namespace, service.name), []):
                if route_port_matches(route_backend.route_port, sp):
                    exposure.ingresses.append(route_backend)
        out[id(column)] = exposure
    return out


def entry_backends(graph: ManifestGraph) -> tuple[Backends, Backends]:
    """The Ingress and OpenShift Route backends of the input, by (namespace, Service name)."""
    backends: Backends = {}
    for ingress in graph.of_kind("Ingress"):
        if not is_ingress(ingress):
            continue
        for ref in ingress_backends(ingress):
            backends.setdefault((ingress.namespace, ref.service), []).append(IngressBackend.of(ref))
    routes: Backends = {}
    for route in graph.of_kind("Route"):
        if not is_openshift_route(route):
            continue
        for route_ref in route_backends(route):
            routes.setdefault((route.namespace, route_ref.service), []).append(
                IngressBackend(route, route_ref.service, None, None, route_ref.path, "Route", route_ref.target_port)
            )
    return backends, routes


def entry_services(graph: ManifestGraph, entries: Iterable[K8sObject]) -> list[K8sObject]:
    """The Services that ``entries`` (Ingresses, OpenShift Routes) route to, as ``entry_backends``
    reads them: a focused run's, whose exposures may hold those entries."""
    names: list[tuple[str | None, str]] = []
    for entry in entries:
        if is_ingress(entry):
            names.extend((entry.namespace, ref.service) for ref in ingress_backends(entry))
        elif entry.kind == "Route" and is_openshift_route(entry):
            names.extend((entry.namespace, ref.service) for ref in route_backends(entry))
    found: dict[int, K8sObject] = {}
    for namespace, name in names:
        for service in graph.by_key.get(("Service", namespace, name), ()):
            found.setdefault(id(service), service)
    return list(found.values())
