"""The Service layer: which pods a Service port lands on, and on which pod port.

Endpoints follow the EndpointSlice controller (k8s-semantics §3,
``staging/src/k8s.io/endpointslice/utils.go`` + ``pkg/api/v1/pod/util.go`` FindPort): the
pods the selector matches in the Service's namespace; a numeric targetPort is used as is, a
named one is looked up on each pod by name and protocol (first container wins) and a pod
without it gets no endpoint for that port. Policies are evaluated on that pod port.

Which pods and which pod port are svclint/kube/endpoints.py's decisions, shared with the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from svclint.kube.endpoints import (
    backed_manually,
    manual_endpoints,
    resolve_target_port,
    selected_templates,
)
from svclint.kube.graph import ManifestGraph
from svclint.kube.model import K8sObject, PodTemplate
from svclint.kube.podports import ContainerPort
from svclint.kube.services import ServicePort, is_external_name, is_headless, service_ports
from svclint.routing.classes import PodClass, PodClasses

# Column kinds.
PODS, EXTERNAL_NAME, MANUAL, NO_ENDPOINTS = "pods", "external-name", "manual", "no-endpoints"


@dataclass(frozen=True)
class Endpoint:
    """One selected workload: its class and the pod port a Service port lands on (None: unresolved)."""

    template: PodTemplate
    cls: PodClass
    port: int | None
    declared: ContainerPort | None  # the container port the named targetPort resolved to


@dataclass(eq=False)
class Column:
    """One Service port (or, for a headless Service without ports, one pod port)."""

    service: K8sObject
    destination: str  # ns/name[Service]
    port: int
    protocol: str
    service_port: ServicePort | None
    kind: str
    endpoints: list[Endpoint] = field(default_factory=list)
    target: int | str | None = None  # the Service's targetPort as written (after defaulting)

    @property
    def namespace(self) -> str:
        return self.service.namespace or ""

    @property
    def resolved(self) -> list[Endpoint]:
        return [e for e in self.endpoints if e.port is not None]

    @property
    def label(self) -> str:
        return f"{self.destination}:{self.port}/{self.protocol}"


def resolve(template: PodTemplate, sp: ServicePort) -> tuple[int | None, ContainerPort | None]:
    """(pod port, the container port a named targetPort resolved to) via endpoints.resolve_target_port."""
    found = resolve_target_port(template, sp)
    if isinstance(found, ContainerPort):
        return found.number, found
    return found, None


def service_columns(services: Iterable[K8sObject], columns_of: Callable[[K8sObject], list[Column]]) -> list[Column]:
    """Every Service port of ``services`` (``columns_of`` each), sorted by (destination, port, protocol)."""
    columns: list[Column] = []
    for service in services:
        columns.extend(columns_of(service))
    columns.sort(key=lambda c: (c.destination, c.port, c.protocol))
    return columns


def columns_of(graph: ManifestGraph, classes: PodClasses, service: K8sObject) -> list[Column]:
    destination = service.ref.qualified
    ports = [p for p in service_ports(service) if p.port is not None]
    if is_external_name(service):
        return [Column(service, destination, p.port, p.protocol, p, EXTERNAL_NAME, target=p.port) for p in ports]  # type: ignore[arg-type]
    templates = _distinct(selected_templates(graph, service))
    if not templates and backed_manually(service):
        kind = MANUAL if manual_endpoints(graph, service) else NO_ENDPOINTS
        return [Column(service, destination, p.port, p.protocol, p, kind, target=p.target_port) for p in ports]  # type: ignore[arg-type]
    if not ports and is_headless(service):
        return _headless_pod_ports(service, destination, templates, classes)
    out = []
    for sp in ports:
        endpoints = []
        for template in templates:
            number, declared = resolve(template, sp)
            endpoints.append(Endpoint(template, classes.class_of(template), number, declared))
        kind = PODS if endpoints else NO_ENDPOINTS
        out.append(Column(service, destination, sp.port, sp.protocol, sp, kind, endpoints, sp.target_port))  # type: ignore[arg-type]
    return out


def _distinct(templates: list[PodTemplate]) -> list[PodTemplate]:
    """One template per workload: a workload defined twice (SVC003) is still one endpoint workload."""
    seen: set[str] = set()
    out = []
    for template in templates:
        name = template.workload.qualified
        if name not in seen:
            seen.add(name)
            out.append(template)
    return out


def _headless_pod_ports(service: K8sObject, destination: str, templates: list[PodTemplate], classes: PodClasses) -> list[Column]:
    """A headless Service without ports: clients use the pod IPs on the ports the pods declare."""
    if not templates:
        return []
    by_port: dict[tuple[int, str], list[Endpoint]] = {}
    for template in templates:
        for cp in template.ports():
            if cp.number is None:
                continue
            entries = by_port.setdefault((cp.number, cp.protocol), [])
            if all(e.template is not template for e in entries):
                entries.append(Endpoint(template, classes.class_of(template), cp.number, cp))
    return [Column(service, destination, port, proto, None, PODS, eps, port) for (port, proto), eps in sorted(by_port.items())]
