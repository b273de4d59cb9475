"""Backends of Ingresses and Gateway API routes, and where their traffic lands.

One ``BackendRef`` per Service backend, whatever the API shape, so SVC301-SVC304 and the
routing engine read backends the same way:

- ``networking.k8s.io/v1`` Ingress: ``spec.defaultBackend`` and
  ``spec.rules[].http.paths[].backend``, each ``service: {name, port: {number | name}}``;
- ``extensions/v1beta1`` and ``networking.k8s.io/v1beta1`` (removed in 1.22, still shipped
  by old charts): ``spec.backend`` and ``...backend: {serviceName, servicePort}``, where an
  integer servicePort is a number and a string one a port *name* (the v1beta1 conversion in
  pkg/apis/networking/v1beta1/conversion.go maps IntOrString Type Int to Port.Number and
  anything else to Port.Name);
- Gateway API routes (``gateway.networking.k8s.io``: HTTPRoute, GRPCRoute, TCPRoute,
  TLSRoute, UDPRoute): ``spec.rules[].backendRefs[]`` and ``requestMirror`` filters' backendRef.
  ``group`` defaults to "" (core) and ``kind`` to Service; other kinds are not Services and
  are skipped, as are Ingress ``resource`` backends.

Ports name the *Service* port (``ServicePort.port`` or ``ServicePort.name``), never the
targetPort or a container port (k8s-semantics §1d I4, §5.25).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from svclint.kube.graph import ManifestGraph
from svclint.kube.model import K8sObject
from svclint.kube.services import ServicePort, is_int, service_ports
from svclint.loading.source import FieldPath

INGRESS_GROUPS = ("networking.k8s.io", "extensions")
GATEWAY_GROUP = "gateway.networking.k8s.io"
ROUTE_KINDS = ("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute", "UDPRoute")


@dataclass(frozen=True)
class BackendRef:
    """A reference from an Ingress or a route to a Service port."""

    owner: K8sObject  # the Ingress or route
    path: FieldPath  # the backend / backendRef mapping inside the owner
    where: str  # for messages: "backend for host shop.example.com path /api", "default backend"
    service: str  # Service name
    namespace: str | None  # the Service's namespace (a route may name another one)
    port: int | str | None  # Service port number or name; None when not given
    name_path: FieldPath
    port_path: FieldPath | None  # None when the port is not given

    @property
    def cross_namespace(self) -> bool:
        return self.namespace != self.owner.namespace

    @property
    def port_text(self) -> str:
        return f"port {self.port}" if isinstance(self.port, int) else f"port named {self.port!r}"


def is_ingress(obj: K8sObject) -> bool:
    return obj.kind == "Ingress" and obj.group in INGRESS_GROUPS


def is_route(obj: K8sObject) -> bool:
    return obj.kind in ROUTE_KINDS and obj.group == GATEWAY_GROUP


def all_backends(graph: ManifestGraph) -> Iterator[BackendRef]:
    """Every Service backend of every Ingress, then of every Gateway API route."""
    return backends_of(graph.of_kind("Ingress", *ROUTE_KINDS))


def backends_of(objects: Iterable[K8sObject]) -> Iterator[BackendRef]:
    """The Service backends of the Ingresses and Gateway API routes among ``objects``."""
    for obj in objects:
        if is_ingress(obj):
            yield from ingress_backends(obj)
        elif is_route(obj):
            yield from route_backends(obj)


# -- Ingress --------------------------------------------------------------------------------


def ingress_backends(ingress: K8sObject) -> Iterator[BackendRef]:
    spec = ingress.spec
    for key in ("defaultBackend", "backend"):  # v1, v1beta1
        ref = _ingress_backend(ingress, ("spec", key), spec.get(key), "default backend")
        if ref is not None:
            yield ref
    rules = spec.get("rules")
    if not isinstance(rules, list):
        return
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        http = rule.get("http")
        paths = http.get("paths") if isinstance(http, dict) else None
        if not isinstance(paths, list):
            continue
        host = rule.get("host")
        for j, entry in enumerate(paths):
            if not isinstance(entry, dict):
                continue
            where = f"backend for host {host}" if isinstance(host, str) and host else "backend for any host"
            if isinstance(entry.get("path"), str) and entry["path"]:
                where += f" path {entry['path']}"
            path = ("spec", "rules", i, "http", "paths", j, "backend")
            ref = _ingress_backend(ingress, path, entry.get("backend"), where)
            if ref is not None:
                yield ref


# The AWS Load Balancer Controller's actions: a backend whose port is named ``use-annotation``
# names an action in the ``alb.ingress.kubernetes.io/actions.<name>`` annotation (which Argo
# Rollouts' ALB traffic routing writes at run time), not a Service (aws-load-balancer-controller
# docs/guide/ingress/annotations.md, "actions.${action-name}"; pkg/ingress/model_build_actions.go).
USE_ANNOTATION = "use-annotation"


def _ingress_backend(ingress: K8sObject, path: FieldPath, backend: object, where: str) -> BackendRef | None:
    """A v1 ``service`` or v1beta1 ``serviceName`` backend; None for resource/invalid ones
    and for AWS Load Balancer Controller actions (``USE_ANNOTATION``)."""
    if not isinstance(backend, dict):
        return None
    service = backend.get("service")
    if isinstance(service, dict):  # networking.k8s.io/v1
        name = service.get("name")
        if not isinstance(name, str) or not name:
            return None
        port_spec = service.get("port")
        port: int | str | None = None
        port_path: FieldPath | None = None
        if isinstance(port_spec, dict):
            if is_int(port_spec.get("number")):
                port, port_path = port_spec["number"], path + ("service", "port", "number")
            elif isinstance(port_spec.get("name"), str) and port_spec["name"]:
                port, port_path = port_spec["name"], path + ("service", "port", "name")
        if port == USE_ANNOTATION:
            return None
        return BackendRef(ingress, path, where, name, ingress.namespace, port, path + ("service", "name"), port_path)
    name = backend.get("serviceName")
    if isinstance(name, str) and name:  # extensions/v1beta1, networking.k8s.io/v1beta1
        value = backend.get("servicePort")
        port = value if is_int(value) or (isinstance(value, str) and value) else None
        if port == USE_ANNOTATION:
            return None
        port_path = path + ("servicePort",) if port is not None else None
        return BackendRef(ingress, path, where, name, ingress.namespace, port, path + ("serviceName",), port_path)
    return None  # a `resource` backend (not a Service), or nothing the API server would accept


# -- Gateway API routes ---------------------------------------------------------------------


def route_backends(route: K8sObject) -> Iterator[BackendRef]:
    rules = route.spec.get("rules")
    if not isinstance(rules, list):
        return
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            continue
        where = f"rules[{i}]"
        refs = rule.get("backendRefs")
        if isinstance(refs, list):
            for j, ref in enumerate(refs):
                path = ("spec", "rules", i, "backendRefs", j)
                backend = _route_backend(route, path, ref, where)
                if backend is not None:
                    yield backend
                if isinstance(ref, dict):
                    yield from _mirrors(route, path, ref.get("filters"), where)
        yield from _mirrors(route, ("spec", "rules", i), rule.get("filters"), where)


def _mirrors(route: K8sObject, path: FieldPath, filters: object, where: str) -> Iterator[BackendRef]:
    if not isinstance(filters, list):
        return
    for k, entry in enumerate(filters):
        mirror = entry.get("requestMirror") if isinstance(entry, dict) else None
        if isinstance(mirror, dict):
            ref_path = path + ("filters", k, "requestMirror", "backendRef")
            backend = _route_backend(route, ref_path, mirror.get("backendRef"), where + " requestMirror")
            if backend is not None:
                yield backend


def _route_backend(route: K8sObject, path: FieldPath, ref: object, where: str) -> BackendRef | None:
    """A BackendObjectReference to a core Service (group "" and kind Service by default)."""
    if not isinstance(ref, dict):
        return None
    if (ref.get("group") or "") != "" or (ref.get("kind") or "Service") != "Service":
        return None
    name = ref.get("name")
    if not isinstance(name, str) or not name:
        return None
    namespace = ref.get("namespace")
    namespace = namespace if isinstance(namespace, str) and namespace else route.namespace
    port = ref.get("port")
    has_port = is_int(port)
    return BackendRef(
        route,
        path,
        where,
        name,
        namespace,
        port if has_port else None,
        path + ("name",),
        path + ("port",) if has_port else None,
    )


def reference_grants(graph: ManifestGraph, namespace: str | None) -> list[K8sObject]:
    return [g for g in graph.of_kind("ReferenceGrant") if g.group == GATEWAY_GROUP and g.namespace == namespace]


def reference_granted(graph: ManifestGraph, ref: BackendRef) -> bool:
    """Whether a ReferenceGrant in the Service's namespace lets this route reference it.

    Gateway API (apis/v1beta1/referencegrant_types.go): ``from`` entries match the
    referrer's group, kind and namespace exactly; ``to`` entries match group "" and kind
    Service, and the name when one is given. Same-namespace references need no grant.
    """
    if not ref.cross_namespace:
        return True
    for grant in reference_grants(graph, ref.namespace):
        sources, targets = grant.spec.get("from"), grant.spec.get("to")
        if not isinstance(sources, list) or not isinstance(targets, list):
            continue
        source_ok = any(
            isinstance(s, dict)
            and s.get("group") == GATEWAY_GROUP
            and s.get("kind") == ref.owner.kind
            and s.get("namespace") == ref.owner.namespace
            for s in sources
        )
        target_ok = any(
            isinstance(t, dict)
            and (t.get("group") or "") == ""
            and t.get("kind") == "Service"
            and t.get("name") in (None, "", ref.service)
            for t in targets
        )
        if source_ok and target_ok:
            return True
    return False


# -- Services -------------------------------------------------------------------------------


def core_service(graph: ManifestGraph, namespace: str | None, name: str) -> K8sObject | None:
    """The core (v1) Service ``namespace/name``; a Knative ``Service`` is not a backend."""
    for obj in graph.by_key.get(("Service", namespace, name), ()):
        if obj.group == "":
            return obj
    return None


@dataclass
class ServiceNames:
    """Core Services by namespace and by name, for "did you mean" and "in another namespace"."""

    by_namespace: dict[str | None, dict[str, K8sObject]] = field(default_factory=dict)
    by_name: dict[str, list[K8sObject]] = field(default_factory=dict)


_SERVICE_NAMES: WeakKeyDictionary[ManifestGraph, ServiceNames] = WeakKeyDictionary()


def service_names(graph: ManifestGraph) -> ServiceNames:
    """Built once per graph (the graph is immutable once loaded)."""
    names = _SERVICE_NAMES.get(graph)
    if names is None:
        names = ServiceNames()
        for service in graph.of_kind("Service"):
            if service.group == "":
                names.by_namespace.setdefault(service.namespace, {}).setdefault(service.name, service)
                names.by_name.setdefault(service.name, []).append(service)
        _SERVICE_NAMES[graph] = names
    return names


def find_service_port(service: K8sObject, port: int | str) -> ServicePort | None:
    """The ServicePort a backend names: ``number`` matches ``port``, ``name`` matches ``name``."""
    for sp in service_ports(service):
        if (sp.port == port) if isinstance(port, int) else (sp.name == port):
            return sp
    return None


def describe_ports(service: K8sObject) -> str:
    """``80/TCP (http), 9090/TCP (metrics)`` for messages."""
    parts = []
    for sp in service_ports(service):
        if sp.port is None:
            continue  # not a port number (SVC002 reports it)
        text = f"{sp.port}/{sp.protocol}"
        parts.append(f"{text} ({sp.name})" if sp.name else text)
    return ", ".join(parts)
