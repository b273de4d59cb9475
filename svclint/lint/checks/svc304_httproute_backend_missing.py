"""SVC304 httproute-backend-missing."""

from __future__ import annotations

from collections.abc import Iterator

from svclint.findings import Severity
from svclint.kube.ingress import (
    GATEWAY_GROUP,
    ROUTE_KINDS,
    BackendRef,
    core_service,
    describe_ports,
    find_service_port,
    is_route,
    reference_granted,
    reference_grants,
    route_backends,
)
from svclint.kube.model import K8sObject
from svclint.kube.services import is_external_name
from svclint.lint.checks.backends import backend_label, missing_port, missing_service
from svclint.lint.rule import Related, Rule, RuleContext, Violation


class HTTPRouteBackendMissing(Rule):
    """## What it does
    Reports a Gateway API route backendRef (`gateway.networking.k8s.io` `v1`, `v1beta1` or
    `v1alpha2` HTTPRoute, and GRPCRoute, TCPRoute, TLSRoute, UDPRoute, including
    `requestMirror` filters) that does not resolve to a Service port:

    - no Service of that name in the backendRef's namespace, which defaults to the route's
      own namespace (the message names the nearest Service name, and a Service of that name
      in another namespace);
    - a Service in another namespace that no `ReferenceGrant` in that namespace opens to
      this route kind from the route's namespace (`from` group, kind and namespace match
      exactly; `to` is group `""`, kind `Service`, and the Service's name when one is set);
    - no `port`, which a Service backendRef requires (the CRD's CEL rule "Must have port
      for Service reference"), or a port number the Service does not have.

    Only references to Services (`group: ""`, `kind: Service`, the defaults) are checked;
    other kinds belong to the implementation. ExternalName Services are not checked for the
    port, as for Ingress backends (SVC302).

    ## Why is this bad?
    The implementation sets `ResolvedRefs: False` (`BackendNotFound` or `RefNotPermitted`)
    and answers the requests of that rule with 500 (or drops their share of a weighted
    split), while the route itself is accepted.
    """

    id = "SVC304"
    name = "httproute-backend-missing"
    summary = "A Gateway API route backendRef names a missing Service or port, or lacks a ReferenceGrant"
    severity = Severity.ERROR
    tags = ("ingress", "gateway-api")

    def check(self, ctx: RuleContext) -> Iterator[Violation]:
        for route in ctx.graph.of_kind(*ROUTE_KINDS):
            if not is_route(route):
                continue
            for ref in route_backends(route):
                violation = self._check_ref(ctx, ref)
                if violation is not None:
                    yield violation

    def _check_ref(self, ctx: RuleContext, ref: BackendRef) -> Violation | None:
        label = backend_label(ref)
        service = core_service(ctx.graph, ref.namespace, ref.service)
        if service is None:
            text, related, uncertain = missing_service(ctx.graph, ref, ctx.load)
            return ctx.report(f"{label}: {text}", ref.owner, ref.name_path, related, uncertain=uncertain)
        if not reference_granted(ctx.graph, ref):
            return self._not_granted(ctx, ref, service)
        if ref.port is None:
            listed = describe_ports(service)
            ports = f"its ports are {listed}" if listed else "it declares no ports"
            return ctx.report(
                f"{label}: the reference to Service {service.namespace}/{service.name} has no port; a "
                f"Service backendRef needs one (the API server rejects the route: \"Must have port for "
                f"Service reference\"); {ports}",
                ref.owner,
                ref.path,
                [Related(f"Service {service.namespace}/{service.name}", service, "metadata.name")],
            )
        if find_service_port(service, ref.port) is None and not is_external_name(service):
            text, related = missing_port(ctx.graph, service, ref)
            return ctx.report(f"{label}: {text}", ref.owner, ref.port_path or ref.path, related)
        return None

    def _not_granted(self, ctx: RuleContext, ref: BackendRef, service: K8sObject) -> Violation:
        route = ref.owner
        related = [Related(f"Service {service.namespace}/{service.name}", service, "metadata.name")]
        related += [
            Related(f"ReferenceGrant {g.namespace}/{g.name} does not allow this reference", g, "spec")
            for g in reference_grants(ctx.graph, ref.namespace)
        ]
        return ctx.report(
            f"{backend_label(ref)}: Service {service.namespace}/{service.name} is in another namespace "
            f"and no ReferenceGrant in namespace {ref.namespace!r} allows {route.kind} from namespace "
            f"{route.namespace!r} to reference it, so the route reports RefNotPermitted; add a "
            f"ReferenceGrant in {ref.namespace!r} with from {{group: {GATEWAY_GROUP}, kind: {route.kind}, "
            f"namespace: {route.namespace}}} and to {{group: \"\", kind: Service, name: {service.name}}}",
            route,
            ref.path + ("namespace",),
            related,
        )
