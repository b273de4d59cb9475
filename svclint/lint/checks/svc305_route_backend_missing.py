"""SVC305 route-backend-missing."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.ingress import core_service, describe_ports, service_names
from svclint.kube.routes import is_openshift_route, route_backends, route_port_matches
from svclint.kube.services import service_ports
from svclint.lint.rule import Related, Rule, RuleContext, Violation
from svclint.suggest import is_close, nearest


class RouteBackendMissing(Rule):
    """## What it does
    Reports an OpenShift Route (`route.openshift.io/v1`) whose `spec.to` or
    `spec.alternateBackends[]` names a Service that does not exist in the Route's namespace,
    or whose `spec.port.targetPort` matches no port of its Service. A Route only sends to
    Services of its own namespace. `targetPort` is matched the way the router matches
    endpoint ports: a name against the Service port names (and named targetPorts), a
    number against the Service ports and their targetPorts; a Route without `port` uses
    every port. Services are looked up in the whole input.

    ## Why is this bad?
    The router has no endpoint to send the host's requests to: clients get the router's
    503 page although the Route is admitted and the pods are healthy.
    """

    id = "SVC305"
    name = "route-backend-missing"
    summary = "An OpenShift Route names a Service or port that does not exist"
    severity = Severity.ERROR
    namespaced = True
    tags = ("ingress", "openshift")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for route in ctx.graph.of_kind("Route"):
            if not is_openshift_route(route):
                continue
            label = f"Route {route.namespace}/{route.name} "
            for backend in route_backends(route):
                where = f"{label}{backend.where}"
                service = core_service(ctx.graph, route.namespace, backend.service)
                if service is None:
                    local = service_names(ctx.graph).by_namespace.get(route.namespace, {})
                    best = nearest(backend.service, local)
                    text = f"{where}: Service {backend.service!r} does not exist in namespace {route.namespace!r}"
                    related = []
                    if best is None:
                        text += f"; there is no Service in namespace {route.namespace!r}"
                    else:
                        text += f"; did you mean {best!r}?" if is_close(backend.service, best) else f"; the nearest Service name is {best!r}"
                        related.append(Related(f"nearest Service: {route.namespace}/{best}", local[best], "metadata.name"))
                    yield ctx.report(text, route, backend.path + ("name",), related)
                    continue
                target = backend.target_port
                if target is None or any(route_port_matches(target, sp) for sp in service_ports(service)):
                    continue
                yield ctx.report(
                    f"{where}: spec.port.targetPort {target!r} matches no port of Service {service.namespace}/{service.name} "
                    f"(by name or number, nor any of its targetPorts); its ports are {describe_ports(service) or 'none'}",
                    route,
                    ("spec", "port", "targetPort"),
                    [Related(f"Service {service.namespace}/{service.name}", service, "spec.ports")],
                )
