"""OpenShift Routes (``route.openshift.io/v1``): which Service ports a Route sends traffic to.

From openshift/api route/v1/types.go: ``spec.to`` and ``spec.alternateBackends[]`` name
the backends (``kind`` defaults to Service, the only kind the router serves); they are
Services of the Route's own namespace. ``spec.port.targetPort`` is "the target port on
pods selected by the service this route points to. If this is a string, it will be looked
up as a named port in the target endpoints port list" (an endpoint port carries the
Service port's name); absent, the router sends to every port of the Service. A number is
matched against the Service ports and their targetPorts, a name against the Service port
names and their named targetPorts: the router compares endpoint ports, and a Route written
either way works, so neither is reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from svclint.kube.model import K8sObject
from svclint.kube.services import ServicePort
from svclint.loading.source import FieldPath

ROUTE_GROUP = "route.openshift.io"


@dataclass(frozen=True)
class RouteBackend:
    """One Service a Route sends traffic to."""

    route: K8sObject
    service: str
    path: FieldPath  # of the backend (``spec.to`` or ``spec.alternateBackends[i]``)
    target_port: int | str | None  # spec.port.targetPort, shared by every backend

    @property
    def where(self) -> str:
        return "spec.to" if self.path == ("spec", "to") else f"alternate backend {self.path[-1]}"


def is_openshift_route(obj: K8sObject) -> bool:
    return obj.manifest_kind == "Route" and obj.group == ROUTE_GROUP


def route_target_port(route: K8sObject) -> int | str | None:
    value = route.get(("spec", "port", "targetPort"))
    if isinstance(value, bool):
        return None
    return value if isinstance(value, (int, str)) and value != "" else None


def route_backends(route: K8sObject) -> Iterator[RouteBackend]:
    """``spec.to`` then ``spec.alternateBackends[]`` that name a Service."""
    target = route_target_port(route)
    candidates: list[tuple[FieldPath, object]] = [(("spec", "to"), route.spec.get("to"))]
    alternates = route.spec.get("alternateBackends")
    for i, item in enumerate(alternates if isinstance(alternates, list) else ()):
        candidates.append((("spec", "alternateBackends", i), item))
    for path, item in candidates:
        if not isinstance(item, dict):
            continue
        kind, name = item.get("kind", "Service"), item.get("name")
        if kind in ("Service", "", None) and isinstance(name, str) and name:
            yield RouteBackend(route, name, path, target)


def route_port_matches(target: int | str | None, port: ServicePort) -> bool:
    """Whether a Route's targetPort sends traffic to Service port ``port``."""
    if target is None:
        return True
    if isinstance(target, int):
        return target == port.port or target == port.target_port
    return target == port.name or target == port.target_port
