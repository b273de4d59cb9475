"""Messages shared by the SVC3xx rules about Ingress and route backends."""

from __future__ import annotations

from svclint.kube.endpoints import resolve_target_port, selected_templates
from svclint.kube.graph import ManifestGraph
from svclint.kube.ingress import BackendRef, describe_ports, is_ingress, service_names
from svclint.kube.model import K8sObject
from svclint.kube.podports import ContainerPort
from svclint.kube.services import ServicePort, service_ports
from svclint.lint.rule import Related
from svclint.suggest import is_close, nearest


def backend_label(ref: BackendRef) -> str:
    """``Ingress shop/web backend for host shop.example.com path /api`` and the like."""
    owner = ref.owner
    if is_ingress(owner):
        return f"Ingress {owner.namespace}/{owner.name} {ref.where}"
    return f"{owner.kind} {owner.namespace}/{owner.name} {ref.where} backendRef"


def port_label(sp: ServicePort) -> str:
    return f"{sp.port} ({sp.name})" if sp.name else str(sp.port)


def missing_service(graph: ManifestGraph, ref: BackendRef) -> tuple[str, list[Related]]:
    """Why the backend's Service is missing: same name elsewhere, nearest name here."""
    ns = ref.namespace
    names = service_names(graph)
    text = f"Service {ref.service!r} does not exist in namespace {ns!r}"
    related: list[Related] = []
    elsewhere = sorted(
        (s for s in names.by_name.get(ref.service, ()) if s.namespace != ns), key=lambda s: s.namespace or ""
    )
    if elsewhere:
        other = elsewhere[0]
        if is_ingress(ref.owner):
            text += (
                f"; a Service {ref.service!r} exists in namespace {other.namespace!r}, but an Ingress "
                f"only routes to Services in its own namespace: move the Ingress or the Service"
            )
        else:
            text += (
                f"; a Service {ref.service!r} exists in namespace {other.namespace!r}: set "
                f"`namespace: {other.namespace}` on the backendRef (with a ReferenceGrant there allowing it)"
            )
        related.append(Related(f"Service {other.namespace}/{other.name} is in another namespace", other, "metadata.name"))
    local = names.by_namespace.get(ns, {})
    best = nearest(ref.service, local)
    if best is None:
        text += f"; there is no Service in namespace {ns!r}"
    else:
        if is_close(ref.service, best):
            text += f"; did you mean {best!r}?"
        else:
            text += f"; the nearest Service name in namespace {ns!r} is {best!r}"
        related.append(Related(f"nearest Service: {ns}/{best}", local[best], "metadata.name"))
    return text, related


def missing_port(graph: ManifestGraph, service: K8sObject, ref: BackendRef) -> tuple[str, list[Related]]:
    """The Service has no port of that number or name: list its ports, spot targetPort mix-ups."""
    listed = describe_ports(service)
    text = f"Service {service.namespace}/{service.name} has no {ref.port_text}"
    text += f"; its ports are {listed}" if listed else "; it declares no ports"
    behind = _port_behind(graph, service, ref.port)
    if behind is not None:
        use = f"{behind.name!r} or {behind.port}" if behind.name and is_ingress(ref.owner) else str(behind.port)
        text += (
            f"; {ref.port!r} is the target of port {port_label(behind)}: a backend names the "
            f"Service port ({use}), not the container port"
        )
    at = "spec.ports" if service.get("spec.ports") is not None else "metadata.name"
    return text, [Related(f"ports of Service {service.namespace}/{service.name}", service, at)]


def _port_behind(graph: ManifestGraph, service: K8sObject, port: int | str | None) -> ServicePort | None:
    """The Service port whose targetPort is ``port``, by value or as resolved on its pods."""
    pods = selected_templates(graph, service)
    for sp in service_ports(service):
        if sp.port == port:
            continue
        if sp.target_port == port:
            return sp
        if isinstance(port, int) and isinstance(sp.target_port, str):
            for template in pods:
                found = resolve_target_port(template, sp)
                if isinstance(found, ContainerPort) and found.number == port:
                    return sp
    return None
