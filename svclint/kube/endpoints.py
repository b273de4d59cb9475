"""Where a Service's traffic lands: backends of a Service and its ports on a pod template.

Pure functions over the graph, shared by the rules (SVC1xx, SVC3xx) and the routing engine:
every "which pods back this Service" question is answered here. They
follow the EndpointSlice controller (k8s.io/endpointslice utils.go ``getEndpointPorts`` and
k8s.io/kubernetes pkg/api/v1/pod/util.go ``FindPort``; k8s-semantics.md §3):

* ExternalName Services get no endpoints; a Service without a selector (absent or ``{}``)
  gets only the Endpoints / EndpointSlices users create for it.
* A numeric targetPort (or the default, = port) is used as is: neither containerPorts nor
  the protocol are consulted.
* A named targetPort is looked up per pod: regular containers in order, then init
  containers with ``restartPolicy: Always`` (sidecars), matching name *and* protocol; the
  first match wins. Plain init containers are never searched. A pod where it does not
  resolve stays selected but gets no endpoint port for that Service port.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from svclint.kube.graph import ManifestGraph
from svclint.kube.model import K8sObject, PodTemplate
from svclint.kube.podports import ContainerPort
from svclint.kube.services import ServicePort, is_external_name, service_ports, service_selector

# Label that ties a manually managed EndpointSlice to its Service
# (discovery.k8s.io/v1 LabelServiceName, k8s.io/api/discovery/v1/well_known_labels.go).
SERVICE_NAME_LABEL = "kubernetes.io/service-name"


def endpoint_selector(service: K8sObject, ignored_labels: Collection[str] = ()) -> dict[str, str]:
    """The selector the endpoint controller matches pods with, minus ``ignored_labels``.

    ``{}`` when the controller manages no endpoints for ``service``: an ExternalName Service,
    or one without a selector (absent or ``{}``, which never means "every pod").
    """
    if is_external_name(service):
        return {}
    selector = service_selector(service)
    if ignored_labels:
        selector = {k: v for k, v in selector.items() if k not in ignored_labels}
    return selector


def selected_templates(graph: ManifestGraph, service: K8sObject, ignored_labels: Collection[str] = ()) -> list[PodTemplate]:
    """Pod templates the endpoint controller would pick for ``service``, in its own namespace.

    Empty when the controller does not run for it (see ``endpoint_selector``).
    """
    selector = endpoint_selector(service, ignored_labels)
    return graph.select_pods(service.namespace, selector) if selector else []


def ports_with_backends(
    graph: ManifestGraph, services: Iterable[K8sObject] | None = None
) -> Iterator[tuple[K8sObject, ServicePort, list[PodTemplate]]]:
    """(Service, one of its ports, the pod templates it selects) for every Service selecting
    pods (of ``services``, when given: a focused run's)."""
    for service in graph.of_kind("Service") if services is None else services:
        templates = selected_templates(graph, service)
        if templates:
            for port in service_ports(service):
                yield service, port, templates


def backed_manually(service: K8sObject) -> bool:
    """A Service without a selector: only the Endpoints / EndpointSlices users create back it.

    pkg/controller/endpointslice/endpointslice_controller.go syncService: "services without a
    selector receive no endpoint slices from this controller; these services will receive
    endpoint slices that are created out-of-band via the REST API".
    """
    return not is_external_name(service) and not service_selector(service)


def manual_endpoints(graph: ManifestGraph, service: K8sObject) -> list[K8sObject]:
    """Endpoints named like the Service and EndpointSlices labelled with its name, same namespace.

    They are what backs a Service when ``backed_manually`` holds. Presence is enough here;
    their addresses are not checked.
    """
    found = [e for e in graph.of_kind("Endpoints") if e.namespace == service.namespace and e.name == service.name]
    found += [
        s
        for s in graph.of_kind("EndpointSlice")
        if s.namespace == service.namespace and s.labels.get(SERVICE_NAME_LABEL) == service.name
    ]
    return found


def resolve_target_port(template: PodTemplate, port: ServicePort) -> ContainerPort | int | None:
    """The pod port traffic for ``port`` lands on in pods of ``template``.

    A numeric targetPort is returned as the number itself; a named one as the
    ContainerPort FindPort picks, or None when no serving container declares that name
    with the Service port's protocol (the pod then gets no endpoint for this port).
    None also when the targetPort is unusable (not an int or a string).
    """
    target = port.target_port
    if isinstance(target, bool) or target is None:
        return None
    if isinstance(target, int):
        return target
    return template.find_named_port(target, port.protocol)


def ports_numbered(template: PodTemplate, number: int) -> list[ContainerPort]:
    """Ports of serving containers (regular, then sidecars) declared with ``containerPort: number``."""
    return [p for p in template.ports() if p.number == number]


@dataclass(frozen=True)
class PortNameMiss:
    """Why a named targetPort does not resolve on one pod template, for messages."""

    declared_names: list[str]  # names of serving ports, FindPort order, deduplicated
    other_protocol: ContainerPort | None  # same name, another protocol, on a serving container
    plain_init: ContainerPort | None  # same name on a plain init container

    def explain(self, name: str, protocol: str) -> str:
        if self.other_protocol is not None:
            p = self.other_protocol
            return (
                f'container "{p.container}" declares "{name}" with protocol {p.protocol}, not {protocol} '
                f"(named ports match on name and protocol)"
            )
        if self.plain_init is not None:
            return (
                f'only init container "{self.plain_init.container}" declares "{name}", and init containers '
                f"serve no traffic unless they are sidecars (restartPolicy: Always)"
            )
        if not self.declared_names:
            return "its containers declare no named ports"
        close = difflib.get_close_matches(name, sorted(set(self.declared_names)), n=3, cutoff=0.5)
        listed = ", ".join(f'"{n}"' for n in (close or self.declared_names))
        if close:
            return f"nearest container port name{'s' if len(close) > 1 else ''}: {listed}"
        return f"its containers declare the port name{'s' if len(self.declared_names) > 1 else ''} {listed}"


def explain_named_miss(template: PodTemplate, name: str, protocol: str) -> PortNameMiss:
    """Gather what a template declares instead of ``name``/``protocol``."""
    serving = template.ports()
    declared: list[str] = []
    for p in serving:
        if p.name and p.name not in declared:
            declared.append(p.name)
    other = next((p for p in serving if p.name == name and p.protocol != protocol), None)
    init = next((p for p in template.plain_init_ports() if p.name == name), None)
    return PortNameMiss(declared, other, init)


def declared_port_names(templates: list[PodTemplate]) -> list[str]:
    """``web/TCP`` for every named port the templates serve (FindPort order, de-duplicated)."""
    seen: dict[str, None] = {}
    for template in templates:
        for port in template.ports():
            if port.name:
                seen.setdefault(f"{port.name}/{port.protocol}", None)
    return list(seen)
