"""Entry points from outside the cluster: NodePort/LoadBalancer/externalIPs and Ingress backends.

Assumptions (printed by ``matrix`` and ``explain``): external clients keep their address up
to the pod (ipBlock rules see it; with ``externalTrafficPolicy: Cluster`` a real cluster may
SNAT it to a node address); a LoadBalancer is reached through its load balancer, filtered by
``loadBalancerSourceRanges``; traffic through an Ingress reaches the backend pods from the
ingress-controller pods, which anybody outside can reach on 80/443 unless policies on a
controller found in the input say otherwise.

The Ingress backend extraction is local to the routing package (svclint/ingress.py is
written in parallel; the lead dedupes at merge).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ..graph import ManifestGraph
from ..k8s import service_type
from ..model import K8sObject, get_path
from ..source import FieldPath
from .ports import ALL_IPS, NO_IPS, IPSet
from .services import Column


@dataclass(frozen=True)
class IngressBackend:
    ingress: K8sObject
    service: str
    number: int | None
    name: str | None
    path: FieldPath  # of the backend's `service` mapping


def ingress_backends(ingress: K8sObject) -> list[IngressBackend]:
    """``spec.defaultBackend`` and every ``spec.rules[].http.paths[].backend`` naming a Service."""
    found: list[tuple[FieldPath, object]] = [(("spec", "defaultBackend", "service"), get_path(ingress.data, ("spec", "defaultBackend", "service")))]
    rules = ingress.spec.get("rules")
    if isinstance(rules, list):
        for i, rule in enumerate(rules):
            paths = get_path(rule, ("http", "paths"))
            if isinstance(paths, list):
                for j, entry in enumerate(paths):
                    at: FieldPath = ("spec", "rules", i, "http", "paths", j, "backend", "service")
                    found.append((at, get_path(entry, ("backend", "service"))))
    out = []
    for at, service in found:
        if not isinstance(service, dict) or not isinstance(service.get("name"), str):
            continue
        port = service.get("port") if isinstance(service.get("port"), dict) else {}
        number = port.get("number")
        name = port.get("name")
        out.append(
            IngressBackend(
                ingress,
                service["name"],
                number if isinstance(number, int) and not isinstance(number, bool) else None,
                name if isinstance(name, str) else None,
                at,
            )
        )
    return out


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


def exposures(graph: ManifestGraph, columns: list[Column]) -> dict[int, Exposure]:
    backends: dict[tuple[str | None, str], list[IngressBackend]] = {}
    for ingress in graph.of_kind("Ingress"):
        for backend in ingress_backends(ingress):
            backends.setdefault((ingress.namespace, backend.service), []).append(backend)
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
        if isinstance(external_ips, list) and external_ips and kind != "ExternalName":
            exposure.direct.append("externalIPs " + ",".join(str(x) for x in external_ips))
            exposure.direct_ips = ALL_IPS
        if sp is not None:
            for backend in backends.get((service.namespace, service.name), []):
                if (backend.number is not None and backend.number == sp.port) or (backend.name is not None and backend.name == sp.name):
                    exposure.ingresses.append(backend)
        out[id(column)] = exposure
    return out
