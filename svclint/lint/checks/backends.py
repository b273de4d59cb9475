"""Messages shared by the SVC3xx rules about Ingress and route backends."""

from __future__ import annotations

from svclint.kube.endpoints import resolve_target_port, selected_templates
from svclint.kube.graph import ManifestGraph
from svclint.kube.ingress import BackendRef, describe_ports, is_ingress, service_names
from svclint.kube.model import K8sObject
from svclint.kube.objects import LoadResult
from svclint.kube.podports import ContainerPort
from svclint.kube.services import ServicePort, service_ports
from svclint.kube.sources import service_maker, service_maker_hint
from svclint.lint.checks.otherunits import only_in, unit_with_service
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


def missing_service(graph: ManifestGraph, ref: BackendRef, load: LoadResult) -> tuple[str, list[Related], bool]:
    """Why the backend's Service is missing (same name elsewhere, nearest name here), and
    whether that is uncertain: another unit of the run defines it, a custom resource's
    operator may create it, or the input holds no Service of that namespace or name at all
    (routes kept apart from the apps they route to)."""
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
    other_unit = unit_with_service(load, ns, ref.service)
    maker = service_maker(graph.objects, ns, ref.service)
    if other_unit is not None:
        text += only_in(other_unit, "it is")
    elif maker is not None:
        text += service_maker_hint(maker)
    apart = not local and not elsewhere
    if apart and other_unit is None and maker is None:
        text += " or named so in the input, so the app is likely deployed from elsewhere"
    return text, related, other_unit is not None or maker is not None or apart


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
